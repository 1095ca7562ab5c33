"""The data a paper prints, gathered from the order and its records: the SQL the route needs lives here."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from orders.documents.blocks import PaperData
from orders.documents.later import later_blocks
from orders.documents.papers import why_not_ready
from orders.documents.sheet import Store
from orders.models import Order
from shared.domain import DomainError, NotFound
from shared.privacy import mask_text


def paper_data(session: Session, order_id: str, kind: str, store: Store,
               customer_as_seen: Callable[[Order], dict[str, str]]) -> PaperData:
    """The order's data for paper ``kind``: 404 for no order, 409 saying why when the paper cannot exist yet.

    ``customer_as_seen`` is the orders API's own masking rule for this caller; a caller shown masked
    numbers also gets any number in the free-text special requests masked.
    """
    order = session.get(Order, order_id)  # payments and later records load with it (selectin)
    if order is None:
        raise NotFound(f"No order {order_id}.")
    reason = why_not_ready(kind, order)
    if reason:
        raise DomainError(f"Cannot print the {kind} of order {order_id}: {reason}.", kind=kind)
    customer = customer_as_seen(order)
    full = customer["id_number"] == order.customer_id_number and customer["phone"] == order.customer_phone
    notes: Any = order.special_requests if full else mask_text(order.special_requests or "")
    return PaperData(order, customer, store, notes or "", later_blocks(order))

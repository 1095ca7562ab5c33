"""How an order's customer is shown to each caller: one rule for the JSON answers and the printed papers."""
from __future__ import annotations

from typing import Any

from orders.models import Order
from shared.actors import Actor
from shared.privacy import mask_id_number, mask_phone


def customer_as_seen_by(order: Order, actor: Actor) -> dict[str, Any]:
    """Phone and ID in full for the order's consultant, managers and back office (who check contracts)."""
    full = actor.is_manager or actor.role == "back_office" or actor.sub == order.consultant_id
    phone, id_number = order.customer_phone, order.customer_id_number
    if not full:
        phone, id_number = mask_phone(phone) or "", mask_id_number(id_number) or ""
    return {"name": order.customer_name, "phone": phone, "id_number": id_number}

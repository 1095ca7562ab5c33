"""The order events the leads service consumes, read into small typed values (tolerant readers).

Each handler only reads the fields it needs, then calls the use case in ``services``;
the rules of what an order does to its lead live there and in ``domain``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from leads import services


@dataclass(frozen=True)
class OrderOfLead:
    """An order event as leads reads it: which order, for which lead (None: an order without one)."""

    order_id: str
    lead_id: str | None

    @classmethod
    def from_event(cls, envelope: dict[str, Any]) -> OrderOfLead:
        """Read the order id (the event's subject) and the lead id; every other field is ignored."""
        return cls(order_id=envelope["subject"], lead_id=envelope["data"].get("lead_id") or None)


def order_placed(session: Session, envelope: dict[str, Any]) -> None:
    """The customer ordered: the lead becomes a deal (成交)."""
    order = OrderOfLead.from_event(envelope)
    services.convert_on_order(session, order.lead_id, order.order_id)


def order_cancelled(session: Session, envelope: dict[str, Any]) -> None:
    """The order fell through: the customer is an intention again."""
    order = OrderOfLead.from_event(envelope)
    services.reopen_on_cancellation(session, order.lead_id, order.order_id)


HANDLERS = {
    "orders.order.placed": order_placed,
    "orders.order.cancelled": order_cancelled,
}

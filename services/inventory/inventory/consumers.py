"""The order events inventory consumes (its half of the order saga), read into small typed values.

An order placed reserves a car or joins the waiting list; a cancelled order gives
its car back (to the oldest waiting order, if one fits); a delivered order takes
its car out of stock. Each handler reads only the fields it needs (tolerant
reader: unknown fields are ignored), then calls the use case in ``services``,
which copes with events that arrive out of order.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from inventory import services
from shared.business_time import aware


@dataclass(frozen=True)
class OrderPlaced:
    """``orders.order.placed``: what car the order asks for, and when it was placed (None: not readable)."""

    order_id: str
    model: str
    trim: str
    color: str
    requested_vin: str | None
    placed_at: datetime | None

    @classmethod
    def from_event(cls, envelope: dict[str, Any]) -> OrderPlaced:
        """Read the order; a VIN is normalised, the envelope's time stands in for a missing ``placed_at``."""
        data = envelope["data"]
        return cls(order_id=_order_id(envelope), model=data.get("model") or "", trim=data.get("trim") or "",
                   color=data.get("color") or "", requested_vin=(data.get("vin") or "").strip().upper() or None,
                   placed_at=_moment(data.get("placed_at") or envelope.get("time")))


@dataclass(frozen=True)
class OrderClosed:
    """``orders.order.cancelled`` or ``.delivered``: which order, its car if named, and when it happened."""

    order_id: str
    vin: str
    at: datetime | None

    @classmethod
    def from_event(cls, envelope: dict[str, Any], time_field: str) -> OrderClosed:
        """Read the order, its car and the business time in ``time_field`` (``cancelled_at``, ``delivered_at``)."""
        data = envelope["data"]
        return cls(order_id=_order_id(envelope), vin=str(data.get("vin") or ""), at=_moment(data.get(time_field)))


def _order_id(envelope: dict[str, Any]) -> str:
    """The order's id: in the payload, else the event's subject."""
    return str(envelope["data"].get("order_id") or envelope["subject"])


def _moment(raw: Any) -> datetime | None:
    """An ISO time as an aware datetime (naive ones are UTC), or None when it is missing or unreadable."""
    try:
        return aware(datetime.fromisoformat(str(raw)))
    except ValueError:
        return None


def order_placed(session: Session, envelope: dict[str, Any]) -> None:
    """Reserve the oldest matching car for the order, or put it on the waiting list (等车)."""
    order = OrderPlaced.from_event(envelope)
    services.reserve_oldest_matching_vehicle(session, order.order_id, model=order.model, trim=order.trim,
                                             color=order.color, requested_vin=order.requested_vin,
                                             placed_at=order.placed_at)


def order_cancelled(session: Session, envelope: dict[str, Any]) -> None:
    """Void the order's claim on a car."""
    order = OrderClosed.from_event(envelope, "cancelled_at")
    services.void_order_claim(session, order.order_id, order.at)


def order_delivered(session: Session, envelope: dict[str, Any]) -> None:
    """Take the order's car out of stock (出库)."""
    order = OrderClosed.from_event(envelope, "delivered_at")
    services.take_out_of_stock(session, order.order_id, order.vin, order.at)


HANDLERS = {
    "orders.order.placed": order_placed,
    "orders.order.cancelled": order_cancelled,
    "orders.order.delivered": order_delivered,
}

"""The inventory events orders consumes (its half of the order saga), read into small typed values.

Inventory answers every order placed with a reserved car or a failed reservation, and
later serves a backordered order when a car arrives. Each handler reads only the fields
it needs (tolerant reader: unknown fields are ignored), then calls the use case in
``services``, which decides what a late or out-of-order answer means.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from orders import services
from shared.business_time import aware


@dataclass(frozen=True)
class CarReserved:
    """``inventory.vehicle.reserved``: the car held for the order, its class and when (None: not given)."""

    order_id: str | None
    vin: str
    model: str
    trim: str
    color: str
    at: datetime | None
    model_class: str | None = None  # 车型大类; None from an inventory that does not know it (or predates it)

    @classmethod
    def from_event(cls, envelope: dict[str, Any]) -> CarReserved:
        """Read the answer; a missing vehicle detail is empty, a missing VIN is refused by the rule."""
        data = envelope["data"]
        return cls(order_id=data.get("order_id") or None, vin=str(data.get("vin") or ""),
                   model=data.get("model") or "", trim=data.get("trim") or "", color=data.get("color") or "",
                   model_class=_model_class(data.get("model_class")), at=_moment(data.get("at")))


@dataclass(frozen=True)
class ReservationFailed:
    """``inventory.reservation.failed``: no car matched the order, and why (empty when not said)."""

    order_id: str | None
    reason: str

    @classmethod
    def from_event(cls, envelope: dict[str, Any]) -> ReservationFailed:
        """Read the order id and inventory's reason."""
        data = envelope["data"]
        return cls(order_id=data.get("order_id") or None, reason=str(data.get("reason") or ""))


def _model_class(raw: Any) -> str | None:
    """The car's class (车型大类) as inventory names it; None when inventory does not know it (or an older
    inventory sent none). Not checked against a list: inventory owns the classes, and may add some."""
    return raw[:20] if isinstance(raw, str) and raw.strip() else None


def _moment(raw: Any) -> datetime | None:
    """An ISO time as an aware datetime (naive ones are UTC), or None when it is missing or unreadable."""
    try:
        return aware(datetime.fromisoformat(str(raw)))
    except ValueError:
        return None


def vehicle_reserved(session: Session, envelope: dict[str, Any]) -> None:
    """Inventory reserved a car (配车) for an order."""
    answer = CarReserved.from_event(envelope)
    services.confirm_reservation(session, answer.order_id, answer.vin, model=answer.model, trim=answer.trim,
                                 color=answer.color, model_class=answer.model_class, at=answer.at)


def reservation_failed(session: Session, envelope: dict[str, Any]) -> None:
    """No car matched: the order waits (等车) until inventory serves it."""
    answer = ReservationFailed.from_event(envelope)
    services.backorder(session, answer.order_id, answer.reason)


HANDLERS = {
    "inventory.vehicle.reserved": vehicle_reserved,
    "inventory.reservation.failed": reservation_failed,
}

"""Handlers of the inventory events orders consumes: its half of the order saga (tolerant readers).

Inventory answers every order placed with a reserved car or a failed
reservation, and later serves a backordered order when a car arrives. Answers
may come late or out of order; one that no longer fits the order is ignored:
inventory itself gives back any car it holds for a cancelled order.
"""
from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from orders import domain, events
from orders.domain import OrderStatus
from orders.models import Order
from shared.business_time import aware
from shared.outbox import utcnow

log = logging.getLogger("orders.consumers")
AWAITING_CAR = (OrderStatus.PENDING, OrderStatus.BACKORDERED)


def _order_of(session: Session, event: dict[str, Any]) -> Order | None:
    order_id = event["data"].get("order_id")
    order = session.get(Order, order_id, with_for_update=True) if order_id else None
    if order is None:
        log.warning("inventory answered for an unknown order %s", order_id)
    return order


def vehicle_reserved(session: Session, event: dict[str, Any]) -> None:
    """Inventory reserved a car (配车): the order is reserved, or contracted if already approved."""
    order, data = _order_of(session, event), event["data"]
    if order is None or order.status not in AWAITING_CAR:
        return  # a late answer: the order moved on (a cancelled order's car is released by inventory)
    domain.mark_reserved(order, data["vin"])
    # An order that named only a VIN learns its model, trim and colour from the car.
    order.model = order.model or data.get("model") or ""
    order.trim = order.trim or data.get("trim") or ""
    order.color = order.color or data.get("color") or ""
    order.reserved_at, order.backorder_reason = _reserved_at(order, data.get("at")), None
    session.flush()
    events.publish(session, "orders.order.confirmed", order, events.order_confirmed(order))


def _reserved_at(order: Order, raw: Any) -> datetime:
    """When inventory says the car was held (for an order keyed in late, its own date), within placed..now."""
    now = utcnow()
    try:
        moment = aware(datetime.fromisoformat(str(raw)))
    except ValueError:
        return now
    return min(max(moment, aware(order.placed_at)), now)


def reservation_failed(session: Session, event: dict[str, Any]) -> None:
    """No car matched: the order waits (等车) until inventory serves it."""
    order = _order_of(session, event)
    if order is None or order.status != OrderStatus.PENDING:
        return  # already reserved (answers overtook each other) or cancelled
    domain.mark_backordered(order)
    order.backorder_reason = str(event["data"].get("reason") or "no matching car in stock")[:500]
    session.flush()
    events.publish(session, "orders.order.backordered", order, events.order_backordered(order))


HANDLERS = {
    "inventory.vehicle.reserved": vehicle_reserved,
    "inventory.reservation.failed": reservation_failed,
}

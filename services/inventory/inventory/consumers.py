"""Handlers of the order events inventory consumes: its half of the order saga (tolerant readers).

An order placed reserves a car or joins the waiting list; a cancelled order gives
its car back (to the oldest waiting order, if one fits); a delivered order takes
its car out of stock. Events may arrive out of order: a cancellation that comes
before its order is remembered, so the late order is never served.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from inventory import allocation as matching
from inventory import domain, events
from inventory.domain import AllocationStatus, VehicleStatus
from inventory.models import Allocation, KeyMovement, Vehicle
from shared.business_time import aware
from shared.domain import DomainError
from shared.outbox import utcnow


def _order_id(event: dict[str, Any]) -> str:
    return str(event["data"].get("order_id") or event["subject"])


def _moment(raw: Any) -> datetime:
    try:
        moment = datetime.fromisoformat(str(raw))
    except ValueError:
        return utcnow()
    return moment if moment.tzinfo else moment.replace(tzinfo=utcnow().tzinfo)


def order_placed(session: Session, event: dict[str, Any]) -> None:
    """Reserve the oldest matching car for the order, or put it on the waiting list (等车)."""
    data = event["data"]
    matching.lock_stock(session)
    order_id = _order_id(event)
    if session.get(Allocation, order_id) is not None:
        return  # already answered, or cancelled before it arrived
    requested = (data.get("vin") or "").strip().upper() or None
    allocation = Allocation(order_id=order_id, model=data.get("model") or "", trim=data.get("trim") or "",
                            color=data.get("color") or "", requested_vin=requested,
                            placed_at=_moment(data.get("placed_at") or event.get("time")),
                            status=AllocationStatus.WAITING, updated_at=utcnow())
    session.add(allocation)
    session.flush()
    if matching.reserve_oldest_matching_vehicle(session, allocation) is None:
        events.publish(session, "inventory.reservation.failed", order_id,
                       events.reservation_failed(allocation, matching.why_none_fits(session, allocation), utcnow()))


def order_cancelled(session: Session, event: dict[str, Any]) -> None:
    """Void the order's claim: release its car (as of the cancellation), or take it off the waiting list."""
    matching.lock_stock(session)
    order_id, now = _order_id(event), utcnow()
    allocation = session.get(Allocation, order_id)
    if allocation is None:  # the cancellation overtook the order: remember it
        session.add(Allocation(order_id=order_id, placed_at=now, status=AllocationStatus.CANCELLED, updated_at=now))
        return
    if allocation.status == AllocationStatus.RESERVED:
        matching.release_for_order(session, allocation, min(_moment(event["data"].get("cancelled_at")), now))
    if allocation.status in (AllocationStatus.RESERVED, AllocationStatus.WAITING):
        allocation.status, allocation.updated_at = AllocationStatus.CANCELLED, now


def order_delivered(session: Session, event: dict[str, Any]) -> None:
    """Take the car out of stock (出库); its keys go with it to the customer."""
    matching.lock_stock(session)
    order_id, now = _order_id(event), utcnow()
    allocation = session.get(Allocation, order_id)
    vin = str(event["data"].get("vin") or (allocation.vin if allocation else "") or "")
    car = session.get(Vehicle, vin, with_for_update=True) if vin else None
    if car is None:
        raise DomainError(f"order {order_id} was delivered with car {vin or '(none)'}, which inventory does not hold")
    if car.status == VehicleStatus.DELIVERED and car.reserved_for_order_id == order_id:
        return
    domain.deliver(car, order_id)
    # Out of stock on the day the customer took the car (a delivery keyed in late keeps its date).
    car.delivered_at = min(_moment(event["data"].get("delivered_at")), now)
    if car.reserved_at is not None:
        car.delivered_at = max(car.delivered_at, aware(car.reserved_at))
    if car.key_holder is not None:
        session.add(KeyMovement(vin=car.vin, action="handover", holder="customer", purpose=f"order {order_id}",
                                by=car.key_holder, at=car.delivered_at))
        car.key_holder = None
    if allocation is not None:
        allocation.status, allocation.updated_at = AllocationStatus.DELIVERED, now
    session.flush()
    events.publish(session, "inventory.vehicle.delivered", car.vin,
                   events.vehicle_left_order(car, order_id, car.delivered_at))


HANDLERS = {
    "orders.order.placed": order_placed,
    "orders.order.cancelled": order_cancelled,
    "orders.order.delivered": order_delivered,
}

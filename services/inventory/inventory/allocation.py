"""Reserving cars for orders (配车): oldest stock first, never one car for two orders.

Every write of the inventory service first takes one lock on its database, so an
order that starts waiting and a car that becomes available can never miss each
other: on SQLite the kernel's ``BEGIN IMMEDIATE`` already serialises writers; on
PostgreSQL a transaction-level advisory lock does the same. The claim on the car
itself is also atomic on its own: the oldest candidate is read ``FOR UPDATE SKIP
LOCKED`` and every UPDATE of a car checks the version it read.

These are the reservation steps the use cases in ``services`` share. The order-placed
step publishes its two answers (``reserved`` or ``failed``) from its use case there;
the steps here publish only what they decide themselves: a released car, and a car
that went to the longest-waiting order.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, or_, select, text
from sqlalchemy.orm import Session

from inventory import domain, events
from inventory.domain import AllocationStatus, VehicleKind, VehicleStatus
from inventory.models import Allocation, Vehicle
from shared.business_time import aware
from shared.clock import utcnow
from shared.db import is_postgres

STOCK_LOCK_KEY = 3_008_003  # any number fixed for this service's database


def lock_stock(session: Session) -> None:
    """Serialise this transaction with every other write to stock (held until commit)."""
    if is_postgres(session):
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": STOCK_LOCK_KEY})


def _oldest_candidate(allocation: Allocation) -> Select[tuple[Vehicle]]:
    query = select(Vehicle).where(Vehicle.kind == VehicleKind.STOCK, Vehicle.status == VehicleStatus.AVAILABLE)
    for column, wanted in ((Vehicle.model, allocation.model), (Vehicle.trim, allocation.trim),
                           (Vehicle.color, allocation.color), (Vehicle.vin, allocation.requested_vin)):
        if wanted:
            query = query.where(column == wanted)
    return query.order_by(Vehicle.arrived_at, Vehicle.vin).limit(1)


def oldest_matching_vehicle(session: Session, allocation: Allocation) -> Vehicle | None:
    """The oldest available stock car the order asks for, locked for this claim; None when there is none."""
    query = _oldest_candidate(allocation)
    if is_postgres(session):
        query = query.with_for_update(skip_locked=True)
    return session.scalars(query).first()


def serve_oldest_waiting_order(session: Session, car: Vehicle, since: datetime | None = None) -> Allocation | None:
    """Give a car that just became available (at ``since``) to the order that has waited longest for one like it."""
    if not domain.is_for_sale(car):
        return None
    query = (select(Allocation)
             .where(Allocation.status == AllocationStatus.WAITING,
                    or_(Allocation.requested_vin.is_(None), Allocation.requested_vin == car.vin),
                    Allocation.model.in_(("", car.model)), Allocation.trim.in_(("", car.trim)),
                    Allocation.color.in_(("", car.color)))
             .order_by(Allocation.placed_at, Allocation.order_id).limit(1))
    allocation = session.scalars(query).first()
    if allocation is None:
        return None
    hold(session, car, allocation, since)
    events.publish(session, "inventory.vehicle.reserved", car.vin, events.vehicle_reserved(car, allocation.order_id))
    return allocation


def reservation_time(car: Vehicle, allocation: Allocation, since: datetime | None, now: datetime) -> datetime:
    """The business time a claim takes effect: once the order was placed and the car was for sale, never later
    than now. An order keyed in from the paper file (补录) so holds its car from its own date."""
    moments = [allocation.placed_at, car.inspected_at or car.arrived_at, since]
    return min(max(aware(m) for m in moments if m is not None), now)


def hold(session: Session, car: Vehicle, allocation: Allocation, since: datetime | None = None) -> None:
    """Reserve the car for the order's claim (配车); the caller publishes ``reserved``."""
    now = utcnow()
    domain.reserve(car, allocation.order_id)
    car.reserved_at = reservation_time(car, allocation, since, now)
    allocation.status, allocation.vin, allocation.updated_at = AllocationStatus.RESERVED, car.vin, now
    session.flush()


def why_none_fits(session: Session, allocation: Allocation) -> str:
    """The reason given with a failed reservation, so the consultant can tell the customer."""
    if allocation.requested_vin:
        car = session.get(Vehicle, allocation.requested_vin)
        if car is None:
            return f"no car with VIN {allocation.requested_vin} has arrived yet"
        if not domain.fits_order(car, allocation.model, allocation.trim, allocation.color, car.vin):
            return f"the car {car.vin} is a {car.model} {car.trim} {car.color}, not what the order asks for"
        if car.kind != VehicleKind.STOCK:
            return f"the car {car.vin} is a {car.kind} car; only stock cars are sold"
        return f"the car {car.vin} is {car.status}"
    return f"no available stock car matches {allocation.model} / {allocation.trim} / {allocation.color}"


def release_for_order(session: Session, allocation: Allocation, at: datetime) -> Vehicle | None:
    """Put the order's car back on sale (its order let go) and hand it to the next waiting order."""
    if allocation.status != AllocationStatus.RESERVED or allocation.vin is None:
        return None
    car = session.get(Vehicle, allocation.vin, with_for_update=True)
    if car is None or car.reserved_for_order_id != allocation.order_id:
        return None
    at = min(max(at, aware(car.reserved_at)), utcnow()) if car.reserved_at is not None else at
    domain.release(car, allocation.order_id)
    car.reserved_at = None
    session.flush()
    events.publish(session, "inventory.vehicle.released", car.vin,
                   events.vehicle_left_order(car, allocation.order_id, at))
    serve_oldest_waiting_order(session, car, at)
    return car

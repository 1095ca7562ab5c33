"""Use cases of the inventory service: one transaction each, events written to the outbox in it.

The routes' use cases commit; the order saga's (called by ``consumers``) run in the consumer's
transaction, which commits them with the inbox row that marks the event done. Every write first
takes the stock lock (``allocation.lock_stock``), so a waiting order and a freed car never miss.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from inventory import allocation, domain, events
from inventory.allocation import lock_stock, serve_oldest_waiting_order
from inventory.domain import AllocationStatus, VehicleStatus
from inventory.models import Allocation, CatalogueModel, Inspection, KeyMovement, Transfer, Vehicle
from inventory.vin import validate_vin
from shared.actors import Actor
from shared.business_time import aware, business_time
from shared.clock import utcnow
from shared.domain import DomainError, InvalidInput, NotFound


class DuplicateVin(DomainError):
    """A VIN is one car: it cannot arrive twice."""

    def __init__(self, vin: str) -> None:
        super().__init__(f"vehicle {vin} is already in inventory.", vin=vin)


def get_vehicle(session: Session, vin: str, for_update: bool = False) -> Vehicle:
    """A car by VIN (any case), or 404."""
    car = session.get(Vehicle, vin.strip().upper(), with_for_update=for_update)
    if car is None:
        raise NotFound(f"No vehicle {vin.strip().upper()} in inventory.")
    return car


def receive_vehicle(session: Session, data: dict[str, Any], actor: Actor) -> Vehicle:
    """A car arrives from the maker (新车入库); it waits for the arrival inspection."""
    vin = _checked_vin(data["vin"])
    now = utcnow()
    arrived_at = data.get("arrived_at") or now
    if arrived_at > now:
        raise InvalidInput("arrived_at", "must not be in the future")
    lock_stock(session)
    if session.get(Vehicle, vin) is not None:
        raise DuplicateVin(vin)
    catalogued = session.get(CatalogueModel, data["model"])
    model_class = domain.class_of_received_car(data.get("model_class"), catalogued and catalogued.model_class)
    car = Vehicle(vin=vin, model=data["model"], trim=data["trim"], color=data["color"], msrp=data["msrp"],
                  cost=data["cost"], kind=data["kind"], model_class=model_class,
                  status=VehicleStatus.PENDING_INSPECTION,
                  location=data["location"], arrived_at=arrived_at, received_by=actor.sub, inspection_notes="")
    session.add(car)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        raise DuplicateVin(vin) from None
    events.publish(session, "inventory.vehicle.received", vin, events.vehicle_received(car))
    session.commit()
    return car


def classify_model(session: Session, model: str, model_class: str, actor: Actor) -> tuple[CatalogueModel, int]:
    """Put a model in its class (车型大类) in the catalogue; its cars received without a class take it.

    Answers the entry and how many cars it classed. Cars whose receiving body named a class keep it, and
    the cars classed here get no event each: ``inventory.model.classified`` says it for all of them.
    Setting the class a model already has changes nothing and publishes nothing.
    """
    name = model.strip()
    if not name or len(name) > 100:
        raise InvalidInput("model", "must be 1 to 100 characters")
    lock_stock(session)
    entry = session.get(CatalogueModel, name, with_for_update=True)
    if entry is not None and entry.model_class == model_class:
        session.commit()
        return entry, 0
    if entry is None:
        entry = CatalogueModel(model=name, model_class=model_class, set_by=actor.sub, set_at=utcnow())
        session.add(entry)
    entry.model_class, entry.set_by, entry.set_at = model_class, actor.sub, utcnow()
    filled = session.execute(update(Vehicle).where(Vehicle.model == name, Vehicle.model_class.is_(None))
                             .values(model_class=model_class, version=Vehicle.version + 1)
                             .execution_options(synchronize_session=False)).rowcount
    session.flush()
    events.publish(session, "inventory.model.classified", name, events.model_classified(entry))
    session.commit()
    return entry, filled


def _checked_vin(raw: str) -> str:
    """The VIN normalised, or a 422 that names the VIN given and what is wrong with it."""
    try:
        return validate_vin(raw)
    except InvalidInput as exc:
        raise InvalidInput("vin", f"{raw.strip()!r} is not a valid VIN: {exc.extra['errors']['vin'][0]}") from None


def inspect_vehicle(session: Session, vin: str, passed: bool, notes: str, actor: Actor,
                    occurred_at: datetime | None = None) -> Vehicle:
    """Record the arrival inspection (接车检验); a car that passes goes to the longest-waiting order."""
    lock_stock(session)
    car = get_vehicle(session, vin, for_update=True)
    at = business_time(occurred_at, car.inspected_at or car.arrived_at, "the car's arrival or last inspection")
    status = domain.inspect(car, passed, notes)
    inspection = Inspection(vin=car.vin, passed=passed, notes=notes.strip(), by=actor.sub, at=at)
    car.inspection_notes, car.inspected_at = inspection.notes, inspection.at
    session.add(inspection)
    session.flush()
    events.publish(session, "inventory.vehicle.inspected", car.vin, events.vehicle_inspected(inspection, status))
    serve_oldest_waiting_order(session, car)
    session.commit()
    return car


def transfer_vehicle(session: Session, vin: str, data: dict[str, Any], actor: Actor) -> Transfer:
    """Move a car to another store (调拨); its stock age keeps counting from arrival at the group."""
    lock_stock(session)
    car = get_vehicle(session, vin, for_update=True)
    origin = car.location
    domain.transfer(car, data["to_location"])
    transfer = Transfer(vin=car.vin, from_location=origin, to_location=car.location, note=data["note"],
                        by=actor.sub, at=utcnow())
    session.add(transfer)
    session.flush()
    events.publish(session, "inventory.vehicle.transferred", car.vin, events.vehicle_transferred(transfer, car))
    session.commit()
    return transfer


def move_keys(session: Session, vin: str, data: dict[str, Any], actor: Actor) -> KeyMovement:
    """Issue a car's keys to someone or take them back (钥匙管理): one holder at a time."""
    lock_stock(session)
    car = get_vehicle(session, vin, for_update=True)
    holder = data["holder"].strip()
    if data["action"] == "issue":
        domain.check_keys_in_custody(car)
        car.key_holder = domain.issue_key(car.key_holder, holder)
    else:
        domain.return_key(car.key_holder, holder)
        car.key_holder = None
    movement = KeyMovement(vin=car.vin, action=data["action"], holder=holder, purpose=data["purpose"],
                           by=actor.sub, at=utcnow())
    session.add(movement)
    session.flush()
    key = "inventory.key.issued" if data["action"] == "issue" else "inventory.key.returned"
    events.publish(session, key, car.vin, events.key_moved(movement))
    session.commit()
    return movement


def reserve_oldest_matching_vehicle(session: Session, order_id: str, *, model: str, trim: str, color: str,
                                    requested_vin: str | None, placed_at: datetime | None) -> Allocation | None:
    """An order was placed: reserve the oldest matching stock car (配车), or put it on the waiting list (等车).

    Both answers of this saga step go out from here: ``reserved`` with the car, or ``failed`` with why.
    An order already answered, or cancelled before it arrived, is left as it is (None).
    """
    lock_stock(session)
    if session.get(Allocation, order_id) is not None:
        return None
    claim = Allocation(order_id=order_id, model=model, trim=trim, color=color, requested_vin=requested_vin,
                       placed_at=placed_at or utcnow(), status=AllocationStatus.WAITING, updated_at=utcnow())
    session.add(claim)
    session.flush()
    car = allocation.oldest_matching_vehicle(session, claim)
    if car is None:
        reason = allocation.why_none_fits(session, claim)
        events.publish(session, "inventory.reservation.failed", order_id,
                       events.reservation_failed(claim, reason, utcnow()))
        return claim
    allocation.hold(session, car, claim)
    events.publish(session, "inventory.vehicle.reserved", car.vin, events.vehicle_reserved(car, order_id))
    return claim


def void_order_claim(session: Session, order_id: str, cancelled_at: datetime | None) -> None:
    """An order was cancelled: release its car (as of the cancellation), or take it off the waiting list.

    A cancellation that overtook its order is remembered, so the late order is never served.
    """
    lock_stock(session)
    now = utcnow()
    claim = session.get(Allocation, order_id)
    if claim is None:
        session.add(Allocation(order_id=order_id, placed_at=now, status=AllocationStatus.CANCELLED, updated_at=now))
        return
    if claim.status == AllocationStatus.RESERVED:
        allocation.release_for_order(session, claim, min(cancelled_at or now, now))
    if claim.status in (AllocationStatus.RESERVED, AllocationStatus.WAITING):
        claim.status, claim.updated_at = AllocationStatus.CANCELLED, now


def take_out_of_stock(session: Session, order_id: str, vin: str, delivered_at: datetime | None) -> Vehicle:
    """An order was delivered: its car leaves stock (出库) and its keys go with it to the customer."""
    lock_stock(session)
    now = utcnow()
    claim = session.get(Allocation, order_id)
    vin = vin or (claim.vin if claim else "") or ""
    car = session.get(Vehicle, vin, with_for_update=True) if vin else None
    if car is None:
        raise DomainError(f"order {order_id} was delivered with car {vin or '(none)'}, which inventory does not hold")
    if car.status == VehicleStatus.DELIVERED and car.reserved_for_order_id == order_id:
        return car  # told twice
    domain.deliver(car, order_id)
    reserved_at = aware(car.reserved_at) if car.reserved_at is not None else None
    car.delivered_at = domain.delivery_time(delivered_at, reserved_at, now)
    _hand_keys_to_customer(session, car, order_id)
    if claim is not None:
        claim.status, claim.updated_at = AllocationStatus.DELIVERED, now
    session.flush()
    events.publish(session, "inventory.vehicle.delivered", car.vin,
                   events.vehicle_left_order(car, order_id, car.delivered_at))
    return car


def _hand_keys_to_customer(session: Session, car: Vehicle, order_id: str) -> None:
    """Whoever held the keys hands them over with the car; the store no longer holds them."""
    if car.key_holder is None:
        return
    session.add(KeyMovement(vin=car.vin, action="handover", holder="customer", purpose=f"order {order_id}",
                            by=car.key_holder, at=car.delivered_at))
    car.key_holder = None

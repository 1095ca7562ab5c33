"""Use cases of the inventory service: one transaction each, events written to the outbox in it."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from inventory import domain, events
from inventory.allocation import lock_stock, serve_oldest_waiting_order
from inventory.domain import VehicleStatus
from inventory.models import Inspection, KeyMovement, Transfer, Vehicle
from inventory.vin import validate_vin
from shared.business_time import business_time
from shared.domain import DomainError, InvalidInput, NotFound
from shared.outbox import utcnow
from shared.web.auth import Actor


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
    car = Vehicle(vin=vin, model=data["model"], trim=data["trim"], color=data["color"], msrp=data["msrp"],
                  cost=data["cost"], kind=data["kind"], status=VehicleStatus.PENDING_INSPECTION,
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
    events.publish(session, "inventory.vehicle.transferred", car.vin, events.vehicle_transferred(transfer))
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

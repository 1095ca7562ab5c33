"""Use cases of customer files (客户档案): opened on delivery or for a car bought elsewhere, kept by service records.

One phone, one file (一人一档): a delivery, or a walk-in owner filed at the desk, whose phone already has a file
adds the car to that file. The consumers' use cases run inside the consumer's transaction (they never commit);
the HTTP use cases commit their own. Each writes its events to the outbox in that same transaction.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from after_sales import domain, events
from after_sales.domain import AfterSalesPolicy
from after_sales.grades.services import regrade
from after_sales.maintenance.schedule import schedule_next_service
from after_sales.models import Customer, PlateAwaiting, ReturnVisit, ServiceRecord, Vehicle, new_id
from shared.actors import Actor
from shared.business_time import business_time
from shared.clock import utcnow
from shared.domain import DomainError, InvalidInput, NotFound

log = logging.getLogger("after_sales.files")


@dataclass(frozen=True)
class Delivery:
    """What after-sales needs from a delivered order (交车) to open or extend a file."""

    order_id: str
    consultant_id: str
    name: str
    phone: str
    id_number: str | None
    vin: str
    model: str
    trim: str
    color: str
    price: Decimal
    delivered_at: datetime


def get_customer(session: Session, customer_id: str) -> Customer:
    """A customer file by id, or 404."""
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise NotFound(f"No customer file {customer_id}.")
    return customer


def vehicle_on_file(session: Session, vin: str, lock: bool = False) -> Vehicle:
    """A car on some customer's file; an unknown VIN is a bad reference (422 naming the field)."""
    vehicle = session.get(Vehicle, vin.strip().upper(), with_for_update=lock)
    if vehicle is None:
        raise InvalidInput("vin", "no customer file holds this car")
    return vehicle


def open_file_on_delivery(session: Session, delivery: Delivery, policy: AfterSalesPolicy, zone: tzinfo) -> None:
    """Open the customer's file, or add the car to the file their phone already has."""
    if _delivery_on_file(session, delivery):
        return  # this delivery is on file already: a repeat changes nothing
    customer, is_new = _file_for(session, delivery)
    delivered_on = domain.local_date(delivery.delivered_at, zone, "delivered_at")
    vehicle = _delivered_car(delivery, delivered_on)
    customer.vehicles.append(vehicle)
    _apply_awaiting_plate(session, vehicle)
    schedule_next_service(session, vehicle, policy)
    regrade(session, customer, policy, domain.local_date(utcnow(), zone), announce=not is_new)
    if is_new:
        events.publish(session, events.CUSTOMER_CREATED, customer.id, events.customer_created(customer, vehicle))
    else:
        events.publish(session, events.VEHICLE_ADDED, vehicle.vin, events.vehicle_added(customer, vehicle))
    _schedule_return_visit(session, vehicle, "delivery", delivery.order_id, delivered_on, policy)


def _delivery_on_file(session: Session, delivery: Delivery) -> bool:
    """Whether this car or this order is on some file already (a car sold twice is logged, not filed)."""
    on_file = session.get(Vehicle, delivery.vin)
    if on_file is None and not session.scalar(select(Vehicle.vin).where(Vehicle.order_id == delivery.order_id)):
        return False
    if on_file is not None and on_file.order_id != delivery.order_id:
        log.warning("car %s is already on file for order %s; delivery of order %s ignored",
                    delivery.vin, on_file.order_id, delivery.order_id)
    return True


def _file_for(session: Session, delivery: Delivery) -> tuple[Customer, bool]:
    """The file the buyer's phone already has (filling in a missing ID number), or a new one; and if it is new."""
    customer = session.scalar(select(Customer).where(Customer.phone == delivery.phone))
    if customer is None:
        customer = Customer(id=new_id(), name=delivery.name, phone=delivery.phone, id_number=delivery.id_number,
                            grade="other", total_spent=Decimal(0), created_at=utcnow())
        session.add(customer)
        return customer, True
    if not customer.id_number and delivery.id_number:
        customer.id_number = delivery.id_number
    return customer, False


def _delivered_car(delivery: Delivery, delivered_on: date) -> Vehicle:
    """The delivered car as it goes on file, new (0 km); its first service (首保) is scheduled next."""
    return Vehicle(vin=delivery.vin, order_id=delivery.order_id, model=delivery.model, trim=delivery.trim,
                   color=delivery.color, price=delivery.price, consultant_id=delivery.consultant_id or None,
                   source="sale", delivered_at=delivery.delivered_at, delivered_on=delivered_on,
                   first_reading_km=0, next_due_on=delivered_on, next_due_km=0)


def _apply_awaiting_plate(session: Session, vehicle: Vehicle) -> None:
    """A plate registered before the delivery reached after-sales goes on the car now."""
    awaiting = session.get(PlateAwaiting, vehicle.vin)
    if awaiting is not None and not session.scalar(select(Vehicle.vin).where(Vehicle.plate == awaiting.plate)):
        vehicle.plate = awaiting.plate
        session.delete(awaiting)


def _schedule_return_visit(session: Session, vehicle: Vehicle, kind: domain.VisitKind, source_id: str,
                           after: date, policy: AfterSalesPolicy) -> ReturnVisit:
    """Book the call (回访) a few days after a delivery or a service."""
    visit = ReturnVisit(id=new_id(), customer_id=vehicle.customer_id, vin=vehicle.vin, kind=kind, source_id=source_id,
                        due_on=domain.return_visit_date(after, kind, policy), status=domain.VISIT_SCHEDULED,
                        scheduled_at=utcnow())
    session.add(visit)
    session.flush()
    events.publish(session, events.RETURN_VISIT_SCHEDULED, visit.id, events.return_visit_scheduled(visit))
    return visit


def register_plate(session: Session, customer_id: str, vin: str, raw_plate: str) -> Vehicle:
    """Record the plate (上牌) once the car is registered; a plate belongs to one car."""
    customer = get_customer(session, customer_id)
    vehicle = next((v for v in customer.vehicles if v.vin == vin.strip().upper()), None)
    if vehicle is None:
        raise NotFound(f"No car {vin} on customer file {customer_id}.")
    plate = domain.normalise_plate(raw_plate)
    holder = session.scalar(select(Vehicle.vin).where(Vehicle.plate == plate))
    if holder not in (None, vehicle.vin):
        raise DomainError(f"Plate {plate} is already on file for another car.")
    vehicle.plate = plate
    events.publish(session, events.PLATE_SET, vehicle.vin, events.plate_set(vehicle))
    try:
        session.commit()
    except IntegrityError:  # another request took the plate between the check and the commit
        session.rollback()
        raise DomainError(f"Plate {plate} is already on file for another car.") from None
    return vehicle


def record_service(session: Session, data: dict[str, Any], actor: Actor, policy: AfterSalesPolicy,
                   today: date) -> ServiceRecord:
    """Record a service (保养/维修); it sets the next due date and books a return visit."""
    vehicle = vehicle_on_file(session, data["vin"], lock=True)
    service_date = data.get("service_date") or today
    domain.check_service_record(service_date, data["mileage_km"], vehicle.delivered_on, today,
                                vehicle.last_service_on, vehicle.last_mileage_km)
    record = ServiceRecord(id=new_id(), vin=vehicle.vin, customer_id=vehicle.customer_id, service_date=service_date,
                           mileage_km=data["mileage_km"], items=list(data["items"]), cost=data["cost"],
                           next_due_on=service_date, next_due_km=data["mileage_km"], recorded_by=actor.sub,
                           recorded_at=utcnow())
    session.add(record)
    vehicle.last_service_on, vehicle.last_mileage_km = service_date, data["mileage_km"]
    schedule_next_service(session, vehicle, policy, service_done=True)
    record.next_due_on, record.next_due_km = vehicle.next_due_on, vehicle.next_due_km
    grade = regrade(session, vehicle.customer, policy, today)
    events.publish(session, events.SERVICE_RECORDED, record.id, events.service_recorded(record, vehicle, grade))
    _schedule_return_visit(session, vehicle, "service", record.id, service_date, policy)
    session.commit()
    return record


def open_walk_in_file(session: Session, data: dict[str, Any], policy: AfterSalesPolicy, today: date,
                      zone: tzinfo) -> tuple[Customer, bool]:
    """File a car bought elsewhere (外购车): a new file, or the car added to the file the phone already has.

    Returns the file and whether it is new. The file's name and address stay as first filed (an empty address
    is filled in); a car already on a file, or a plate another car holds, is a conflict (409).
    """
    car = data["vehicle"]
    vin = domain.normalise_vin(car["vin"], "vehicle.vin")
    if session.get(Vehicle, vin) is not None:
        raise DomainError(f"Car {vin} is already on a customer file.", errors={"vehicle.vin": ["already on file"]})
    plate = _free_plate(session, car.get("plate"))
    filed_at = business_time(data.get("occurred_at"))
    filed_on = domain.local_date(filed_at, zone, "occurred_at")
    customer = session.scalar(select(Customer).where(Customer.phone == data["phone"]))
    is_new = customer is None
    if customer is None:
        customer = Customer(id=new_id(), name=data["name"].strip(), phone=data["phone"], source="walk_in",
                            grade="other", total_spent=Decimal(0), spend_12m=Decimal(0), created_at=filed_at)
        session.add(customer)
    customer.address = customer.address or (data.get("address") or "").strip() or None
    vehicle = Vehicle(vin=vin, model=car["model"].strip(), trim=car.get("trim") or "", color=car.get("color") or "",
                      plate=plate, source="walk_in", delivered_on=filed_on, first_reading_km=car.get("mileage_km"),
                      next_due_on=filed_on, next_due_km=0)
    customer.vehicles.append(vehicle)
    schedule_next_service(session, vehicle, policy)
    regrade(session, customer, policy, today, announce=not is_new)
    key, payload = ((events.CUSTOMER_CREATED, events.customer_created(customer, vehicle)) if is_new
                    else (events.VEHICLE_ADDED, events.vehicle_added(customer, vehicle)))
    events.publish(session, key, customer.id if is_new else vin, payload)
    try:
        session.commit()
    except IntegrityError:  # the same phone, car or plate filed by another desk at this very moment
        session.rollback()
        raise DomainError("This phone, car or plate was filed at the same moment; look it up and try again.",
                          errors={"phone": ["filed at the same moment by another request"]}) from None
    log.info("walk-in car %s filed on customer file %s (new file: %s)", vin, customer.id, is_new)
    return customer, is_new


def _free_plate(session: Session, raw: str | None) -> str | None:
    """A plate given at filing, checked, that no other car on file holds."""
    if not raw:
        return None
    try:
        plate = domain.normalise_plate(raw)
    except InvalidInput as bad:
        raise InvalidInput("vehicle.plate", bad.detail.removeprefix("plate: ")) from None
    if session.scalar(select(Vehicle.vin).where(Vehicle.plate == plate)):
        raise DomainError(f"Plate {plate} is already on file for another car.",
                          errors={"vehicle.plate": ["already on file for another car"]})
    return plate


@dataclass(frozen=True)
class Registration:
    """What after-sales needs from a registered car (上牌, ``orders.vehicle.registered``)."""

    order_id: str
    vin: str
    plate: str
    registered_on: date | None


def record_registration(session: Session, registration: Registration) -> None:
    """Put the plate on the car's file; a plate registered before the delivery waits for the file to open."""
    plate = domain.normalise_plate(registration.plate)
    vehicle = session.get(Vehicle, registration.vin)
    if vehicle is None:
        awaiting = session.get(PlateAwaiting, registration.vin) or PlateAwaiting(vin=registration.vin)
        awaiting.plate, awaiting.order_id = plate, registration.order_id
        awaiting.registered_on = registration.registered_on
        session.add(awaiting)
        return
    if vehicle.plate == plate:
        return  # already on file: a repeat changes nothing
    holder = session.scalar(select(Vehicle.vin).where(Vehicle.plate == plate))
    if holder is not None:
        raise DomainError(f"Plate {plate} of order {registration.order_id} is on file for car {holder}.")
    vehicle.plate = plate
    events.publish(session, events.PLATE_SET, vehicle.vin, events.plate_set(vehicle))

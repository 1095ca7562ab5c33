"""Use cases of customer files (客户档案): opened on delivery, graded by spend, kept by service records (保养).

The delivery use case runs inside the consumer's transaction (it never commits);
the HTTP use cases commit their own. Each writes its events to the outbox in
that same transaction.
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
from after_sales.models import Customer, ReturnVisit, ServiceRecord, Vehicle, new_id
from shared.actors import Actor
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


def regrade(session: Session, customer: Customer, policy: AfterSalesPolicy) -> str:
    """Recompute what the customer has spent (cars plus services) and the grade it earns."""
    session.flush()
    costs = session.scalars(select(ServiceRecord.cost).where(ServiceRecord.customer_id == customer.id)).all()
    customer.total_spent = domain.customer_spend([v.price for v in customer.vehicles], costs)
    customer.grade = domain.customer_grade(customer.total_spent, policy)
    return customer.grade


def open_file_on_delivery(session: Session, delivery: Delivery, policy: AfterSalesPolicy, zone: tzinfo) -> None:
    """Open the customer's file, or add the car to the file their phone already has."""
    if _delivery_on_file(session, delivery):
        return  # this delivery is on file already: a repeat changes nothing
    customer, is_new = _file_for(session, delivery)
    delivered_on = domain.local_date(delivery.delivered_at, zone, "delivered_at")
    vehicle = _delivered_car(delivery, delivered_on, domain.first_service_due(delivered_on, policy))
    customer.vehicles.append(vehicle)
    regrade(session, customer, policy)
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


def _delivered_car(delivery: Delivery, delivered_on: date, due: domain.Due) -> Vehicle:
    """The delivered car as it goes on file, its first service (首保) already due."""
    return Vehicle(vin=delivery.vin, order_id=delivery.order_id, model=delivery.model, trim=delivery.trim,
                   color=delivery.color, price=delivery.price, consultant_id=delivery.consultant_id,
                   delivered_at=delivery.delivered_at, delivered_on=delivered_on, next_due_on=due.due_on,
                   next_due_km=due.due_km)


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
    due = domain.next_service_due(service_date, data["mileage_km"], policy)
    record = ServiceRecord(id=new_id(), vin=vehicle.vin, customer_id=vehicle.customer_id, service_date=service_date,
                           mileage_km=data["mileage_km"], items=list(data["items"]), cost=data["cost"],
                           next_due_on=due.due_on, next_due_km=due.due_km, recorded_by=actor.sub,
                           recorded_at=utcnow())
    session.add(record)
    vehicle.next_due_on, vehicle.next_due_km = due.due_on, due.due_km
    vehicle.last_service_on, vehicle.last_mileage_km = service_date, data["mileage_km"]
    grade = regrade(session, vehicle.customer, policy)
    events.publish(session, events.SERVICE_RECORDED, record.id, events.service_recorded(record, vehicle, grade))
    _schedule_return_visit(session, vehicle, "service", record.id, service_date, policy)
    session.commit()
    return record

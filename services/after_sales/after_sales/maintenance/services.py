"""Use cases of maintenance plans, reminder calls (保养提醒) and service appointments (预约), one transaction each.

A booked call makes an appointment in the same transaction. A cancelled or missed appointment that came from a
reminder puts the reminder back on the desk's list (open), so the customer is called again. The worker marks
appointments still booked after their local day (``DEALER_TZ``) missed (爽约): a conditional update claims each
row, so two workers, or a second run, never mark one twice. An arrival keyed in late, at a time within the
appointment's day, corrects a missed mark (the paper says the car came).
"""
from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from after_sales import events
from after_sales.customers.services import get_customer
from after_sales.domain import AfterSalesPolicy
from after_sales.maintenance import domain
from after_sales.maintenance.models import Reminder, ReminderCall, ServiceAppointment
from after_sales.maintenance.schedule import schedule_next_service
from after_sales.models import Vehicle, new_id
from shared.actors import Actor
from shared.business_time import business_time
from shared.domain import DomainError, InvalidInput, NotFound
from shared.privacy import mask_text

MISSED_BATCH = 500


def set_plan(session: Session, vin: str, data: dict[str, Any], policy: AfterSalesPolicy) -> Vehicle:
    """Give a car its own maintenance plan (保养计划); the next due and its reminder follow at once."""
    vehicle = session.get(Vehicle, vin.strip().upper(), with_for_update=True)
    if vehicle is None:
        raise NotFound(f"No car {vin} on any customer file.")
    plan = domain.check_plan(data["interval_months"], data["interval_km"])
    vehicle.plan_months, vehicle.plan_km = plan.months, plan.km
    schedule_next_service(session, vehicle, policy)
    events.publish(session, events.PLAN_SET, vehicle.vin, events.plan_set(vehicle))
    session.commit()
    return vehicle


def get_reminder(session: Session, reminder_id: str, lock: bool = False) -> Reminder:
    """A reminder by id, or 404."""
    reminder = session.get(Reminder, reminder_id, with_for_update=lock)
    if reminder is None:
        raise NotFound(f"No reminder {reminder_id}.")
    return reminder


def call_on_reminder(session: Session, reminder_id: str, data: dict[str, Any], actor: Actor) -> ReminderCall:
    """Record a reminder call and its outcome; a booked call makes the service appointment."""
    reminder = get_reminder(session, reminder_id, lock=True)
    domain.check_reminder_open(reminder.status)
    called_at = business_time(data.get("occurred_at"), reminder.vehicle.delivered_at, "the car's delivery")
    domain.check_call(data["outcome"], data.get("scheduled_at"), called_at)
    reminder.status, reminder.last_outcome = domain.reminder_status(data["outcome"]), data["outcome"]
    reminder.attempts += 1
    appointment = None
    if data["outcome"] == "booked":
        appointment = _book(session, reminder.customer_id, reminder.vin, data["scheduled_at"], data["kind"],
                            reminder.id, actor, called_at)
    call = ReminderCall(id=new_id(), reminder_id=reminder.id, outcome=data["outcome"],
                        note=mask_text(data.get("note", "").strip()), called_at=called_at, called_by=actor.sub,
                        appointment_id=appointment.id if appointment else None)
    session.add(call)
    events.publish(session, events.REMINDER_CALLED, reminder.id, events.reminder_called(
        reminder.id, reminder.customer_id, reminder.vin, call.outcome, called_at, actor.sub, call.appointment_id))
    session.commit()
    return call


def book_appointment(session: Session, data: dict[str, Any], actor: Actor) -> ServiceAppointment:
    """Book a service appointment for a car on the customer's file."""
    try:
        customer = get_customer(session, data["customer_id"])
    except NotFound:
        raise InvalidInput("customer_id", "no such customer file") from None
    vin = data["vin"].strip().upper()
    if vin not in {v.vin for v in customer.vehicles}:
        raise InvalidInput("vin", "this car is not on the customer's file")
    booked_at = business_time(data.get("occurred_at"))
    domain.check_appointment_time(data["scheduled_at"], booked_at)
    appointment = _book(session, customer.id, vin, data["scheduled_at"], data["kind"], None, actor, booked_at)
    session.commit()
    return appointment


def _book(session: Session, customer_id: str, vin: str, scheduled_at: datetime, kind: str,
          reminder_id: str | None, actor: Actor, booked_at: datetime) -> ServiceAppointment:
    appointment = ServiceAppointment(id=new_id(), customer_id=customer_id, vin=vin, scheduled_at=scheduled_at,
                                     kind=kind, status=domain.BOOKED, reminder_id=reminder_id, booked_by=actor.sub,
                                     booked_at=booked_at)
    session.add(appointment)
    session.flush()
    events.publish(session, events.APPOINTMENT_BOOKED, appointment.id, events.appointment_booked(
        appointment.id, customer_id, vin, scheduled_at, kind, reminder_id, actor.sub))
    return appointment


def get_appointment(session: Session, appointment_id: str, lock: bool = False) -> ServiceAppointment:
    """An appointment by id, or 404."""
    appointment = session.get(ServiceAppointment, appointment_id, with_for_update=lock)
    if appointment is None:
        raise NotFound(f"No service appointment {appointment_id}.")
    return appointment


def arrive(session: Session, appointment_id: str, occurred_at: datetime | None, zone: tzinfo) -> ServiceAppointment:
    """The car came in (到店): the appointment is kept, if its local day has not ended before the arrival."""
    appointment = get_appointment(session, appointment_id, lock=True)
    arrived = business_time(occurred_at, appointment.booked_at, "the booking")
    if arrived.astimezone(zone).date() > appointment.scheduled_at.astimezone(zone).date():
        raise DomainError("The appointment's day had ended before this arrival: book a new appointment.")
    if appointment.status == domain.MISSED:  # a late-keyed arrival within its day corrects the mark
        _rebook_reminder(session, appointment)
    else:
        domain.close_appointment(appointment.status, domain.KEPT)
    appointment.status, appointment.closed_at = domain.KEPT, arrived
    events.publish(session, events.APPOINTMENT_KEPT, appointment.id,
                   events.appointment_closed(appointment.id, arrived, appointment.scheduled_at))
    session.commit()
    return appointment


def cancel(session: Session, appointment_id: str, data: dict[str, Any]) -> ServiceAppointment:
    """Cancel a booked appointment; one made on a reminder call puts the reminder back on the list."""
    appointment = get_appointment(session, appointment_id, lock=True)
    at = business_time(data.get("occurred_at"), appointment.booked_at, "the booking")
    appointment.status = domain.close_appointment(appointment.status, domain.CANCELLED)
    appointment.closed_at, appointment.cancel_reason = at, mask_text(data.get("reason", "").strip()) or None
    _reopen_reminder(session, appointment)
    events.publish(session, events.APPOINTMENT_CANCELLED, appointment.id,
                   events.appointment_closed(appointment.id, at, appointment.scheduled_at))
    session.commit()
    return appointment


def _reopen_reminder(session: Session, appointment: ServiceAppointment) -> None:
    """The customer did not come as booked: their reminder goes back to the desk."""
    reminder = session.get(Reminder, appointment.reminder_id) if appointment.reminder_id else None
    if reminder is not None and reminder.status == "booked":
        reminder.status = domain.REMINDER_OPEN


def _rebook_reminder(session: Session, appointment: ServiceAppointment) -> None:
    """A missed mark corrected: the reminder reopened by it is booked again."""
    reminder = session.get(Reminder, appointment.reminder_id) if appointment.reminder_id else None
    if reminder is not None and reminder.status == domain.REMINDER_OPEN:
        reminder.status = "booked"


def mark_missed_appointments(session: Session, now: datetime, zone: tzinfo, batch: int = MISSED_BATCH) -> int:
    """Mark every appointment still booked after its local day missed (爽约); returns how many."""
    cutoff, marked = domain.missed_cutoff(now, zone), 0
    while True:
        due = session.scalars(select(ServiceAppointment).where(
            ServiceAppointment.status == domain.BOOKED, ServiceAppointment.scheduled_at < cutoff)
            .order_by(ServiceAppointment.scheduled_at, ServiceAppointment.id).limit(batch)).all()
        marked += sum(1 for appointment in due if _mark_missed(session, appointment, now))
        session.commit()
        if len(due) < batch:
            return marked


def _mark_missed(session: Session, appointment: ServiceAppointment, now: datetime) -> bool:
    """Mark one appointment missed and announce it, unless it was kept, cancelled or marked meanwhile."""
    claimed = session.execute(
        update(ServiceAppointment).where(ServiceAppointment.id == appointment.id,
                                         ServiceAppointment.status == domain.BOOKED)
        .values(status=domain.MISSED, closed_at=now).execution_options(synchronize_session=False))
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        return False
    set_committed_value(appointment, "status", domain.MISSED)
    set_committed_value(appointment, "closed_at", now)
    _reopen_reminder(session, appointment)
    events.publish(session, events.APPOINTMENT_MISSED, appointment.id,
                   events.appointment_closed(appointment.id, now, appointment.scheduled_at))
    return True

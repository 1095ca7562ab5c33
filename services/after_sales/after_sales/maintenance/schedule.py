"""When a car's next service falls due, and the reminder (保养提醒) the desk calls on for it.

Called by every use case that changes what a car is due for: a delivery or a walk-in filing (the first due),
a service record (the next one), a plan set on the car. It keeps the car's ``next_due_on``/``next_due_km`` and
its one open reminder in step, in the caller's transaction.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from after_sales.domain import AfterSalesPolicy
from after_sales.maintenance import domain
from after_sales.maintenance.domain import Reading
from after_sales.maintenance.models import Reminder
from after_sales.models import ServiceRecord, Vehicle, new_id
from shared.clock import utcnow


def readings(session: Session, vehicle: Vehicle) -> list[Reading]:
    """The car's mileage readings, oldest first: as filed (0 km for a new car sold here), then each service."""
    session.flush()
    services = session.execute(select(ServiceRecord.service_date, ServiceRecord.mileage_km)
                               .where(ServiceRecord.vin == vehicle.vin)
                               .order_by(ServiceRecord.service_date, ServiceRecord.recorded_at)).all()
    first = [] if vehicle.first_reading_km is None else [Reading(vehicle.delivered_on, vehicle.first_reading_km)]
    return first + [Reading(on, km) for on, km in services]


def schedule_next_service(session: Session, vehicle: Vehicle, policy: AfterSalesPolicy,
                          service_done: bool = False) -> Reminder | None:
    """Set the car's next due date and km from its plan and readings, and its open reminder to match.

    ``service_done``: a service was just recorded, so the open (or booked) reminder is done and a new one
    opens. Otherwise (a plan changed) the open reminder moves to the new due; a car with none (declined this
    time) gets none.
    """
    found = readings(session, vehicle)
    services_done = len(found) - (0 if vehicle.first_reading_km is None else 1)
    last = found[-1] if found else Reading(vehicle.delivered_on, 0)
    before = found[-2] if len(found) > 1 else None
    first_service = services_done == 0 and vehicle.source == "sale"
    due = domain.due_after(last, domain.plan_of(vehicle.plan_months, vehicle.plan_km, policy, first_service))
    vehicle.next_due_on, vehicle.next_due_km = due.due_on, due.due_km
    remind = domain.remind_on(due, last, domain.daily_km(before, last))
    reminder = session.scalar(select(Reminder).where(Reminder.vin == vehicle.vin,
                                                     Reminder.status == domain.REMINDER_OPEN))
    if service_done:  # the service the reminder (open, or booked on a call) was about is done
        for pending in session.scalars(select(Reminder).where(
                Reminder.vin == vehicle.vin, Reminder.status.in_((domain.REMINDER_OPEN, "booked")))):
            pending.status, pending.closed_at = domain.REMINDER_DONE, utcnow()
        reminder = None
    if reminder is None and (service_done or not _has_reminder(session, vehicle)):
        reminder = Reminder(id=new_id(), vin=vehicle.vin, customer_id=vehicle.customer_id,
                            status=domain.REMINDER_OPEN, attempts=0, created_at=utcnow())
        session.add(reminder)
    if reminder is not None:
        reminder.due_on, reminder.due_km, reminder.remind_on = due.due_on, due.due_km, remind
    return reminder


def _has_reminder(session: Session, vehicle: Vehicle) -> bool:
    """Whether the car ever had a reminder (a new car on file has none yet)."""
    return session.scalar(select(Reminder.id).where(Reminder.vin == vehicle.vin).limit(1)) is not None

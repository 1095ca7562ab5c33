"""The reminder desk's lists: reminders due (保养提醒) and the day's service appointments (预约)."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

from sqlalchemy import Select, and_, or_, select

from after_sales.maintenance.models import Reminder, ServiceAppointment
from after_sales.models import Vehicle


def reminders(args: dict[str, Any], due_from: date | None, due_to: date) -> Select[Any]:
    """Reminders in the window of their remind date, or whose car's mileage already reached the due km."""
    by_date = Reminder.remind_on <= due_to
    if due_from is not None:
        by_date = and_(by_date, Reminder.remind_on >= due_from)
    by_mileage = and_(Vehicle.last_mileage_km.is_not(None), Vehicle.last_mileage_km >= Reminder.due_km)
    query = (select(Reminder).join(Vehicle, Vehicle.vin == Reminder.vin)
             .where(Reminder.status == args["status"], or_(by_date, by_mileage))
             .order_by(Reminder.remind_on, Reminder.vin))
    if "vin" in args:
        query = query.where(Reminder.vin == args["vin"].strip().upper())
    if "customer_id" in args:
        query = query.where(Reminder.customer_id == args["customer_id"])
    return query


def appointments(args: dict[str, Any], zone: tzinfo) -> Select[Any]:
    """Appointments by the store's day (the earliest first), status, car or customer."""
    query = select(ServiceAppointment).order_by(ServiceAppointment.scheduled_at, ServiceAppointment.id)
    if "date" in args:
        start = datetime.combine(args["date"], time.min, tzinfo=zone)
        query = query.where(ServiceAppointment.scheduled_at >= start,
                            ServiceAppointment.scheduled_at < start + timedelta(days=1))
    for column in ("status", "customer_id"):
        if column in args:
            query = query.where(getattr(ServiceAppointment, column) == args[column])
    if "vin" in args:
        query = query.where(ServiceAppointment.vin == args["vin"].strip().upper())
    return query

"""HTTP routes of maintenance plans, the reminder desk (保养提醒) and service appointments (预约)."""
from __future__ import annotations

from typing import Any

from after_sales.customers.schemas import VehicleOut
from after_sales.customers.views import vehicle_view
from after_sales.maintenance import queries, services
from after_sales.maintenance.schemas import (
    AppointmentFilter,
    AppointmentIn,
    AppointmentOut,
    AppointmentPage,
    ArriveIn,
    CallIn,
    CallOut,
    CancelIn,
    PlanIn,
    ReminderFilter,
    ReminderPage,
)
from after_sales.maintenance.views import appointment_view, reminder_view
from after_sales.web import LIST_READERS, WRITERS, policy, store_today, window
from shared.business_time import store_zone
from shared.web.app import db
from shared.web.auth import current_actor, require
from shared.web.blueprint import Blueprint
from shared.web.pagination import page_of

blp = Blueprint("maintenance", __name__, url_prefix="/api/v1", description="Plans, reminder calls, appointments")
REMINDER_WINDOW_DAYS = 30


@blp.put("/vehicles/<vin>/maintenance-plan")
@blp.arguments(PlanIn)
@blp.response(200, VehicleOut)
@require(*WRITERS)
def set_plan(data: dict[str, Any], vin: str) -> dict[str, Any]:
    """Give the car its own plan (months and km, whichever first); its next due follows at once."""
    return vehicle_view(services.set_plan(db(), vin, data, policy()), policy())


@blp.get("/reminders")
@blp.arguments(ReminderFilter, location="query")
@blp.response(200, ReminderPage)
@require(*LIST_READERS)
def list_reminders(args: dict[str, Any]) -> dict[str, Any]:
    """Reminders due in the window (default: overdue or due within 30 days), the oldest first (保养提醒)."""
    due_from, due_to = window(args, REMINDER_WINDOW_DAYS)
    assert due_to is not None
    page = page_of(db(), queries.reminders(args, due_from, due_to), args["page"], args["page_size"])
    today = store_today()
    return {**page, "items": [reminder_view(r, current_actor(), today) for r in page["items"]]}


@blp.post("/reminders/<reminder_id>/calls")
@blp.arguments(CallIn)
@blp.response(201, CallOut)
@require(*WRITERS)
def call_on_reminder(data: dict[str, Any], reminder_id: str) -> Any:
    """Record a reminder call: booked (with ``scheduled_at``: makes the appointment), declined, no answer, wrong
    number."""
    return services.call_on_reminder(db(), reminder_id, data, current_actor())


@blp.post("/service-appointments")
@blp.arguments(AppointmentIn)
@blp.response(201, AppointmentOut)
@require(*WRITERS)
def book_appointment(data: dict[str, Any]) -> dict[str, Any]:
    """Book a service appointment (预约) for a car on the customer's file."""
    return appointment_view(services.book_appointment(db(), data, current_actor()), current_actor())


@blp.get("/service-appointments")
@blp.arguments(AppointmentFilter, location="query")
@blp.response(200, AppointmentPage)
@require(*LIST_READERS)
def list_appointments(args: dict[str, Any]) -> dict[str, Any]:
    """Appointments, the earliest first; ``date=`` gives one day's (the store's day)."""
    page = page_of(db(), queries.appointments(args, store_zone()), args["page"], args["page_size"])
    return {**page, "items": [appointment_view(a, current_actor()) for a in page["items"]]}


@blp.get("/service-appointments/<appointment_id>")
@blp.response(200, AppointmentOut)
@require(*LIST_READERS)
def get_appointment(appointment_id: str) -> dict[str, Any]:
    """One appointment."""
    return appointment_view(services.get_appointment(db(), appointment_id), current_actor())


@blp.post("/service-appointments/<appointment_id>/arrive")
@blp.arguments(ArriveIn)
@blp.response(200, AppointmentOut)
@require(*WRITERS)
def arrive(data: dict[str, Any], appointment_id: str) -> dict[str, Any]:
    """The car came in: the appointment is kept."""
    appointment = services.arrive(db(), appointment_id, data.get("occurred_at"), store_zone())
    return appointment_view(appointment, current_actor())


@blp.post("/service-appointments/<appointment_id>/cancel")
@blp.arguments(CancelIn)
@blp.response(200, AppointmentOut)
@require(*WRITERS)
def cancel(data: dict[str, Any], appointment_id: str) -> dict[str, Any]:
    """Cancel a booked appointment; a reminder it came from goes back on the list."""
    return appointment_view(services.cancel(db(), appointment_id, data), current_actor())

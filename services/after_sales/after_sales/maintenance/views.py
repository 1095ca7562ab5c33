"""What the reminder desk shows of a reminder or an appointment: phones masked per role, as on the file."""
from __future__ import annotations

from datetime import date
from typing import Any

from after_sales.customers.views import phone_for
from after_sales.maintenance.models import Reminder, ServiceAppointment
from after_sales.maintenance.schemas import AppointmentOut
from shared.actors import Actor


def reminder_view(reminder: Reminder, actor: Actor, today: date) -> dict[str, Any]:
    """One car to call about its service (保养提醒), and why it is due."""
    car = reminder.vehicle
    by_mileage = car.last_mileage_km is not None and car.last_mileage_km >= reminder.due_km
    return {"id": reminder.id, "status": reminder.status, "attempts": reminder.attempts,
            "last_outcome": reminder.last_outcome, "vin": car.vin, "customer_id": reminder.customer_id,
            "customer_name": reminder.customer.name, "phone": phone_for(actor, reminder.customer.phone),
            "model": car.model, "plate": car.plate, "delivered_on": car.delivered_on,
            "next_due_on": reminder.due_on, "next_due_km": reminder.due_km, "remind_on": reminder.remind_on,
            "last_service_on": car.last_service_on, "last_mileage_km": car.last_mileage_km,
            "due_by": "mileage" if by_mileage and reminder.remind_on > today
            else ("projected_mileage" if reminder.remind_on < reminder.due_on else "date"),
            "days_overdue": (today - reminder.remind_on).days}


def appointment_view(appointment: ServiceAppointment, actor: Actor) -> dict[str, Any]:
    """An appointment, with whom to expect."""
    view = {name: getattr(appointment, name) for name in AppointmentOut().fields
            if name not in ("customer_name", "phone")}
    return {**view, "customer_name": appointment.customer.name,
            "phone": phone_for(actor, appointment.customer.phone)}

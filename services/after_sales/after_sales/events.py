"""The events the after-sales service publishes: routing keys and payloads.

Payloads carry no full phone or ID number: only the masked phone, which is all
reporting and other subscribers need.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from after_sales.models import Claim, Complaint, Customer, ReturnVisit, ServiceRecord, Vehicle
from shared.envelope import make_event
from shared.outbox import record_event
from shared.privacy import mask_phone

SERVICE = "after_sales"

# Routing keys, one per event this service publishes (contracts/events describes each payload).
CUSTOMER_CREATED = "after_sales.customer.created"
VEHICLE_ADDED = "after_sales.vehicle.added"
SERVICE_RECORDED = "after_sales.service.recorded"
RETURN_VISIT_SCHEDULED = "after_sales.return_visit.scheduled"
RETURN_VISIT_COMPLETED = "after_sales.return_visit.completed"
COMPLAINT_OPENED = "after_sales.complaint.opened"
COMPLAINT_ESCALATED = "after_sales.complaint.escalated"
COMPLAINT_RESOLVED = "after_sales.complaint.resolved"
CLAIM_DECIDED = "after_sales.warranty_claim.decided"
PLATE_SET = "after_sales.vehicle.plate_set"
PLAN_SET = "after_sales.maintenance_plan.set"
REMINDER_CALLED = "after_sales.reminder.called"
APPOINTMENT_BOOKED = "after_sales.service_appointment.booked"
APPOINTMENT_KEPT = "after_sales.service_appointment.kept"
APPOINTMENT_CANCELLED = "after_sales.service_appointment.cancelled"
APPOINTMENT_MISSED = "after_sales.service_appointment.missed"
CONSENT_CHANGED = "after_sales.consent.changed"
NOTICE_SENT = "after_sales.notice.sent"
CUSTOMER_GRADED = "after_sales.customer.graded"


def publish(session: Session, routing_key: str, subject: str, data: dict[str, Any]) -> None:
    """Write one event to the outbox in the caller's transaction."""
    record_event(session, make_event(SERVICE, routing_key, subject, data))


def _iso(moment: datetime | date | None) -> str | None:
    """ISO 8601 text, or None: payloads carry times and days as text."""
    return moment.isoformat() if moment is not None else None


def _car_on_file(customer: Customer, vehicle: Vehicle) -> dict[str, Any]:
    """The fields every event about a car on a customer's file carries; a car bought elsewhere has no order,
    seller or delivery here, so those are left out (never null: readers of v1 expect text when present)."""
    sale = {"consultant_id": vehicle.consultant_id, "order_id": vehicle.order_id,
            "delivered_on": _iso(vehicle.delivered_on)} if vehicle.source == "sale" else {}
    return {"customer_id": customer.id, "vin": vehicle.vin, "model": vehicle.model, **sale,
            "grade": customer.grade, "source": vehicle.source, "plate": vehicle.plate,
            "next_due_on": _iso(vehicle.next_due_on), "next_due_km": vehicle.next_due_km,
            "plan": _plan(vehicle)}


def _plan(vehicle: Vehicle) -> dict[str, int] | None:
    """The car's own maintenance plan, if one is set."""
    if vehicle.plan_months is None or vehicle.plan_km is None:
        return None
    return {"interval_months": vehicle.plan_months, "interval_km": vehicle.plan_km}


def customer_created(customer: Customer, vehicle: Vehicle) -> dict[str, Any]:
    """A new file with its first car; the phone only masked."""
    return {**_car_on_file(customer, vehicle), "phone_masked": mask_phone(customer.phone)}


def vehicle_added(customer: Customer, vehicle: Vehicle) -> dict[str, Any]:
    """Another car on a file that already existed."""
    return _car_on_file(customer, vehicle)


def service_recorded(record: ServiceRecord, vehicle: Vehicle, grade: str) -> dict[str, Any]:
    """A service, the next one it sets and the grade the spend now earns."""
    return {"service_id": record.id, "customer_id": record.customer_id, "vin": record.vin,
            "service_date": _iso(record.service_date), "mileage_km": record.mileage_km,
            "cost": f"{record.cost:.2f}", "next_due_on": _iso(vehicle.next_due_on),
            "next_due_km": vehicle.next_due_km, "grade": grade}


def return_visit_scheduled(visit: ReturnVisit) -> dict[str, Any]:
    """A call booked after a delivery or a service."""
    return {"return_visit_id": visit.id, "customer_id": visit.customer_id, "vin": visit.vin,
            "kind": visit.kind, "due_on": _iso(visit.due_on)}


def return_visit_completed(visit: ReturnVisit, consultant_id: str | None) -> dict[str, Any]:
    """A call made, its score, the questionnaire and CSI if asked, who sold the car, and any complaint opened."""
    return {"return_visit_id": visit.id, "customer_id": visit.customer_id, "vin": visit.vin,
            "kind": visit.kind, "satisfaction": visit.satisfaction, "completed_at": _iso(visit.completed_at),
            "complaint_id": visit.complaint_id, "answers": visit.answers,
            "csi": float(visit.csi) if visit.csi is not None else None, "consultant_id": consultant_id}


def complaint_opened(complaint: Complaint) -> dict[str, Any]:
    """A complaint, its owner and the deadline its severity sets; a prospect's has no customer file (nor phone)."""
    customer = {} if complaint.customer_id is None else {"customer_id": complaint.customer_id}
    return {"complaint_id": complaint.id, **customer, "category": complaint.category,
            "severity": complaint.severity, "owner_id": complaint.owner_id, "deadline": _iso(complaint.deadline),
            "opened_at": _iso(complaint.opened_at), "origin": complaint.origin, "prospect": complaint.prospect}


def complaint_escalated(complaint: Complaint) -> dict[str, Any]:
    """A complaint past its deadline, escalated once."""
    return {"complaint_id": complaint.id, "severity": complaint.severity, "deadline": _iso(complaint.deadline),
            "escalated_at": _iso(complaint.escalated_at)}


def complaint_resolved(complaint: Complaint) -> dict[str, Any]:
    """A complaint closed, and by whom."""
    return {"complaint_id": complaint.id, "opened_at": _iso(complaint.opened_at),
            "resolved_at": _iso(complaint.resolved_at), "resolved_by": complaint.resolved_by}


def claim_decided(claim: Claim) -> dict[str, Any]:
    """A claim approved or rejected, with the reason the customer is told."""
    return {"claim_id": claim.id, "vin": claim.vin, "kind": claim.kind, "decision": claim.status,
            "reason": claim.reason, "at": _iso(claim.decided_at)}


def plate_set(vehicle: Vehicle) -> dict[str, Any]:
    """The plate (车牌号) now on the car's file."""
    return {"vin": vehicle.vin, "plate_no": vehicle.plate, "customer_id": vehicle.customer_id}


def plan_set(vehicle: Vehicle) -> dict[str, Any]:
    """A car's own maintenance plan, and the next due it now sets."""
    return {"vin": vehicle.vin, "interval_months": vehicle.plan_months, "interval_km": vehicle.plan_km,
            "next_due_on": _iso(vehicle.next_due_on), "next_due_km": vehicle.next_due_km}


def reminder_called(reminder_id: str, customer_id: str, vin: str, outcome: str, called_at: datetime,
                    called_by: str, appointment_id: str | None) -> dict[str, Any]:
    """A reminder call and its outcome (the note stays on file: free text may name people)."""
    return {"reminder_id": reminder_id, "customer_id": customer_id, "vin": vin, "outcome": outcome,
            "called_at": _iso(called_at), "called_by": called_by, "appointment_id": appointment_id}


def appointment_booked(appointment_id: str, customer_id: str, vin: str, scheduled_at: datetime, kind: str,
                       reminder_id: str | None, booked_by: str) -> dict[str, Any]:
    """A service appointment (预约) booked, from a reminder call or directly."""
    return {"appointment_id": appointment_id, "customer_id": customer_id, "vin": vin,
            "scheduled_at": _iso(scheduled_at), "kind": kind, "reminder_id": reminder_id, "booked_by": booked_by}


def appointment_closed(appointment_id: str, at: datetime, scheduled_at: datetime) -> dict[str, Any]:
    """An appointment kept, cancelled or missed, and when."""
    return {"appointment_id": appointment_id, "at": _iso(at), "scheduled_at": _iso(scheduled_at)}


def consent_changed(customer_id: str, marketing: bool, source: str, at: datetime) -> dict[str, Any]:
    """Marketing consent given or withdrawn (PIPL 营销同意)."""
    return {"customer_id": customer_id, "marketing": marketing, "source": source, "at": _iso(at)}


def notice_sent(notice_id: str, segment: dict[str, Any], recipients: int, sent_at: datetime) -> dict[str, Any]:
    """A notice sent: its segment and how many received it; no phones, no names."""
    return {"notice_id": notice_id, "segment": segment, "recipients": recipients, "sent_at": _iso(sent_at)}


def customer_graded(customer: Customer, previous: str, on: date) -> dict[str, Any]:
    """A customer's grade changed with their last 12 months' spend."""
    return {"customer_id": customer.id, "grade": customer.grade, "previous_grade": previous,
            "spend_12m": f"{customer.spend_12m:.2f}", "graded_on": _iso(on)}

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


def publish(session: Session, routing_key: str, subject: str, data: dict[str, Any]) -> None:
    """Write one event to the outbox in the caller's transaction."""
    record_event(session, make_event(SERVICE, routing_key, subject, data))


def _iso(moment: datetime | date | None) -> str | None:
    """ISO 8601 text, or None: payloads carry times and days as text."""
    return moment.isoformat() if moment is not None else None


def _car_on_file(customer: Customer, vehicle: Vehicle) -> dict[str, Any]:
    """The fields every event about a car on a customer's file carries."""
    return {"customer_id": customer.id, "vin": vehicle.vin, "model": vehicle.model,
            "consultant_id": vehicle.consultant_id, "order_id": vehicle.order_id,
            "delivered_on": _iso(vehicle.delivered_on), "grade": customer.grade,
            "next_due_on": _iso(vehicle.next_due_on), "next_due_km": vehicle.next_due_km}


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


def return_visit_completed(visit: ReturnVisit) -> dict[str, Any]:
    """A call made, its score and any complaint it opened."""
    return {"return_visit_id": visit.id, "customer_id": visit.customer_id, "vin": visit.vin,
            "kind": visit.kind, "satisfaction": visit.satisfaction, "completed_at": _iso(visit.completed_at),
            "complaint_id": visit.complaint_id}


def complaint_opened(complaint: Complaint) -> dict[str, Any]:
    """A complaint, its owner and the deadline its severity sets."""
    return {"complaint_id": complaint.id, "customer_id": complaint.customer_id, "category": complaint.category,
            "severity": complaint.severity, "owner_id": complaint.owner_id, "deadline": _iso(complaint.deadline),
            "opened_at": _iso(complaint.opened_at), "origin": complaint.origin}


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

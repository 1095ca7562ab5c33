"""Return visits (回访) and complaints (投诉): calls, satisfaction, limits and escalation.

An unhappy call (a score of 1 or 2) opens a complaint in the same transaction, so
no low score is left without an owner; the escalation job takes ``now`` as an
argument so its clock can be set by whoever runs it.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from after_sales import domain, events
from after_sales.domain import AfterSalesPolicy
from after_sales.files import get_customer
from after_sales.models import Complaint, ReturnVisit, Vehicle, new_id
from shared.business_time import business_time
from shared.domain import DomainError, InvalidInput, NotFound
from shared.web.auth import Actor

ESCALATION_BATCH = 500


def get_return_visit(session: Session, visit_id: str, lock: bool = False) -> ReturnVisit:
    """A return visit by id, or 404; ``lock`` holds the row while it is being completed."""
    visit = session.get(ReturnVisit, visit_id, with_for_update=lock)
    if visit is None:
        raise NotFound(f"No return visit {visit_id}.")
    return visit


def get_complaint(session: Session, complaint_id: str, lock: bool = False) -> Complaint:
    """A complaint by id, or 404; ``lock`` holds the row while it is being resolved."""
    complaint = session.get(Complaint, complaint_id, with_for_update=lock)
    if complaint is None:
        raise NotFound(f"No complaint {complaint_id}.")
    return complaint


def complete_return_visit(session: Session, visit_id: str, data: dict[str, Any], actor: Actor,
                          policy: AfterSalesPolicy) -> ReturnVisit:
    """Record the call's satisfaction (满意度) and feedback; a 1 or 2 opens a complaint."""
    visit = get_return_visit(session, visit_id, lock=True)
    if visit.status == domain.VISIT_COMPLETED:
        raise DomainError("This return visit is already completed.")
    score = domain.validate_satisfaction(data["satisfaction"])
    feedback = data.get("feedback", "").strip()
    car = session.get(Vehicle, visit.vin)
    called_at = business_time(data.get("occurred_at"), car.delivered_at if car else None, "the car's delivery")
    visit.status, visit.satisfaction, visit.feedback = domain.VISIT_COMPLETED, score, feedback
    visit.completed_at, visit.completed_by = called_at, actor.sub
    if domain.opens_complaint(score):
        category, severity = domain.complaint_from_return_visit(visit.kind, score)  # type: ignore[arg-type]
        description = feedback or f"Satisfaction {score} of 5 on the {visit.kind} return visit."
        complaint = _open(session, policy, customer_id=visit.customer_id, vin=visit.vin, category=category,
                          severity=severity, description=description, owner_id=actor.sub,
                          origin="return_visit", return_visit_id=visit.id, opened_by=actor.sub,
                          opened_at=called_at)
        visit.complaint_id = complaint.id
    events.publish(session, "after_sales.return_visit.completed", visit.id, events.return_visit_completed(visit))
    session.commit()
    return visit


def open_complaint(session: Session, data: dict[str, Any], actor: Actor, policy: AfterSalesPolicy) -> Complaint:
    """Open a complaint a customer made; the coordinator who takes it owns it unless one is named."""
    try:
        customer = get_customer(session, data["customer_id"])
    except NotFound:
        raise InvalidInput("customer_id", "no such customer file") from None
    vin = (data.get("vin") or "").strip().upper() or None
    if vin is not None and vin not in {v.vin for v in customer.vehicles}:
        raise InvalidInput("vin", "this car is not on the customer's file")
    complaint = _open(session, policy, customer_id=customer.id, vin=vin, category=data["category"],
                      severity=data["severity"], description=data["description"].strip(),
                      owner_id=data.get("owner_id") or actor.sub, origin="manual", return_visit_id=None,
                      opened_by=actor.sub, opened_at=business_time(data.get("occurred_at")))
    session.commit()
    return complaint


def _open(session: Session, policy: AfterSalesPolicy, **fields: Any) -> Complaint:
    """Create a complaint with its deadline from the severity's time limit, and announce it."""
    deadline = domain.complaint_deadline(fields["opened_at"], fields["severity"], policy)
    complaint = Complaint(id=new_id(), status=domain.COMPLAINT_OPEN, deadline=deadline, **fields)
    session.add(complaint)
    session.flush()
    events.publish(session, "after_sales.complaint.opened", complaint.id, events.complaint_opened(complaint))
    return complaint


def resolve_complaint(session: Session, complaint_id: str, note: str, actor: Actor,
                      occurred_at: datetime | None = None) -> Complaint:
    """Close a complaint with a note of what was done for the customer."""
    complaint = get_complaint(session, complaint_id, lock=True)
    resolved_at = business_time(occurred_at, complaint.opened_at, "the complaint's opening")
    complaint.status = domain.resolve(complaint.status, note)
    complaint.resolution_note = note.strip()
    complaint.resolved_at, complaint.resolved_by = resolved_at, actor.sub
    events.publish(session, "after_sales.complaint.resolved", complaint.id, events.complaint_resolved(complaint))
    session.commit()
    return complaint


def escalate_overdue_complaints(session: Session, now: datetime) -> int:
    """Escalate (升级) every open complaint past its limit, each once; returns how many."""
    overdue = session.scalars(
        select(Complaint).where(Complaint.status == domain.COMPLAINT_OPEN, Complaint.escalated_at.is_(None),
                                Complaint.deadline < now)
        .order_by(Complaint.deadline).limit(ESCALATION_BATCH)
    ).all()
    escalated = 0
    for complaint in overdue:
        if not domain.should_escalate(complaint.status, False, complaint.deadline, now):
            continue
        # Conditional update: of two workers racing, only one finds the row still unescalated.
        claimed = session.execute(
            update(Complaint).where(Complaint.id == complaint.id, Complaint.escalated_at.is_(None),
                                    Complaint.status == domain.COMPLAINT_OPEN)
            .values(escalated_at=now).execution_options(synchronize_session=False)
        )
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            continue
        set_committed_value(complaint, "escalated_at", now)
        events.publish(session, "after_sales.complaint.escalated", complaint.id,
                       events.complaint_escalated(complaint))
        escalated += 1
    session.commit()
    return escalated

"""Use cases of return visits (回访), complaints (投诉) and claims (保修 / 保险理赔), each one transaction.

An unhappy call (a score of 1 or 2) opens a complaint in the same transaction, so
no low score is left without an owner; the escalation job takes ``now`` as an
argument so its clock can be set by whoever runs it. A warranty claim for a car
past its term, in years or km, is refused at filing with the reason; a filed claim
is approved or rejected once.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from after_sales import domain, events
from after_sales.customers.services import get_customer, vehicle_on_file
from after_sales.domain import AfterSalesPolicy
from after_sales.models import Claim, Complaint, Customer, ReturnVisit, Vehicle, new_id
from shared.actors import Actor
from shared.business_time import business_time
from shared.clock import utcnow
from shared.domain import DomainError, InvalidInput, NotFound

ESCALATION_BATCH = 500

# --- return visits (回访) ---


def get_return_visit(session: Session, visit_id: str, lock: bool = False) -> ReturnVisit:
    """A return visit by id, or 404; ``lock`` holds the row while it is being completed."""
    visit = session.get(ReturnVisit, visit_id, with_for_update=lock)
    if visit is None:
        raise NotFound(f"No return visit {visit_id}.")
    return visit


def complete_return_visit(session: Session, visit_id: str, data: dict[str, Any], actor: Actor,
                          policy: AfterSalesPolicy) -> ReturnVisit:
    """Record the call's satisfaction (满意度) and feedback; a 1 or 2 opens a complaint."""
    visit = get_return_visit(session, visit_id, lock=True)
    if visit.status == domain.VISIT_COMPLETED:
        raise DomainError("This return visit is already completed.")
    if data.get("answers") is not None:
        visit.answers = domain.check_answers(data["answers"])
        visit.csi = domain.csi(visit.answers)
    given = data.get("satisfaction")
    score = domain.validate_satisfaction(given if given is not None else domain.satisfaction_of(visit.csi))
    feedback = data.get("feedback", "").strip()
    car = session.get(Vehicle, visit.vin)
    called_at = business_time(data.get("occurred_at"), car.delivered_at if car else None, "the car's delivery")
    visit.status, visit.satisfaction, visit.feedback = domain.VISIT_COMPLETED, score, feedback
    visit.completed_at, visit.completed_by = called_at, actor.sub
    if domain.opens_complaint(score):
        visit.complaint_id = _complaint_from_call(session, visit, score, called_at, actor, policy).id
    seller = car.consultant_id if car is not None else None  # who sold the car, for CSI per consultant
    events.publish(session, events.RETURN_VISIT_COMPLETED, visit.id, events.return_visit_completed(visit, seller))
    session.commit()
    return visit


def _complaint_from_call(session: Session, visit: ReturnVisit, score: int, called_at: datetime, actor: Actor,
                         policy: AfterSalesPolicy) -> Complaint:
    """The complaint an unhappy call opens, owned by whoever made the call."""
    category, severity = domain.complaint_from_return_visit(visit.kind, score)  # type: ignore[arg-type]
    description = visit.feedback or f"Satisfaction {score} of 5 on the {visit.kind} return visit."
    return _open_complaint(session, policy, customer_id=visit.customer_id, vin=visit.vin, category=category,
                           severity=severity, description=description, owner_id=actor.sub,
                           origin="return_visit", return_visit_id=visit.id, opened_by=actor.sub,
                           opened_at=called_at)


# --- complaints (投诉) ---


def get_complaint(session: Session, complaint_id: str, lock: bool = False) -> Complaint:
    """A complaint by id, or 404; ``lock`` holds the row while it is being resolved."""
    complaint = session.get(Complaint, complaint_id, with_for_update=lock)
    if complaint is None:
        raise NotFound(f"No complaint {complaint_id}.")
    return complaint


def open_complaint(session: Session, data: dict[str, Any], actor: Actor, policy: AfterSalesPolicy) -> Complaint:
    """Open a complaint anyone with a phone made: a customer (by file or by the file's phone) or a prospect
    (潜客, a phone without a file); the coordinator who takes it owns it unless one is named."""
    customer = _complainant(session, data)
    vin = (data.get("vin") or "").strip().upper() or None
    if vin is not None and (customer is None or vin not in {v.vin for v in customer.vehicles}):
        raise InvalidInput("vin", "this car is not on the customer's file")
    prospect = {"phone": data["phone"], "contact_name": (data.get("name") or "").strip() or None,
                "prospect": True} if customer is None else {"prospect": False}
    complaint = _open_complaint(session, policy, customer_id=customer.id if customer else None, vin=vin, **prospect,
                                category=data["category"],
                                severity=data["severity"], description=data["description"].strip(),
                                owner_id=data.get("owner_id") or actor.sub, origin="manual", return_visit_id=None,
                                opened_by=actor.sub, opened_at=business_time(data.get("occurred_at")))
    session.commit()
    return complaint


def _complainant(session: Session, data: dict[str, Any]) -> Customer | None:
    """The customer file the complaint is about: by id, or the file a phone has; None for a prospect."""
    if data.get("customer_id"):
        try:
            return get_customer(session, data["customer_id"])
        except NotFound:
            raise InvalidInput("customer_id", "no such customer file") from None
    return session.scalar(select(Customer).where(Customer.phone == data["phone"]))


def _open_complaint(session: Session, policy: AfterSalesPolicy, **fields: Any) -> Complaint:
    """Create a complaint with its deadline from the severity's time limit, and announce it."""
    deadline = domain.complaint_deadline(fields["opened_at"], fields["severity"], policy)
    complaint = Complaint(id=new_id(), status=domain.COMPLAINT_OPEN, deadline=deadline, **fields)
    session.add(complaint)
    session.flush()
    events.publish(session, events.COMPLAINT_OPENED, complaint.id, events.complaint_opened(complaint))
    return complaint


def resolve_complaint(session: Session, complaint_id: str, note: str, actor: Actor,
                      occurred_at: datetime | None = None) -> Complaint:
    """Close a complaint with a note of what was done for the customer."""
    complaint = get_complaint(session, complaint_id, lock=True)
    resolved_at = business_time(occurred_at, complaint.opened_at, "the complaint's opening")
    complaint.status = domain.resolve(complaint.status, note)
    complaint.resolution_note = note.strip()
    complaint.resolved_at, complaint.resolved_by = resolved_at, actor.sub
    events.publish(session, events.COMPLAINT_RESOLVED, complaint.id, events.complaint_resolved(complaint))
    session.commit()
    return complaint


def escalate_overdue_complaints(session: Session, now: datetime) -> int:
    """Escalate (升级) every open complaint past its limit, each once; returns how many."""
    overdue = session.scalars(
        select(Complaint).where(Complaint.status == domain.COMPLAINT_OPEN, Complaint.escalated_at.is_(None),
                                Complaint.deadline < now)
        .order_by(Complaint.deadline).limit(ESCALATION_BATCH)
    ).all()
    escalated = sum(1 for complaint in overdue if _escalate(session, complaint, now))
    session.commit()
    return escalated


def _escalate(session: Session, complaint: Complaint, now: datetime) -> bool:
    """Escalate one overdue complaint and announce it, unless another worker got there first."""
    if not domain.should_escalate(complaint.status, False, complaint.deadline, now):
        return False
    # Conditional update: of two workers racing, only one finds the row still unescalated.
    claimed = session.execute(
        update(Complaint).where(Complaint.id == complaint.id, Complaint.escalated_at.is_(None),
                                Complaint.status == domain.COMPLAINT_OPEN)
        .values(escalated_at=now).execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        return False
    set_committed_value(complaint, "escalated_at", now)
    events.publish(session, events.COMPLAINT_ESCALATED, complaint.id, events.complaint_escalated(complaint))
    return True


# --- warranty (保修) and insurance (保险理赔) claims ---


def get_claim(session: Session, claim_id: str, lock: bool = False) -> Claim:
    """A claim by id, or 404; ``lock`` holds the row so two deciders cannot both decide it."""
    claim = session.get(Claim, claim_id, with_for_update=lock)
    if claim is None:
        raise NotFound(f"No claim {claim_id}.")
    return claim


def file_claim(session: Session, data: dict[str, Any], actor: Actor, policy: AfterSalesPolicy,
               today: date) -> Claim:
    """File a claim for a car on file; a warranty claim must fall inside the warranty term."""
    vehicle = vehicle_on_file(session, data["vin"], lock=True)
    claim_date = data.get("claim_date") or today
    mileage = data.get("mileage_km")
    domain.check_claim_date(claim_date, vehicle.delivered_on, today)
    if data["kind"] == "warranty":
        domain.check_warranty(vehicle.delivered_on, claim_date, mileage, policy)
    if mileage is not None and mileage > (vehicle.last_mileage_km or 0):
        vehicle.last_mileage_km = mileage  # a newer reading can bring the next service forward
    claim = Claim(id=new_id(), kind=data["kind"], vin=vehicle.vin, customer_id=vehicle.customer_id,
                  description=data["description"].strip(), claim_date=claim_date, mileage_km=mileage,
                  amount=data.get("amount"), insurer=data.get("insurer"), status=domain.CLAIM_FILED, reason="",
                  filed_by=actor.sub, filed_at=utcnow())
    session.add(claim)
    session.commit()
    return claim


def decide_claim(session: Session, claim_id: str, data: dict[str, Any], actor: Actor) -> Claim:
    """Approve or reject a filed claim, once."""
    claim = get_claim(session, claim_id, lock=True)
    reason = (data.get("reason") or "").strip()
    claim.status = domain.decide_claim(claim.status, data["decision"] == domain.CLAIM_APPROVED, reason)
    claim.reason, claim.decided_by, claim.decided_at = reason, actor.sub, utcnow()
    events.publish(session, events.CLAIM_DECIDED, claim.id, events.claim_decided(claim))
    session.commit()
    return claim

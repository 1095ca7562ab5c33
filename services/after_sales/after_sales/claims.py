"""Warranty (保修) and insurance (保险理赔) claims for a car on a customer's file.

A warranty claim for a car past its term, in years or km, is refused at filing
with the reason; an insurance claim has no such term. A filed claim is approved
or rejected once, a rejection with the reason the customer is told.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from after_sales import domain, events
from after_sales.domain import AfterSalesPolicy
from after_sales.files import vehicle_on_file
from after_sales.models import Claim, new_id
from shared.domain import InvalidInput, NotFound
from shared.outbox import utcnow
from shared.web.auth import Actor


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
    if claim_date > today:
        raise InvalidInput("claim_date", "cannot be in the future")
    if claim_date < vehicle.delivered_on:
        raise InvalidInput("claim_date", f"is before the car's delivery on {vehicle.delivered_on}")
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
    events.publish(session, "after_sales.warranty_claim.decided", claim.id, events.claim_decided(claim))
    session.commit()
    return claim

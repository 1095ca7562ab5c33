"""What each caller may see of a call or a complaint: the customer's phone in full only for
after-sales coordinators and managers (客户隐私), as on the customer file itself.
"""
from __future__ import annotations

from typing import Any

from after_sales.cases.schemas import ReturnVisitOut
from after_sales.customers.views import phone_for
from after_sales.models import Complaint, ReturnVisit
from shared.actors import Actor


def return_visit_view(visit: ReturnVisit, actor: Actor) -> dict[str, Any]:
    """A call to make or made, with whom to call."""
    view = {name: getattr(visit, name) for name in ReturnVisitOut().fields if name not in ("customer_name",
                                                                                          "phone")}
    return {**view, "customer_name": visit.customer.name, "phone": phone_for(actor, visit.customer.phone)}


def complaint_view(complaint: Complaint, actor: Actor) -> dict[str, Any]:
    """A complaint, with whether it was escalated; a prospect's phone as this caller may see it."""
    return {**{c.key: getattr(complaint, c.key) for c in Complaint.__table__.columns},
            "phone": phone_for(actor, complaint.phone) if complaint.phone else None,
            "escalated": complaint.escalated_at is not None}

"""HTTP routes of return visits (回访), complaints (投诉) and claims (保修 / 保险理赔)."""
from __future__ import annotations

from typing import Any

from after_sales.cases import queries, services
from after_sales.cases.schemas import (
    ClaimFilter,
    ClaimIn,
    ClaimOut,
    ClaimPage,
    ComplaintFilter,
    ComplaintIn,
    ComplaintOut,
    ComplaintPage,
    CompleteVisitIn,
    DecisionIn,
    ResolveIn,
    ReturnVisitFilter,
    ReturnVisitOut,
    ReturnVisitPage,
)
from after_sales.cases.views import complaint_view, return_visit_view
from after_sales.web import LIST_READERS, WRITERS, policy, store_today, window
from shared.web.app import db
from shared.web.auth import current_actor, require
from shared.web.blueprint import Blueprint
from shared.web.pagination import page_of

blp = Blueprint("cases", __name__, url_prefix="/api/v1", description="Return visits, complaints and claims")


@blp.get("/return-visits")
@blp.arguments(ReturnVisitFilter, location="query")
@blp.response(200, ReturnVisitPage)
@require(*LIST_READERS)
def list_return_visits(args: dict[str, Any]) -> dict[str, Any]:
    """Calls to make, the longest-waiting first; ``within_days=0`` is today's list."""
    due_from, due_to = window(args, None)
    page = page_of(db(), queries.return_visits(args, due_from, due_to), args["page"], args["page_size"])
    return {**page, "items": [return_visit_view(v, current_actor()) for v in page["items"]]}


@blp.get("/return-visits/<visit_id>")
@blp.response(200, ReturnVisitOut)
@require(*LIST_READERS)
def get_return_visit(visit_id: str) -> dict[str, Any]:
    """One return visit."""
    return return_visit_view(services.get_return_visit(db(), visit_id), current_actor())


@blp.post("/return-visits/<visit_id>/complete")
@blp.arguments(CompleteVisitIn)
@blp.response(200, ReturnVisitOut)
@require(*WRITERS)
def complete_return_visit(data: dict[str, Any], visit_id: str) -> dict[str, Any]:
    """Record satisfaction (1-5) and feedback; a 1 or 2 opens a complaint (``complaint_id``)."""
    visit = services.complete_return_visit(db(), visit_id, data, current_actor(), policy())
    return return_visit_view(visit, current_actor())


@blp.post("/complaints")
@blp.arguments(ComplaintIn)
@blp.response(201, ComplaintOut)
@require(*WRITERS)
def open_complaint(data: dict[str, Any]) -> dict[str, Any]:
    """Open a complaint by a customer (``customer_id``) or by phone (a prospect without a file); its deadline
    follows from its severity."""
    return complaint_view(services.open_complaint(db(), data, current_actor(), policy()), current_actor())


@blp.get("/complaints")
@blp.arguments(ComplaintFilter, location="query")
@blp.response(200, ComplaintPage)
@require(*LIST_READERS)
def list_complaints(args: dict[str, Any]) -> dict[str, Any]:
    """Complaints, the nearest deadline first."""
    page = page_of(db(), queries.complaints(args), args["page"], args["page_size"])
    return {**page, "items": [complaint_view(c, current_actor()) for c in page["items"]]}


@blp.get("/complaints/<complaint_id>")
@blp.response(200, ComplaintOut)
@require(*LIST_READERS)
def get_complaint(complaint_id: str) -> dict[str, Any]:
    """One complaint."""
    return complaint_view(services.get_complaint(db(), complaint_id), current_actor())


@blp.post("/complaints/<complaint_id>/resolve")
@blp.arguments(ResolveIn)
@blp.response(200, ComplaintOut)
@require(*WRITERS)
def resolve_complaint(data: dict[str, Any], complaint_id: str) -> dict[str, Any]:
    """Resolve a complaint with a note of what was done."""
    complaint = services.resolve_complaint(db(), complaint_id, data["note"], current_actor(), data["occurred_at"])
    return complaint_view(complaint, current_actor())


@blp.post("/warranty-claims")
@blp.arguments(ClaimIn)
@blp.response(201, ClaimOut)
@require(*WRITERS)
def file_claim(data: dict[str, Any]) -> Any:
    """File a warranty or insurance claim; a car past its warranty term is refused (409, with why)."""
    return services.file_claim(db(), data, current_actor(), policy(), store_today())


@blp.get("/warranty-claims")
@blp.arguments(ClaimFilter, location="query")
@blp.response(200, ClaimPage)
@require(*LIST_READERS)
def list_claims(args: dict[str, Any]) -> dict[str, Any]:
    """Claims, newest first."""
    return page_of(db(), queries.claims(args), args["page"], args["page_size"])


@blp.get("/warranty-claims/<claim_id>")
@blp.response(200, ClaimOut)
@require(*LIST_READERS)
def get_claim(claim_id: str) -> Any:
    """One claim."""
    return services.get_claim(db(), claim_id)


@blp.post("/warranty-claims/<claim_id>/decide")
@blp.arguments(DecisionIn)
@blp.response(200, ClaimOut)
@require(*WRITERS)
def decide_claim(data: dict[str, Any], claim_id: str) -> Any:
    """Approve, or reject with a reason, a filed claim."""
    return services.decide_claim(db(), claim_id, data, current_actor())

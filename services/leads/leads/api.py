"""HTTP routes of the leads service: load the schema, call the use case, dump the answer."""
from __future__ import annotations

from typing import Any

from leads import queries, services
from leads.inventory_client import vehicle_kind
from leads.models import Inquiry, Lead
from leads.schemas import (
    AppointmentIn,
    AppointmentOut,
    AssignIn,
    FollowUpIn,
    FollowUpOut,
    InquiryIn,
    InquiryOut,
    LeadFilter,
    LeadIn,
    LeadOut,
    LeadPage,
    LostIn,
    QualifyIn,
    TestDriveIn,
    TestDriveOut,
    VisitIn,
    VisitOut,
)
from shared.actors import Actor
from shared.privacy import mask_id_number, mask_phone
from shared.web.app import db, settings
from shared.web.auth import current_actor, require
from shared.web.blueprint import Blueprint

blp = Blueprint("leads", __name__, url_prefix="/api/v1", description="Inquiries, leads and their work")
SALES = ("consultant", "sales_manager")
READERS = ("consultant", "sales_manager", "back_office")
LEAD_FIELDS = tuple(LeadOut().fields)  # built once: a schema instance per answer cost a tenth of each request
INQUIRY_FIELDS = ("id", "channel", "note", "lead_id", "received_by", "received_at")


def present(lead: Lead, actor: Actor) -> dict[str, Any]:
    """A lead as this caller may see it: phone and ID in full only for its owner and managers."""
    view = {column: getattr(lead, column) for column in LEAD_FIELDS}
    if not (actor.is_manager or actor.sub == lead.owner_id):
        view["phone"], view["id_number"] = mask_phone(lead.phone), mask_id_number(lead.id_number)
    return view


def present_inquiry(inquiry: Inquiry) -> dict[str, Any]:
    """An inquiry with its phone masked (anyone at the desk may read it) and whether it was filed."""
    view = {column: getattr(inquiry, column) for column in INQUIRY_FIELDS}
    return {**view, "phone": mask_phone(inquiry.phone), "filed": inquiry.lead_id is not None}


@blp.post("/inquiries")
@blp.arguments(InquiryIn)
@blp.response(201, InquiryOut)
@require(*READERS)
def log_inquiry(data: dict[str, Any]) -> dict[str, Any]:
    """Log a call or walk-in, filed or not (counts for the filing rate, 建卡率)."""
    return present_inquiry(services.log_inquiry(db(), data, current_actor()))


@blp.post("/leads")
@blp.arguments(LeadIn)
@blp.response(201, LeadOut)
@require(*SALES)
def file_lead(data: dict[str, Any]) -> dict[str, Any]:
    """File a customer; an existing phone answers 409 with ``existing_lead_id``."""
    return present(services.file_lead(db(), data, current_actor()), current_actor())


@blp.get("/leads")
@blp.arguments(LeadFilter, location="query")
@blp.response(200, LeadPage)
@require(*READERS)
def list_leads(args: dict[str, Any]) -> dict[str, Any]:
    """Leads, newest first, filtered by status, owner, source, level and filing date."""
    page = queries.lead_page(db(), args)
    return {**page, "items": [present(lead, current_actor()) for lead in page["items"]]}


@blp.get("/leads/<lead_id>")
@blp.response(200, LeadOut)
@require(*READERS)
def get_lead(lead_id: str) -> dict[str, Any]:
    """One lead."""
    return present(services.get_lead(db(), lead_id), current_actor())


@blp.get("/inquiries/<inquiry_id>")
@blp.response(200, InquiryOut)
@require(*READERS)
def get_inquiry(inquiry_id: str) -> dict[str, Any]:
    """One inquiry and whether it was filed."""
    return present_inquiry(queries.get_inquiry(db(), inquiry_id))


@blp.post("/leads/<lead_id>/follow-ups")
@blp.arguments(FollowUpIn)
@blp.response(201, FollowUpOut)
@require(*SALES)
def follow_up(data: dict[str, Any], lead_id: str) -> Any:
    """Record a follow-up and when to call next (the lead's owner or a sales manager)."""
    return services.follow_up(db(), lead_id, data, current_actor())


@blp.post("/leads/<lead_id>/appointments")
@blp.arguments(AppointmentIn)
@blp.response(201, AppointmentOut)
@require(*SALES)
def book_appointment(data: dict[str, Any], lead_id: str) -> Any:
    """Invite the customer to visit (the lead's owner or a sales manager)."""
    return services.book_appointment(db(), lead_id, data, current_actor())


@blp.post("/leads/<lead_id>/visits")
@blp.arguments(VisitIn)
@blp.response(201, VisitOut)
@require(*SALES)
def record_visit(data: dict[str, Any], lead_id: str) -> Any:
    """Record an arrival as the receiving consultant (a manager: for anyone); ``owner_id`` is who owns it now."""
    return services.record_visit(db(), lead_id, data, current_actor())


@blp.post("/leads/<lead_id>/test-drives")
@blp.arguments(TestDriveIn)
@blp.response(201, TestDriveOut)
@require(*SALES)
def record_test_drive(data: dict[str, Any], lead_id: str) -> Any:
    """Record a test drive: licence, escort and a test-drive car (checked with inventory); owner or manager."""
    lookup = settings()
    return services.record_test_drive(db(), lead_id, data, current_actor(), lambda vin: vehicle_kind(lookup, vin))


@blp.post("/leads/<lead_id>/lost")
@blp.arguments(LostIn)
@blp.response(200, LeadOut)
@require(*SALES)
def mark_lost(data: dict[str, Any], lead_id: str) -> dict[str, Any]:
    """Close the lead as lost, with the reason (the lead's owner or a sales manager)."""
    return present(services.mark_lost(db(), lead_id, data["reason"], current_actor()), current_actor())


@blp.post("/leads/<lead_id>/qualify")
@blp.arguments(QualifyIn)
@blp.response(200, LeadOut)
@require(*SALES)
def qualify(data: dict[str, Any], lead_id: str) -> dict[str, Any]:
    """Set the lead's level and stage (the lead's owner or a sales manager)."""
    return present(services.qualify(db(), lead_id, data, current_actor()), current_actor())


@blp.post("/leads/<lead_id>/assign")
@blp.arguments(AssignIn)
@blp.response(200, LeadOut)
@require("sales_manager")
def assign(data: dict[str, Any], lead_id: str) -> dict[str, Any]:
    """Hand the lead to a consultant."""
    return present(services.assign(db(), lead_id, data["owner_id"], current_actor()), current_actor())

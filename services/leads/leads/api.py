"""HTTP routes of the leads service: load the schema, call the use case, dump the answer."""
from __future__ import annotations

from typing import Any

from leads import queries, services
from leads.domain import DCC
from leads.inventory_client import vehicle_kind
from leads.merge import merge_duplicate
from leads.models import Inquiry, Lead
from leads.schemas import (
    AppointmentFilter,
    AppointmentIn,
    AppointmentOut,
    AppointmentPage,
    AssignIn,
    CancelIn,
    FollowUpIn,
    FollowUpOut,
    InquiryFilter,
    InquiryIn,
    InquiryOut,
    InquiryPage,
    LeadFilter,
    LeadIn,
    LeadOut,
    LeadPage,
    LostIn,
    MergeIn,
    QualifyIn,
    ReopenIn,
    RescheduleIn,
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
READERS = ("consultant", "sales_manager", "back_office", DCC)
FILERS = INVITERS = (*SALES, DCC)  # the DCC (网销专员) files and invites, and owns no lead
LEAD_FIELDS = tuple(LeadOut().fields)  # built once: a schema instance per answer cost a tenth of each request
INQUIRY_FIELDS = ("id", "channel", "note", "lead_id", "received_by", "received_at", "name", "model_interest", "budget",
                  "purchase_timeframe")


def present(lead: Lead, actor: Actor) -> dict[str, Any]:
    """A lead as this caller may see it: phone and ID in full only for its owner and managers, and for the DCC
    agent who filed it (they took the number down and call the customer to invite them)."""
    view = {column: getattr(lead, column) for column in LEAD_FIELDS}
    if not (actor.is_manager or actor.sub == lead.owner_id or (actor.role == DCC and actor.sub == lead.created_by)):
        view["phone"], view["id_number"] = mask_phone(lead.phone), mask_id_number(lead.id_number)
        view["referrer_phone"] = mask_phone(lead.referrer_phone)
    return view


def present_inquiry(inquiry: Inquiry, actor: Actor, lead_owner: str | None = None) -> dict[str, Any]:
    """An inquiry and whether it was filed; the phone in full only for managers, the owner of the lead it led to,
    and the DCC agent who took the call down (they call back to invite).

    Anyone at the desk may read the register, so everyone else sees the phone masked (客户隐私).
    """
    view = {column: getattr(inquiry, column) for column in INQUIRY_FIELDS}
    full = (actor.is_manager or (lead_owner is not None and actor.sub == lead_owner)
            or (actor.role == DCC and actor.sub == inquiry.received_by))
    return {**view, "phone": inquiry.phone if full else mask_phone(inquiry.phone), "filed": inquiry.lead_id is not None}


def present_inquiries(inquiries: list[Inquiry], actor: Actor) -> list[dict[str, Any]]:
    """A page of the call register, each phone shown as :func:`present_inquiry` says."""
    owners = queries.lead_owners(db(), {i.lead_id for i in inquiries if i.lead_id}) if not actor.is_manager else {}
    return [present_inquiry(inquiry, actor, owners.get(inquiry.lead_id or "")) for inquiry in inquiries]


@blp.post("/inquiries")
@blp.arguments(InquiryIn)
@blp.response(201, InquiryOut)
@require(*READERS)
def log_inquiry(data: dict[str, Any]) -> dict[str, Any]:
    """Log a call or walk-in, filed or not (counts for the filing rate, 建卡率)."""
    return present_inquiries([services.log_inquiry(db(), data, current_actor())], current_actor())[0]


@blp.get("/inquiries")
@blp.arguments(InquiryFilter, location="query")
@blp.response(200, InquiryPage)
@require(*READERS)
def list_inquiries(args: dict[str, Any]) -> dict[str, Any]:
    """The call register (来电客户登记表), newest first, by channel, local dates (from/to) and filed or not."""
    page = queries.inquiry_page(db(), args)
    return {**page, "items": present_inquiries(page["items"], current_actor())}


@blp.post("/leads")
@blp.arguments(LeadIn)
@blp.response(201, LeadOut)
@require(*FILERS)
def file_lead(data: dict[str, Any]) -> dict[str, Any]:
    """File a customer; an existing phone answers 409 with ``existing_lead_id``; the DCC's go to the duty roster.

    A consultant owns what they file. A sales manager or the DCC may name the owner (``owner_id``); the DCC's
    lead without one goes to the consultant on duty that day (值班表) whose turn it is.
    """
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
    return present_inquiries([queries.get_inquiry(db(), inquiry_id)], current_actor())[0]


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
@require(*INVITERS)
def book_appointment(data: dict[str, Any], lead_id: str) -> Any:
    """Invite the customer to visit (the lead's owner, a sales manager, or the DCC on any lead)."""
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
    """Close the lead as lost, with the reason from the list (the lead's owner or a sales manager)."""
    return present(services.mark_lost(db(), lead_id, data, current_actor()), current_actor())


@blp.post("/leads/<lead_id>/reopen")
@blp.arguments(ReopenIn)
@blp.response(200, LeadOut)
@require(*SALES)
def reopen(data: dict[str, Any], lead_id: str) -> dict[str, Any]:
    """Reopen a lost lead: back to the stage it was lost from (the lead's owner or a sales manager)."""
    return present(services.reopen(db(), lead_id, current_actor()), current_actor())


@blp.get("/appointments")
@blp.arguments(AppointmentFilter, location="query")
@blp.response(200, AppointmentPage)
@require(*SALES)
def list_appointments(args: dict[str, Any]) -> dict[str, Any]:
    """Appointments by time, of a local day and status: a consultant's own leads', a manager's all."""
    actor = current_actor()
    return queries.appointment_page(db(), args, None if actor.is_manager else actor.sub)


@blp.post("/appointments/<appointment_id>/reschedule")
@blp.arguments(RescheduleIn)
@blp.response(200, AppointmentOut)
@require(*SALES)
def reschedule_appointment(data: dict[str, Any], appointment_id: str) -> Any:
    """Move a booked appointment to a time still to come (the lead's owner or a sales manager)."""
    return services.reschedule_appointment(db(), appointment_id, data, current_actor())


@blp.post("/appointments/<appointment_id>/cancel")
@blp.arguments(CancelIn)
@blp.response(200, AppointmentOut)
@require(*SALES)
def cancel_appointment(data: dict[str, Any], appointment_id: str) -> Any:
    """Cancel a booked appointment, with the reason (the lead's owner or a sales manager)."""
    return services.cancel_appointment(db(), appointment_id, data["reason"], current_actor())


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


@blp.post("/leads/<lead_id>/merge")
@blp.arguments(MergeIn)
@blp.response(200, LeadOut)
@require("sales_manager")
def merge(data: dict[str, Any], lead_id: str) -> dict[str, Any]:
    """Merge a duplicate file of the same person into this lead, which keeps both histories (a sales manager)."""
    actor = current_actor()
    return present(merge_duplicate(db(), lead_id, data["duplicate_lead_id"], actor), actor)

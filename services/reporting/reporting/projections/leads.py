"""Leads' events: inquiries, filing, appointments, visits and test drives (the funnel's top)."""
from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from reporting.dates import aware
from reporting.domain import converted_within_30_days
from reporting.models import AppointmentFact, InquiryFact, LeadFact
from reporting.projections.common import Projector, business_day, business_time, earliest, text
from reporting.projections.facts import Facts, count
from reporting.projections.lead_days import add_lead_day, move_return_visit


def inquiry_received(event: dict[str, Any], facts: Facts, tz: ZoneInfo) -> None:
    """A call or walk-in logged (来电/到店登记); filed at once when the customer has a file."""
    data = event["data"]
    day = business_day(event, "received_at", tz)
    inquiry = facts.row(InquiryFact, inquiry_id=text(data, "inquiry_id", event.get("subject", "")))
    inquiry.day, inquiry.channel = day, text(data, "channel")
    inquiry.consultant_id = text(data, "received_by")
    inquiry.filed = bool(inquiry.filed or data.get("filed"))
    count(facts, day, "inquiries", inquiry.consultant_id)


def lead_created(event: dict[str, Any], facts: Facts, tz: ZoneInfo) -> None:
    """A customer filed (建卡); the inquiries it lists count as filed."""
    data = event["data"]
    created_at = business_time(event, "created_at")
    lead = facts.row(LeadFact, lead_id=text(data, "lead_id", event.get("subject", "")))
    lead.created_at, lead.created_day = created_at, business_day(event, "created_at", tz)
    lead.owner_id, lead.source = text(data, "owner_id"), text(data, "source")
    lead.converted_30d = converted_within_30_days(created_at, _aware(lead.first_order_at))
    for inquiry_id in data.get("inquiry_ids") or []:
        facts.row(InquiryFact, inquiry_id=str(inquiry_id)).filed = True
    count(facts, lead.created_day, "leads", lead.owner_id)


def appointment_booked(event: dict[str, Any], facts: Facts, tz: ZoneInfo) -> None:
    """An invitation to visit (邀约), counted on the day it was booked."""
    data = event["data"]
    day = business_day(event, "booked_at", tz)
    appointment = facts.row(AppointmentFact, appointment_id=text(data, "appointment_id"))
    appointment.lead_id, appointment.day = text(data, "lead_id"), day
    appointment.consultant_id = text(data, "booked_by")
    count(facts, day, "appointments", appointment.consultant_id)


def visit_recorded(event: dict[str, Any], facts: Facts, tz: ZoneInfo) -> None:
    """An arrival (到店): first visit, return visit, and the appointment it kept."""
    data = event["data"]
    day = business_day(event, "visited_at", tz)
    count(facts, day, "visits", text(data, "consultant_id"))
    lead = facts.row(LeadFact, lead_id=text(data, "lead_id", event.get("subject", "")))
    add_lead_day(facts, lead, day)
    number, before = int(data.get("visit_number") or 1), (lead.first_visit_day, lead.return_visit_day)
    if number == 1:
        lead.first_visit_day = earliest(lead.first_visit_day, day)
    else:
        lead.return_visit_day = earliest(lead.return_visit_day, day)
    move_return_visit(facts, lead, before)
    if data.get("appointment_id"):
        facts.row(AppointmentFact, appointment_id=str(data["appointment_id"])).kept = True


def test_drive_completed(event: dict[str, Any], facts: Facts, tz: ZoneInfo) -> None:
    """A test drive (试乘试驾) on the day it happened."""
    data = event["data"]
    day = business_day(event, "at", tz)
    count(facts, day, "test_drives", text(data, "consultant_id"))
    add_lead_day(facts, facts.row(LeadFact, lead_id=text(data, "lead_id", event.get("subject", ""))), day, drove=True)


def _aware(moment: Any) -> Any:
    return aware(moment) if moment is not None else None


test_drive_completed.__test__ = False  # type: ignore[attr-defined]

PROJECTORS: dict[str, Projector] = {
    "leads.inquiry.received": inquiry_received,
    "leads.lead.created": lead_created,
    "leads.appointment.booked": appointment_booked,
    "leads.visit.recorded": visit_recorded,
    "leads.test_drive.completed": test_drive_completed,
}

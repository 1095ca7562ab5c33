"""Leads' events: inquiries, filing, appointments, visits and test drives (the funnel's top), losses,
campaigns, and duplicates merged.

A duplicate merged into another lead (合并) hands the survivor its visit and test-drive days and
its first order, and counts nowhere after; an event that reaches reporting later for the
duplicate's id (a visit, a test drive, an order) counts for the survivor (``resolve_lead``). Its
filing, loss and campaign rows stay its own: they stop counting, or are read as the survivor's
(campaigns, ``reporting.reports.campaigns``). Appointments count per appointment, not per lead:
a merge changes none.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from reporting.dates import aware, local_day, parse_date
from reporting.domain import COMPETITOR_REASON, DIRECT_CONTACT_SOURCES, LOST_REASONS, OTHER_REASON, filed_in_time
from reporting.models import AppointmentFact, CampaignFact, CampaignLeadFact, InquiryFact, LeadFact
from reporting.projections.common import Projector, business_day, business_time, earliest, resolve_lead, text
from reporting.projections.conversion import file_under_phone, merge_orders, phone_key_of, settle
from reporting.projections.facts import Facts, count
from reporting.projections.lead_days import all_days, second_visit_day, with_day


def inquiry_received(event: dict[str, Any], facts: Facts, tz: ZoneInfo) -> None:
    """A call or walk-in logged (来电/到店登记): a new-customer contact unless the phone had a file already.

    It led to a file (建卡率) when the lead that lists it was filed by the end of the next local day.
    """
    data = event["data"]
    day = business_day(event, "received_at", tz)
    inquiry = facts.row(InquiryFact, inquiry_id=text(data, "inquiry_id", event.get("subject", "")))
    inquiry.day, inquiry.channel = day, text(data, "channel")
    inquiry.consultant_id = text(data, "received_by")
    inquiry.on_file = bool(inquiry.on_file or data.get("filed"))  # leads says: the phone was on file then
    inquiry.filed = filed_in_time(day, inquiry.filed_day)
    count(facts, day, "inquiries", inquiry.consultant_id)


def lead_created(event: dict[str, Any], facts: Facts, tz: ZoneInfo) -> None:
    """A customer filed (建卡) by its first owner; the inquiries it lists were filed on its day.

    Filed with no inquiry logged first, a walk-in or call is itself a new-customer contact, filed at
    once. The lead counts from its row (``reporting.projections.rates``), so a duplicate merged away
    stops counting whichever of the two events came first. Its phone's orders naming no lead count
    for it (``reporting.projections.conversion``).
    """
    data = event["data"]
    created_at, day = business_time(event, "created_at"), business_day(event, "created_at", tz)
    inquiry_ids = [str(inquiry_id) for inquiry_id in data.get("inquiry_ids") or []]
    lead = facts.row(LeadFact, lead_id=text(data, "lead_id", event.get("subject", "")))
    lead.created_at, lead.created_day = created_at, day
    lead.owner_id, lead.source = text(data, "owner_id"), text(data, "source")
    lead.filed_by = text(data, "created_by") or lead.owner_id
    lead.direct_contact = lead.source in DIRECT_CONTACT_SOURCES and not inquiry_ids
    lead.phone = text(data, "phone_masked")[:20] or None
    settle(lead)
    file_under_phone(facts, lead.lead_id, lead.phone, phone_key_of(data, "phone_key"))
    for inquiry_id in inquiry_ids:
        inquiry = facts.row(InquiryFact, inquiry_id=inquiry_id)
        inquiry.filed_day = earliest(inquiry.filed_day, day)
        inquiry.filed = filed_in_time(inquiry.day, inquiry.filed_day)


def _lead_of(event: dict[str, Any], facts: Facts) -> LeadFact:
    """The lead row an activity (visit, test drive) counts on: the survivor's, for a duplicate merged away."""
    return resolve_lead(facts, text(event["data"], "lead_id", event.get("subject", "")))


def appointment_booked(event: dict[str, Any], facts: Facts, tz: ZoneInfo) -> None:
    """An invitation to visit (邀约), counted on the day it was booked, whatever it is moved to later."""
    data = event["data"]
    day = business_day(event, "booked_at", tz)
    appointment = facts.row(AppointmentFact, appointment_id=text(data, "appointment_id"))
    appointment.lead_id, appointment.day = text(data, "lead_id"), day
    appointment.consultant_id = text(data, "booked_by")
    count(facts, day, "appointments", appointment.consultant_id)


def appointment_no_show(event: dict[str, Any], facts: Facts, tz: ZoneInfo) -> None:
    """Not kept by the end of its day (爽约): not kept for good, even if a visit names it later."""
    facts.row(AppointmentFact, appointment_id=text(event["data"], "appointment_id")).no_show = True


def appointment_cancelled(event: dict[str, Any], facts: Facts, tz: ZoneInfo) -> None:
    """Cancelled: it stays an appointment made, and one not kept."""
    facts.row(AppointmentFact, appointment_id=text(event["data"], "appointment_id")).cancelled = True


def visit_recorded(event: dict[str, Any], facts: Facts, tz: ZoneInfo) -> None:
    """An arrival (到店): first visit, return visit, the appointment it kept and the campaign it attended."""
    data = event["data"]
    day = business_day(event, "visited_at", tz)
    count(facts, day, "visits", text(data, "consultant_id"))
    lead = _lead_of(event, facts)
    lead.visit_days = with_day(lead.visit_days, day)
    if int(data.get("visit_number") or 1) == 1:  # a second "first" visit is a merged duplicate's: a return
        first, returned = lead.first_visit_day, lead.return_visit_day
        lead.first_visit_day, lead.return_visit_day = earliest(first, day), second_visit_day(first, returned, day, None)
    else:
        lead.return_visit_day = earliest(lead.return_visit_day, day)
    if data.get("appointment_id"):
        facts.row(AppointmentFact, appointment_id=str(data["appointment_id"])).kept = True
    if data.get("campaign_id"):
        attended = _at_campaign(facts, str(data["campaign_id"]), text(data, "lead_id", event.get("subject", "")))
        attended.arrived_day = earliest(attended.arrived_day, day)


def test_drive_completed(event: dict[str, Any], facts: Facts, tz: ZoneInfo) -> None:
    """A test drive (试乘试驾) on the day it happened."""
    data = event["data"]
    day = business_day(event, "at", tz)
    count(facts, day, "test_drives", text(data, "consultant_id"))
    lead = _lead_of(event, facts)
    lead.test_drive_days = with_day(lead.test_drive_days, day)


def lead_lost(event: dict[str, Any], facts: Facts, tz: ZoneInfo) -> None:
    """Closed as lost (战败) with a reason from the list; lost again later, the latest loss is the one that counts."""
    data = event["data"]
    lost_at = business_time(event, "lost_at")
    lead = facts.row(LeadFact, lead_id=text(data, "lead_id", event.get("subject", "")))
    if lead.lost_at is not None and aware(lead.lost_at) > lost_at:
        return
    code = text(data, "reason_code") if data.get("reason_code") in LOST_REASONS else OTHER_REASON
    brand = text(data, "competitor_brand").strip()[:50] if code == COMPETITOR_REASON else ""
    lead.lost_at, lead.lost_day, lead.lost_reason_code = lost_at, local_day(lost_at, tz), code
    lead.competitor_brand, lead.lost_owner_id = brand or None, text(data, "owner_id")


def lead_reopened(event: dict[str, Any], facts: Facts, tz: ZoneInfo) -> None:
    """Open again (by hand, or an order's news: converted or cancelled): a loss before it is withdrawn."""
    lead = facts.row(LeadFact, lead_id=text(event["data"], "lead_id", event.get("subject", "")))
    lead.reopened_at = _latest(lead.reopened_at, business_time(event, "reopened_at"))


def lead_merged(event: dict[str, Any], facts: Facts, tz: ZoneInfo) -> None:
    """A duplicate merged into the survivor (合并): its history becomes the survivor's, and it counts no more."""
    data = event["data"]
    named = text(data, "lead_id", event.get("subject", ""))
    survivor = resolve_lead(facts, named)  # merged in turn since: its own survivor takes the history
    duplicate = facts.row(LeadFact, lead_id=text(data, "duplicate_lead_id"))
    if not duplicate.lead_id or duplicate.lead_id == survivor.lead_id or duplicate.merged_into:
        return
    survivor.visit_days = all_days(survivor.visit_days, duplicate.visit_days)
    survivor.test_drive_days = all_days(survivor.test_drive_days, duplicate.test_drive_days)
    survivor.first_visit_day, survivor.return_visit_day = (
        earliest(survivor.first_visit_day, duplicate.first_visit_day),
        second_visit_day(survivor.first_visit_day, survivor.return_visit_day, duplicate.first_visit_day,
                         duplicate.return_visit_day))
    merge_orders(survivor, duplicate)
    duplicate.visit_days = duplicate.test_drive_days = ""
    duplicate.first_visit_day = duplicate.return_visit_day = None
    duplicate.merged_into = named  # as the event says: ``resolve_lead`` follows the chain, whatever came first


def campaign_created(event: dict[str, Any], facts: Facts, tz: ZoneInfo) -> None:
    """A campaign (市场活动) over the store's local days ``starts_on`` to ``ends_on``."""
    data = event["data"]
    campaign = facts.row(CampaignFact, campaign_id=text(data, "campaign_id", event.get("subject", "")))
    campaign.name, campaign.kind = text(data, "name")[:100], text(data, "kind")[:20]
    campaign.starts_on, campaign.ends_on = parse_date(data.get("starts_on")), parse_date(data.get("ends_on"))


def campaign_invited(event: dict[str, Any], facts: Facts, tz: ZoneInfo) -> None:
    """A lead invited to a campaign (活动邀约)."""
    data = event["data"]
    _at_campaign(facts, text(data, "campaign_id", event.get("subject", "")), text(data, "lead_id")).invited = True


def _at_campaign(facts: Facts, campaign_id: str, lead_id: str) -> CampaignLeadFact:
    """The row of one lead at one campaign (keyed by both ids in one column)."""
    row = facts.row(CampaignLeadFact, campaign_lead=f"{campaign_id} {lead_id}")
    row.campaign_id, row.lead_id = campaign_id, lead_id
    return row


def _latest(current: datetime | None, candidate: datetime) -> datetime:
    """The later of two times (events about one lead may arrive in any order)."""
    return candidate if current is None else max(aware(current), candidate)


test_drive_completed.__test__ = False  # type: ignore[attr-defined]

PROJECTORS: dict[str, Projector] = {
    "leads.inquiry.received": inquiry_received,
    "leads.lead.created": lead_created,
    "leads.appointment.booked": appointment_booked,
    "leads.appointment.no_show": appointment_no_show,
    "leads.appointment.cancelled": appointment_cancelled,
    "leads.visit.recorded": visit_recorded,
    "leads.test_drive.completed": test_drive_completed,
    "leads.lead.lost": lead_lost,
    "leads.lead.reopened": lead_reopened,
    "leads.lead.converted": lead_reopened,
    "leads.lead.merged": lead_merged,
    "leads.campaign.created": campaign_created,
    "leads.campaign.invited": campaign_invited,
}

"""The events the leads service publishes: routing keys and payloads.

Payloads carry no full phone or ID number: only the masked phone and its keyed
pseudonym (``phone_key``: reporting matches orders to leads by it; no one reads a
phone back from it without the key), which is all subscribers need.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from leads.models import (
    Appointment,
    Campaign,
    CampaignInvitation,
    DutyRoster,
    FollowUp,
    Inquiry,
    Lead,
    TestDrive,
    Visit,
)
from shared.business_time import aware
from shared.envelope import make_event
from shared.outbox import record_event
from shared.privacy import mask_phone, mask_text, phone_key

SERVICE = "leads"


def publish(session: Session, routing_key: str, subject: str, data: dict[str, Any]) -> None:
    """Write one event to the outbox in the caller's transaction."""
    record_event(session, make_event(SERVICE, routing_key, subject, data))


def _iso(moment: Any) -> str | None:
    """ISO 8601 with its offset; a time read back from SQLite comes naive, and was stored in UTC."""
    return aware(moment).isoformat() if moment is not None else None


def inquiry_received(inquiry: Inquiry) -> dict[str, Any]:
    return {"inquiry_id": inquiry.id, "channel": inquiry.channel, "phone_masked": mask_phone(inquiry.phone),
            "phone_key": phone_key(inquiry.phone),
            "filed": inquiry.lead_id is not None, "lead_id": inquiry.lead_id,
            "received_by": inquiry.received_by, "received_at": _iso(inquiry.received_at),
            "model_interest": inquiry.model_interest, "purchase_timeframe": inquiry.purchase_timeframe,
            "budget": None if inquiry.budget is None else f"{inquiry.budget:.2f}"}


def lead_created(lead: Lead, inquiry_ids: list[str], assigned_by: str = "filer") -> dict[str, Any]:
    """``assigned_by``: how the owner was chosen: "roster" (the DCC's filing, in turn), "named" or "filer"."""
    return {"lead_id": lead.id, "source": lead.source, "model_interest": lead.model_interest,
            "level": lead.level, "status": lead.status, "owner_id": lead.owner_id,
            "created_by": lead.created_by, "created_at": _iso(lead.created_at),
            "phone_masked": mask_phone(lead.phone), "phone_key": phone_key(lead.phone), "inquiry_ids": inquiry_ids,
            "referrer_phone_masked": mask_phone(lead.referrer_phone), "assigned_by": assigned_by}


def owner_changed(lead: Lead, previous_owner_id: str, by: str, rule: str | None = None) -> dict[str, Any]:
    return {"lead_id": lead.id, "owner_id": lead.owner_id, "previous_owner_id": previous_owner_id,
            "by": by, "rule": rule}


def followed_up(follow_up: FollowUp, owner_id: str) -> dict[str, Any]:
    return {"lead_id": follow_up.lead_id, "follow_up_id": follow_up.id, "channel": follow_up.channel,
            "by": follow_up.by, "owner_id": owner_id, "at": _iso(follow_up.at),
            "next_follow_up_at": _iso(follow_up.next_follow_up_at)}


def qualified(lead: Lead, by: str) -> dict[str, Any]:
    return {"lead_id": lead.id, "level": lead.level, "status": lead.status, "by": by}


def lost(lead: Lead, by: str, lost_at: datetime) -> dict[str, Any]:
    """``reason`` stays for readers of the first version: the note, or the reason code when there is none."""
    return {"lead_id": lead.id, "reason": lead.lost_reason or lead.lost_reason_code, "owner_id": lead.owner_id,
            "by": by, "reason_code": lead.lost_reason_code, "competitor_brand": lead.competitor_brand,
            "lost_at": _iso(lost_at)}


def reopened_by_hand(lead: Lead, by: str, reopened_at: datetime) -> dict[str, Any]:
    """A lost lead reopened by its owner or a manager: no order behind it (``order_id`` is an order's news)."""
    return {"lead_id": lead.id, "status": lead.status, "owner_id": lead.owner_id, "by": by,
            "reopened_at": _iso(reopened_at)}


def status_changed(lead: Lead, order_id: str) -> dict[str, Any]:
    return {"lead_id": lead.id, "status": lead.status, "order_id": order_id, "owner_id": lead.owner_id}


def appointment_booked(appointment: Appointment, owner_id: str) -> dict[str, Any]:
    return {"lead_id": appointment.lead_id, "appointment_id": appointment.id,
            "scheduled_at": _iso(appointment.scheduled_at), "purpose": appointment.purpose,
            "booked_by": appointment.booked_by, "owner_id": owner_id, "booked_at": _iso(appointment.booked_at)}


def appointment_rescheduled(appointment: Appointment, previous: Any, owner_id: str, by: str) -> dict[str, Any]:
    return {"lead_id": appointment.lead_id, "appointment_id": appointment.id,
            "scheduled_at": _iso(appointment.scheduled_at), "previous_scheduled_at": _iso(previous),
            "owner_id": owner_id, "by": by}


def appointment_cancelled(appointment: Appointment, owner_id: str, by: str) -> dict[str, Any]:
    """No reason text: it is free text a customer's number could be typed into; the answer carries it."""
    return {"lead_id": appointment.lead_id, "appointment_id": appointment.id,
            "scheduled_at": _iso(appointment.scheduled_at), "owner_id": owner_id, "by": by,
            "cancelled_at": _iso(appointment.closed_at)}


def appointment_no_show(appointment: Appointment, owner_id: str) -> dict[str, Any]:
    return {"lead_id": appointment.lead_id, "appointment_id": appointment.id,
            "scheduled_at": _iso(appointment.scheduled_at), "booked_by": appointment.booked_by,
            "owner_id": owner_id, "marked_at": _iso(appointment.closed_at)}


def visit_recorded(visit: Visit) -> dict[str, Any]:
    return {"lead_id": visit.lead_id, "visit_id": visit.id, "consultant_id": visit.consultant_id,
            "appointment_id": visit.appointment_id, "visit_number": visit.visit_number,
            "owner_id": visit.owner_after, "previous_owner_id": visit.owner_before,
            "visited_at": _iso(visit.visited_at), "campaign_id": visit.campaign_id}


def test_drive_completed(drive: TestDrive, owner_id: str) -> dict[str, Any]:
    return {"lead_id": drive.lead_id, "test_drive_id": drive.id, "vin": drive.vin,
            "escort_id": drive.escort_id, "consultant_id": drive.consultant_id, "owner_id": owner_id,
            "at": _iso(drive.at)}


test_drive_completed.__test__ = False  # type: ignore[attr-defined]


def roster_set(roster: DutyRoster) -> dict[str, Any]:
    """The duty roster (值班表) of a local day as the sales manager set it."""
    return {"date": roster.day.isoformat(), "consultant_ids": list(roster.consultant_ids), "set_by": roster.set_by,
            "set_at": _iso(roster.set_at)}


def lead_merged(survivor: Lead, duplicate_lead_id: str, by: str, merged_at: datetime) -> dict[str, Any]:
    """A duplicate file merged into ``lead_id``, which now holds both histories; the duplicate counts no more."""
    return {"lead_id": survivor.id, "duplicate_lead_id": duplicate_lead_id, "owner_id": survivor.owner_id,
            "by": by, "merged_at": _iso(merged_at)}


def campaign_created(campaign: Campaign) -> dict[str, Any]:
    """A campaign (市场活动) set up: its days are the store's local days, as ISO dates. The name is free text: a
    number typed into it leaves masked, as everywhere in events."""
    return {"campaign_id": campaign.id, "name": mask_text(campaign.name), "kind": campaign.kind,
            "starts_on": campaign.starts_on.isoformat(), "ends_on": campaign.ends_on.isoformat(),
            "created_by": campaign.created_by, "created_at": _iso(campaign.created_at)}


def campaign_invited(invitation: CampaignInvitation, owner_id: str) -> dict[str, Any]:
    """A lead invited to a campaign, and who owns the lead then (DCC staff invite leads they do not own)."""
    return {"campaign_id": invitation.campaign_id, "lead_id": invitation.lead_id, "owner_id": owner_id,
            "invited_by": invitation.invited_by, "invited_at": _iso(invitation.invited_at)}

"""The agenda's items and a lead's activities as a caller may see them (客户隐私), from the rows queries.py reads."""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from operator import itemgetter
from typing import Any
from zoneinfo import ZoneInfo

from leads.models import Appointment, CampaignInvitation, FollowUp, Lead, LeadStatusChange, TestDrive, Visit
from shared.actors import Actor
from shared.business_time import aware, store_zone
from shared.privacy import mask_phone, mask_text

AGENDA_FIELDS = ("lead_id", "name", "level", "status", "last_contact_at")  # each item's, as schemas.AgendaLead
ITEM_FIELDS = {"follow_ups_due": (*AGENDA_FIELDS, "due_at"), "follow_ups_overdue": (*AGENDA_FIELDS, "due_at"),
               "idle_leads": AGENDA_FIELDS,
               "appointments": (*AGENDA_FIELDS, "appointment_id", "scheduled_at", "purpose")}
TIMES = frozenset(("last_contact_at", "due_at", "scheduled_at"))
LISTS = {"follow_ups_due": "due", "follow_ups_overdue": "overdue", "idle_leads": "idle"}  # name: row flag
LONG_LISTS = ("follow_ups_overdue", "idle_leads")  # answered a page at a time (``limit``)
KIND_ORDER = ("created", "follow_up", "appointment", "campaign_invitation", "visit", "owner_changed", "test_drive",
              "lost", "reopened", "converted", "merged")


def sees_in_full(actor: Actor, owner_id: str) -> bool:
    """The privacy rule: phones, ID numbers and free text in full only for the lead's owner and managers."""
    return actor.is_manager or actor.sub == owner_id


def days_between(earlier: datetime, day: date, zone: ZoneInfo) -> int:
    """Local days from ``earlier`` (an instant) to the store's ``day``."""
    return (day - aware(earlier).astimezone(zone).date()).days


def agenda_lists(lists: dict[str, Any], day: date, actor: Actor) -> dict[str, Any]:
    """The agenda's lists as answered (schemas.AsBuilt), totals as they are; the store's zone looked up once."""
    zone = store_zone()
    return {name: [agenda_item(row, day, actor, zone, ITEM_FIELDS[name]) for row in rows] if name in ITEM_FIELDS
            else rows for name, rows in lists.items()}


def agenda_item(row: Mapping[str, Any], day: date, actor: Actor, zone: ZoneInfo,
                fields: tuple[str, ...]) -> dict[str, Any]:
    """One agenda row with the list's ``fields``, JSON-ready: the phone as the caller may see it, times in the
    store's zone with their offset, and the days since the last contact."""
    item = {field: row[field] for field in fields}
    for moment in TIMES.intersection(fields):
        item[moment] = aware(row[moment]).astimezone(zone).isoformat()
    item["phone"] = row["phone"] if sees_in_full(actor, row["owner_id"]) else mask_phone(row["phone"])
    item["days_since_last_contact"] = days_between(row["last_contact_at"], day, zone)
    return item


def split_work(rows: list[Mapping[str, Any]], limit: int) -> dict[str, Any]:
    """The rows (queries.work_rows) into the agenda's lists, the overdue and idle cut at their ``limit`` most urgent
    with their totals: due and overdue earliest due first, idle longest without contact first (the rows' order).

    A consultant cannot work 500 overdue calls in a day, and turning all of them into JSON cost most of the
    agenda's time; the totals still say how far behind they are.
    """
    lists: dict[str, Any] = {name: [row for row in rows if row[flag]] for name, flag in LISTS.items()}
    for name in ("follow_ups_due", "follow_ups_overdue"):
        lists[name].sort(key=itemgetter("due_at"))  # stable: equal times stay longest without contact first
    for name in LONG_LISTS:
        lists[f"{name}_total"], lists[name] = len(lists[name]), lists[name][:limit]
    return lists


def activities(lead: Lead, found: dict[str, list[Any]], actor: Actor) -> list[dict[str, Any]]:
    """The lead's history oldest first; free text masked as GET /leads/{id} masks the phone."""
    full = sees_in_full(actor, lead.owner_id)
    items = [{"kind": "created", "at": lead.created_at, "by": lead.created_by, "source": lead.source}]
    items += [_follow_up(item, full) for item in found["follow_up"]]
    items += [_appointment(item) for item in found["appointment"]]
    items += [_campaign_invitation(item) for item in found["campaign_invitation"]]
    for visit in found["visit"]:
        items += _visit(visit)
    items += [_test_drive(item) for item in found["test_drive"]]
    items += [_status_change(change, full) for change in found["status_change"]]
    items.sort(key=lambda item: (aware(item["at"]), KIND_ORDER.index(item["kind"])))
    if lead.status == "lost" and not any(change.kind == "lost" for change in found["status_change"]):
        # lost before the status history was kept (migration 0007): its time is not known; it closes the history
        reason = lead.lost_reason if full or lead.lost_reason is None else mask_text(lead.lost_reason)
        items.append({"kind": "lost", "at": None, "by": None, "reason_code": lead.lost_reason_code,
                      "competitor_brand": lead.competitor_brand, "reason": reason})
    return items


def _follow_up(item: FollowUp, full: bool) -> dict[str, Any]:
    return {"kind": "follow_up", "at": item.at, "by": item.by, "channel": item.channel,
            "summary": item.summary if full else mask_text(item.summary), "next_follow_up_at": item.next_follow_up_at}


def _appointment(item: Appointment) -> dict[str, Any]:
    return {"kind": "appointment", "at": item.booked_at, "by": item.booked_by, "appointment_id": item.id,
            "scheduled_at": item.scheduled_at, "purpose": item.purpose, "kept": item.kept_visit_id is not None,
            "status": item.status}


def _visit(visit: Visit) -> list[dict[str, Any]]:
    """A visit; the owner change it brought, when the ownership rule moved the lead, is in the status history."""
    return [{"kind": "visit", "at": visit.visited_at, "by": visit.consultant_id, "visit_number": visit.visit_number,
             "rule": visit.ownership_rule, "campaign_id": visit.campaign_id}]


def _campaign_invitation(item: CampaignInvitation) -> dict[str, Any]:
    """An invitation to a campaign (活动邀约); the visit that names the campaign is its attendance."""
    return {"kind": "campaign_invitation", "at": item.invited_at, "by": item.invited_by,
            "campaign_id": item.campaign_id}


def _test_drive(item: TestDrive) -> dict[str, Any]:
    """A test drive; the driving licence number (an ID number in China) stays out of the history."""
    return {"kind": "test_drive", "at": item.at, "by": item.consultant_id, "vin": item.vin,
            "escort_id": item.escort_id}


def _status_change(change: LeadStatusChange, full: bool) -> dict[str, Any]:
    """A loss, reopening, owner change (a visit's rule or a manager's hand-over), conversion or merge."""
    item: dict[str, Any] = {"kind": change.kind, "at": change.at, "by": change.by}
    if change.kind == "owner_changed":
        item.update(owner_id=change.owner_after, previous_owner_id=change.owner_before, rule=change.rule)
    elif change.kind == "lost":
        reason = change.note if full or change.note is None else mask_text(change.note)
        item.update(reason_code=change.reason_code, competitor_brand=change.competitor_brand, reason=reason)
    elif change.kind == "merged":  # on the survivor: the duplicate it took in; on the duplicate: where it went
        item["merged_into" if change.status_after == "merged" else "duplicate_lead_id"] = change.other_lead_id
    else:  # reopened (by hand, or by an order's cancellation) and converted (an order placed)
        item.update(status=change.status_after, **({"order_id": change.order_id} if change.order_id else {}))
    return item

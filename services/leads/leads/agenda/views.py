"""The agenda's items and a lead's activities as a caller may see them (客户隐私), from the rows queries.py reads."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from leads.models import Appointment, FollowUp, Lead, TestDrive, Visit
from shared.actors import Actor
from shared.business_time import aware, to_store_time
from shared.privacy import mask_phone, mask_text

AGENDA_FIELDS = ("lead_id", "name", "level", "status", "last_contact_at")
KIND_ORDER = ("created", "follow_up", "appointment", "visit", "owner_changed", "test_drive", "lost", "reopened")


def sees_in_full(actor: Actor, owner_id: str) -> bool:
    """The privacy rule: phones, ID numbers and free text in full only for the lead's owner and managers."""
    return actor.is_manager or actor.sub == owner_id


def days_between(earlier: datetime, day: date) -> int:
    """Local days from ``earlier`` (an instant) to the store's ``day``."""
    return (day - to_store_time(earlier).date()).days


def agenda_item(row: dict[str, Any], day: date, actor: Actor) -> dict[str, Any]:
    """One agenda row: the lead, its phone as the caller may see it, and the days since the last contact."""
    item = {field: row[field] for field in AGENDA_FIELDS}
    for extra in ("due_at", "appointment_id", "scheduled_at", "purpose"):
        if extra in row:
            item[extra] = row[extra]
    phone = row["phone"] if sees_in_full(actor, row["owner_id"]) else mask_phone(row["phone"])
    return {**item, "phone": phone, "days_since_last_contact": days_between(row["last_contact_at"], day)}


def split_work(rows: list[dict[str, Any]], start: datetime, end: datetime,
               idle_before: datetime) -> dict[str, list[dict[str, Any]]]:
    """Rows into follow-ups due on the day, overdue from before it, and idle leads (a lead may be in two).

    The rows come longest without contact first.
    """
    lists: dict[str, list[dict[str, Any]]] = {"follow_ups_due": [], "follow_ups_overdue": [], "idle_leads": []}
    for row in rows:
        due = row["due_at"] and aware(row["due_at"])
        if due and start <= due < end:
            lists["follow_ups_due"].append(row)
        elif due and due < start and (row["followed_up_at"] is None or aware(row["followed_up_at"]) < due):
            lists["follow_ups_overdue"].append(row)
        if aware(row["last_contact_at"]) < idle_before:
            lists["idle_leads"].append(row)
    for name in ("follow_ups_due", "follow_ups_overdue"):  # earliest due first; idle: longest without contact first
        lists[name].sort(key=lambda row: aware(row["due_at"]))
    return lists


def activities(lead: Lead, found: dict[str, list[Any]], actor: Actor) -> list[dict[str, Any]]:
    """The lead's history oldest first; free text masked as GET /leads/{id} masks the phone."""
    full = sees_in_full(actor, lead.owner_id)
    items = [{"kind": "created", "at": lead.created_at, "by": lead.created_by, "source": lead.source}]
    items += [_follow_up(item, full) for item in found["follow_up"]]
    items += [_appointment(item) for item in found["appointment"]]
    for visit in found["visit"]:
        items += _visit(visit)
    items += [_test_drive(item) for item in found["test_drive"]]
    items.sort(key=lambda item: (aware(item["at"]), KIND_ORDER.index(item["kind"])))
    if lead.status == "lost":  # the time of a loss is not kept on the lead: it closes the history
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
    """A visit, and the owner change it brought when the ownership rule moved the lead."""
    items = [{"kind": "visit", "at": visit.visited_at, "by": visit.consultant_id, "visit_number": visit.visit_number,
              "rule": visit.ownership_rule}]
    if visit.owner_after != visit.owner_before:
        items.append({"kind": "owner_changed", "at": visit.visited_at, "by": visit.consultant_id,
                      "owner_id": visit.owner_after, "previous_owner_id": visit.owner_before,
                      "rule": visit.ownership_rule})
    return items


def _test_drive(item: TestDrive) -> dict[str, Any]:
    """A test drive; the driving licence number (an ID number in China) stays out of the history."""
    return {"kind": "test_drive", "at": item.at, "by": item.consultant_id, "vin": item.vin,
            "escort_id": item.escort_id}

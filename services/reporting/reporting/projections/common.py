"""What every projection needs: the event's business time and its store-local day, and the lead it counts for."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from reporting.dates import local_day, parse_time
from reporting.models import LeadFact
from reporting.projections.facts import Facts

Projector = Callable[[dict[str, Any], Facts, ZoneInfo], None]
MERGE_HOPS = 20  # a chain of merges longer than this is a loop in the data, not a store's history


def business_time(event: dict[str, Any], field: str) -> datetime:
    """The time the thing happened (a field of ``data``), else the envelope's time."""
    moment = parse_time(event["data"].get(field)) or parse_time(event.get("time"))
    if moment is None:
        raise ValueError(f"event {event.get('id')} carries no readable time in data.{field} or time")
    return moment


def business_day(event: dict[str, Any], field: str, tz: ZoneInfo) -> date:
    """The store-local day the thing happened."""
    return local_day(business_time(event, field), tz)


def text(data: dict[str, Any], field: str, default: str = "") -> str:
    """A text field of ``data``, tolerant of absence and nulls."""
    value = data.get(field)
    return str(value) if value is not None else default


def earliest(current: Any, candidate: Any) -> Any:
    """The earlier of two dates or times, either of which may be missing."""
    if current is None:
        return candidate
    if candidate is None:
        return current
    return min(current, candidate)


def resolve_lead(facts: Facts, lead_id: str) -> LeadFact:
    """The row an event about this lead counts on: its own, or its survivor's when it was merged away (合并)."""
    lead = facts.row(LeadFact, lead_id=lead_id)
    for _ in range(MERGE_HOPS):
        if not lead.merged_into or lead.merged_into == lead.lead_id:
            break
        lead = facts.row(LeadFact, lead_id=lead.merged_into)
    return lead

"""Reads of meetings: a group's month, and how many of its due slots were held on time (scorecard line 1)."""
from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from reporting.dates import aware, month_range, store_zone
from reporting.meetings.domain import HeldMeeting, days_due, is_on_time, on_time_slots
from reporting.models import Meeting


def held(meeting: Meeting) -> HeldMeeting:
    """What the on-time rule needs of a stored meeting."""
    return HeldMeeting(meeting.kind, aware(meeting.held_at).astimezone(store_zone()), bool(meeting.minutes.strip()))


def meeting_view(meeting: Meeting) -> dict[str, Any]:
    return {"meeting_id": meeting.meeting_id, "group_id": meeting.group_id, "kind": meeting.kind,
            "held_at": meeting.held_at, "held_day": meeting.held_day, "minutes": meeting.minutes,
            "attendees": meeting.attendees, "on_time": is_on_time(held(meeting)),
            "recorded_by": meeting.recorded_by, "recorded_at": meeting.recorded_at}


def meetings_in(session: Session, group_id: str, first: date, last: date) -> list[Meeting]:
    """A group's meetings held on the range's local days, in order."""
    return list(session.scalars(select(Meeting).where(Meeting.group_id == group_id,
                                                      Meeting.held_day.between(first, last))
                                .order_by(Meeting.held_at, Meeting.meeting_id)))


def meeting_slots(session: Session, group_id: str, month: str, today: date,
                  working_days: tuple[int, ...]) -> tuple[int, int]:
    """(due slots held on time, slots due) of a group's month."""
    first, last = month_range(month)
    return on_time_slots([held(m) for m in meetings_in(session, group_id, first, last)],
                         days_due(first, last, today, working_days))


def month_meetings(session: Session, group_id: str, month: str, today: date,
                   working_days: tuple[int, ...]) -> dict[str, Any]:
    """A group's meetings of a month, with the on-time count of its scorecard's first line."""
    first, last = month_range(month)
    found = meetings_in(session, group_id, first, last)
    on_time, due = on_time_slots([held(m) for m in found], days_due(first, last, today, working_days))
    return {"group_id": group_id, "month": month, "items": [meeting_view(m) for m in found],
            "on_time_slots": on_time, "slots_due": due}

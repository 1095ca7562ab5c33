"""When a meeting is on time, and how many meetings a month asks of a group (晨会/夕会), free of any framework.

A group holds a morning meeting (晨会, about 9:00) and an evening one (夕会, about 17:00) every working day, with
minutes. The store counts a morning meeting held 08:30–09:15 store-local time and an evening one 16:30–17:15,
each with minutes that are not blank, as on time; anything later, earlier or without minutes is not. A weekly
meeting (周会) is recorded too, but no slot is due for it. Working days are Monday to Saturday unless the
month's scorecard template says otherwise; for the current month only days up to today are due.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

MEETING_KINDS = ("morning", "evening", "weekly")  # 晨会, 夕会, 周会
# The store's windows for "on time" (both ends included), store-local: about 9:00 and about 17:00.
ON_TIME_WINDOWS = {"morning": (time(8, 30), time(9, 15)), "evening": (time(16, 30), time(17, 15))}
DAILY_KINDS = tuple(ON_TIME_WINDOWS)  # the two slots due each working day
DEFAULT_WORKING_DAYS = (1, 2, 3, 4, 5, 6)  # ISO weekdays: Monday to Saturday


@dataclass(frozen=True)
class HeldMeeting:
    """What the count needs of one meeting: its kind, store-local start, and whether minutes were kept."""

    kind: str
    local_start: datetime
    has_minutes: bool


def is_on_time(meeting: HeldMeeting) -> bool:
    """A morning or evening meeting inside its window, with minutes; a weekly meeting fills no slot."""
    window = ON_TIME_WINDOWS.get(meeting.kind)
    if window is None or not meeting.has_minutes:
        return False
    start = meeting.local_start.time().replace(second=0, microsecond=0)
    return window[0] <= start <= window[1]


def days_due(first: date, last: date, today: date, working_days: Iterable[int]) -> list[date]:
    """The month's working days a meeting is due on: up to today for the current month, none in the future."""
    weekdays = set(working_days)
    end = min(last, today)
    return [first + timedelta(days=n) for n in range((end - first).days + 1)
            if (first + timedelta(days=n)).isoweekday() in weekdays]


def on_time_slots(meetings: Iterable[HeldMeeting], due: Iterable[date]) -> tuple[int, int]:
    """(slots held on time, slots due): each due day has a morning and an evening slot, which counts once
    however many meetings were recorded for it."""
    due_days = set(due)
    held = {(m.local_start.date(), m.kind) for m in meetings if is_on_time(m) and m.local_start.date() in due_days}
    return len(held), len(due_days) * len(DAILY_KINDS)

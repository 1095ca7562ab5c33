"""Counters that let the funnel count each lead once over any range of days (再回展厅率, 试乘试驾率).

"Leads that visited in a range" counts a lead once however many days it visited. Counting it on the
first of its visit days inside the range does that: the one day whose previous visit day lies before
the range, or that has none. So every visit day of a lead is counted together with its previous one:
the lead's first day as a day count, each later day as a pair (day, previous day). A range sums the
day counts in it and the pairs in it whose previous day falls before it. Leads that visited *and*
test-drove in a range are those that visited, plus those that test-drove, minus those that did either.

再回展厅率 pairs a lead's first visit with its first return: a range counts the leads whose first
visit is in it (a day count) and, of those, the ones whose return came by its last day (the pairs).

These are what one lead's row counts (``lead_day_counters``); when the row changes (an event arrives,
in whatever order, or a duplicate is merged into it) the counters it counted before are taken off and
those it counts now are added (``reporting.projections.rates``), so counters are only added to, never read.
"""
from __future__ import annotations

from bisect import insort
from collections.abc import Iterator
from datetime import date
from typing import Any

DAY_SETS = ("visited", "drove", "visited_or_drove")
FIRST_DAYS = {name: f"rate_drive_first_{name}" for name in DAY_SETS}  # day counts: a lead's first day of the set
LATER_DAYS = {name: f"rate_drive_later_{name}" for name in DAY_SETS}  # pairs: a later day and the day before it
RETURN_DENOMINATOR = "rate_return_first_visits"  # day counts: leads by their first visit
RETURN_NUMERATOR = "rate_return_returned"  # pairs: (first visit, first return)

DayCounter = tuple[str, date, date | None]  # (metric, day, the other day of a pair or None for a day count)


def read_days(stored: str | None) -> list[date]:
    """A lead's days as kept on its row (ISO dates in order, space-separated)."""
    return [date.fromisoformat(day) for day in (stored or "").split()]


def with_day(stored: str | None, day: date) -> str:
    """The row's days with one more (kept in order, each once)."""
    days = read_days(stored)
    if day not in days:
        insort(days, day)
    return " ".join(d.isoformat() for d in days)


def all_days(*stored: str | None) -> str:
    """Several rows' days as one (a duplicate's days joining the survivor's)."""
    return " ".join(d.isoformat() for d in sorted({d for days in stored for d in read_days(days)}))


def _day_set(name: str, days: list[date]) -> Iterator[DayCounter]:
    previous: date | None = None
    for day in days:
        yield (FIRST_DAYS[name], day, None) if previous is None else (LATER_DAYS[name], day, previous)
        previous = day


def lead_day_counters(lead: dict[str, Any]) -> Iterator[DayCounter]:
    """Every 试乘试驾率 and 再回展厅率 counter one lead's row counts, from its days as they are now."""
    visits, drives = read_days(lead["visit_days"]), read_days(lead["test_drive_days"])
    yield from _day_set("visited", visits)
    yield from _day_set("drove", drives)
    yield from _day_set("visited_or_drove", sorted({*visits, *drives}))
    first_visit, first_return = lead["first_visit_day"], lead["return_visit_day"]
    if first_visit is not None:
        yield RETURN_DENOMINATOR, first_visit, None
        if first_return is not None:
            yield RETURN_NUMERATOR, first_visit, first_return


def second_visit_day(first: date | None, returned: date | None, other_first: date | None,
                     other_returned: date | None) -> date | None:
    """The first return of two visit histories joined (a duplicate merged, 合并): their second visit in time.

    The earlier first visit stays the first; the second visit is the later of the two firsts, or a
    return of either that came before it.
    """
    candidates = [day for day in (returned, other_returned) if day is not None]
    if first is not None and other_first is not None:
        candidates.append(max(first, other_first))
    return min(candidates, default=None)

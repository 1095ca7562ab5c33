"""Counters that let the funnel count each lead once over any range of days (再回展厅率, 试乘试驾率).

"Leads that visited in a range" counts a lead once however many days it visited. Counting it on the
first of its visit days inside the range does that: the one day whose previous visit day lies before
the range, or that has none. So every visit day of a lead is counted together with its previous one:
the lead's first day as a day count, each later day as a pair (day, previous day). A range sums the
day counts in it and the pairs in it whose previous day falls before it. Leads that visited *and*
test-drove in a range are those that visited, plus those that test-drove, minus those that did either.

再回展厅率 pairs a lead's first visit with its first return: a range counts the leads whose first
visit is in it (a day count) and, of those, the ones whose return came by its last day (the pairs).

When a lead's days change (an event arrives, in whatever order), what they counted before is taken
off and what they count now is added, so the counters are only ever added to, never read.
"""
from __future__ import annotations

from bisect import bisect_left
from datetime import date
from typing import Any

from reporting.models import DayPairCount, LeadFact
from reporting.projections.facts import Facts, count

DAY_SETS = ("visited", "drove", "visited_or_drove")
FIRST_DAYS = {name: f"rate_drive_first_{name}" for name in DAY_SETS}  # day counts: a lead's first day of the set
LATER_DAYS = {name: f"rate_drive_later_{name}" for name in DAY_SETS}  # pairs: a later day and the day before it
RETURN_DENOMINATOR = "rate_return_first_visits"  # day counts: leads by their first visit
RETURN_NUMERATOR = "rate_return_returned"  # pairs: (first visit, first return)


def read_days(stored: str | None) -> list[date]:
    """A lead's days as kept on its row (ISO dates in order, space-separated)."""
    return [date.fromisoformat(day) for day in (stored or "").split()]


def _write_days(days: list[date]) -> str:
    return " ".join(day.isoformat() for day in days)


def _count_day(facts: Facts, day_set: str, day: date, previous: date | None, by: int) -> None:
    if previous is None:
        count(facts, day, FIRST_DAYS[day_set], by=by)  # a team figure: no consultant
    else:
        facts.row(DayPairCount, metric=LATER_DAYS[day_set], day=day, other_day=previous).value += by


def _add_day(facts: Facts, day_set: str, days: list[date], day: date) -> list[date]:
    """The set's days with one more; the day after it now follows it instead of the day before."""
    at = bisect_left(days, day)
    previous = days[at - 1] if at else None
    if at < len(days):
        _count_day(facts, day_set, days[at], previous, -1)
        _count_day(facts, day_set, days[at], day, 1)
    _count_day(facts, day_set, day, previous, 1)
    return [*days[:at], day, *days[at:]]


def add_lead_day(facts: Facts, lead: LeadFact, day: date, drove: bool = False) -> None:
    """A lead visited (or test-drove) on a day: keep the day on its row and move the 试乘试驾率 counters."""
    visits, drives = read_days(lead.visit_days), read_days(lead.test_drive_days)
    days, day_set = (drives, "drove") if drove else (visits, "visited")
    if day in days:
        return
    if day not in visits and day not in drives:
        _add_day(facts, "visited_or_drove", sorted({*visits, *drives}), day)
    days = _add_day(facts, day_set, days, day)
    if drove:
        lead.test_drive_days = _write_days(days)
    else:
        lead.visit_days = _write_days(days)


def _return_counters(first_visit: date | None, first_return: date | None) -> set[tuple[str, date, date | None]]:
    if first_visit is None:
        return set()
    counted = {(RETURN_DENOMINATOR, first_visit, None)}
    return counted if first_return is None else {*counted, (RETURN_NUMERATOR, first_visit, first_return)}


def move_return_visit(facts: Facts, lead: LeadFact, before: tuple[Any, Any]) -> None:
    """A lead's first visit or first return moved from ``before``: move the 再回展厅率 counters with it."""
    was, now = _return_counters(*before), _return_counters(lead.first_visit_day, lead.return_visit_day)
    for counters, by in ((was - now, -1), (now - was, 1)):
        for metric, first_visit, first_return in counters:
            if first_return is None:
                count(facts, first_visit, metric, by=by)
            else:
                facts.row(DayPairCount, metric=metric, day=first_visit, other_day=first_return).value += by

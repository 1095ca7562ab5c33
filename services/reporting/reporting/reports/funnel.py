"""The funnel and the KPIs a sales team is paid on, for a range of store-local dates (inclusive),
for the team or for one consultant.

Every figure is summed from counters, whatever the length of the range: stage counts and the rates
whose facts count on one day (建卡率, 邀约到店率, 30天转化率, 转介绍率) from day counters
(``reporting.projections.rates`` keeps them); the rates that count each lead once over the range
(再回展厅率, 试乘试驾率) from day counters and day pairs (``reporting.projections.lead_days``).

One consultant's funnel (``consultant_id``) reads the counters kept for that consultant: the stages
counted by who did the work (the inquiry received, the appointment booked, the visit recorded, the
test drive, the order; leads filed by their owner at filing), the rates by who received the inquiry
(建卡率), who booked the appointment (邀约到店率), and by the lead's owner at filing for the rates that
count leads (30天转化率, 转介绍率, 再回展厅率, 试乘试驾率). A consultant no event names has zeros.

A group's funnel (``group_id``, 小组) sums the same per-consultant counters over the (day, consultant)
pairs where the consultant was a member on that day (``group_memberships``): a consultant who moved
group mid-month counts for each group on the days they were in it. A day pair counts on its first day.
"""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, false, func, or_, select, union_all
from sqlalchemy.orm import Session

from reporting.domain import FUNNEL_STAGES, Rate
from reporting.models import ConsultantDayCount, ConsultantDayPairCount, DailyCount, DayPairCount, GroupMembership
from reporting.projections.lead_days import (
    DAY_SETS,
    FIRST_DAYS,
    LATER_DAYS,
    RETURN_DENOMINATOR,
    RETURN_NUMERATOR,
)
from reporting.projections.rates import ARRIVAL, CONVERSION, FILING, RATE_METRICS, REFERRAL
from reporting.reports import Table

RATE_DAY_METRICS = (*RATE_METRICS, *FIRST_DAYS.values(), RETURN_DENOMINATOR)
DAY_METRICS = (*FUNNEL_STAGES, *RATE_DAY_METRICS)
PAIR_METRICS = (RETURN_NUMERATOR, *LATER_DAYS.values())


def _pairs_counted(first: date, last: date, metric: Any, other_day: Any) -> ColumnElement[bool]:
    """The day pairs a range counts: a return by its last day; a later day whose previous one is before it."""
    return or_(and_(metric == RETURN_NUMERATOR, other_day <= last),
               and_(metric.in_(LATER_DAYS.values()), other_day < first))


def _team_counts(session: Session, first: date, last: date) -> dict[str, int]:
    """The team's counters over the range, two queries: each stage summed over everyone with the rates'
    counters (``daily_counts`` holds only the team's, ''), and the team's day pairs."""
    days = (select(DailyCount.metric, func.sum(DailyCount.value))
            .where(DailyCount.day.between(first, last), DailyCount.metric.in_(DAY_METRICS))
            .group_by(DailyCount.metric))
    pairs = (select(DayPairCount.metric, func.sum(DayPairCount.value))
             .where(DayPairCount.metric.in_(PAIR_METRICS), DayPairCount.day.between(first, last),
                    _pairs_counted(first, last, DayPairCount.metric, DayPairCount.other_day))
             .group_by(DayPairCount.metric))
    return {metric: int(total or 0) for query in (days, pairs) for metric, total in session.execute(query).all()}


def _consultant_counts(session: Session, first: date, last: date, consultant: str) -> dict[str, int]:
    """One consultant's counters over the range: their stages, and their rates' twins of the team's counters."""
    stages = (select(DailyCount.metric, func.sum(DailyCount.value))
              .where(DailyCount.day.between(first, last), DailyCount.metric.in_(FUNNEL_STAGES),
                     DailyCount.consultant_id == consultant)
              .group_by(DailyCount.metric))
    rates = (select(ConsultantDayCount.metric, func.sum(ConsultantDayCount.value))
             .where(ConsultantDayCount.consultant_id == consultant, ConsultantDayCount.day.between(first, last),
                    ConsultantDayCount.metric.in_(RATE_DAY_METRICS))
             .group_by(ConsultantDayCount.metric))
    pairs_of = ConsultantDayPairCount
    pairs = (select(pairs_of.metric, func.sum(pairs_of.value))
             .where(pairs_of.consultant_id == consultant, pairs_of.metric.in_(PAIR_METRICS),
                    pairs_of.day.between(first, last), _pairs_counted(first, last, pairs_of.metric, pairs_of.other_day))
             .group_by(pairs_of.metric))
    return {metric: int(total or 0) for metric, total in session.execute(union_all(stages, rates, pairs)).all()}


def _member_spans(session: Session, first: date, last: date, group_id: str) -> list[tuple[str, date, date]]:
    """Each member's days in the group within the range: (consultant, first day, last day), both included."""
    member = GroupMembership
    rows = session.execute(select(member.staff_id, member.from_day, member.until_day).where(
        member.group_id == group_id, member.from_day <= last,
        or_(member.until_day.is_(None), member.until_day > first))).all()
    return [(staff_id, max(since, first), min(until - timedelta(days=1), last) if until else last)
            for staff_id, since, until in rows]


def _on_member_days(consultant: Any, day: Any, spans: list[tuple[str, date, date]]) -> ColumnElement[bool]:
    """A counter of a member on one of their days in the group: a stretch of the counters' key per span."""
    return or_(*(and_(consultant == staff_id, day.between(since, until)) for staff_id, since, until in spans))


def _checked_member_days(consultant: Any, day: Any, spans: list[tuple[str, date, date]]) -> ColumnElement[bool]:
    """The same test as ``_on_member_days``, for a table keyed by the day first (``daily_counts``): a CASE on the
    consultant, which the database checks row by row over one stretch of the range, instead of a stretch of the
    key per span (each as long as the range there)."""
    days: dict[str, list[tuple[date, date]]] = {}
    for staff_id, since, until in spans:
        days.setdefault(staff_id, []).append((since, until))
    return case(*((consultant == staff_id, or_(*(day.between(since, until) for since, until in stretches)))
                  for staff_id, stretches in days.items()), else_=false())


def _group_counts(session: Session, first: date, last: date, group_id: str) -> dict[str, int]:
    """A group's counters over the range: each member's counters on the days they were in it.

    Two queries: the group's members over the range (a few rows), then their counters, one stretch of
    each counter table's key per member and span.
    """
    spans = _member_spans(session, first, last, group_id)
    if not spans:
        return {}
    members = sorted({staff_id for staff_id, _, _ in spans})
    stages = (select(DailyCount.metric, func.sum(DailyCount.value))
              .where(DailyCount.day.between(first, last), DailyCount.metric.in_(FUNNEL_STAGES),
                     DailyCount.consultant_id.in_(members),
                     _checked_member_days(DailyCount.consultant_id, DailyCount.day, spans))
              .group_by(DailyCount.metric))
    counts = ConsultantDayCount
    rates = (select(counts.metric, func.sum(counts.value))
             .where(counts.consultant_id.in_(members), counts.day.between(first, last),
                    counts.metric.in_(RATE_DAY_METRICS), _checked_member_days(counts.consultant_id, counts.day, spans))
             .group_by(counts.metric))
    pairs_of = ConsultantDayPairCount
    pairs = (select(pairs_of.metric, func.sum(pairs_of.value))
             .where(_on_member_days(pairs_of.consultant_id, pairs_of.day, spans), pairs_of.metric.in_(PAIR_METRICS),
                    _pairs_counted(first, last, pairs_of.metric, pairs_of.other_day))
             .group_by(pairs_of.metric))
    return {metric: int(total or 0) for metric, total in session.execute(union_all(stages, rates, pairs)).all()}


def _counted_rate(found: dict[str, int], metrics: tuple[str, str]) -> Rate:
    denominator, numerator = metrics
    return Rate(found.get(numerator, 0), found.get(denominator, 0))


def _leads_with_a_day_in_range(found: dict[str, int], day_set: str) -> int:
    return found.get(FIRST_DAYS[day_set], 0) + found.get(LATER_DAYS[day_set], 0)


def rates(found: dict[str, int]) -> dict[str, Rate]:
    """The KPIs from the range's counters, as DOMAIN.md defines them, in ``RATE_NAMES`` order."""
    visited, drove, either = (_leads_with_a_day_in_range(found, name) for name in DAY_SETS)
    return {
        # 建卡率: calls and walk-ins in the range that were filed ÷ calls and walk-ins in the range
        "filing_rate": _counted_rate(found, FILING),
        # 邀约到店率: appointments booked in the range that a visit kept (no-shows and cancellations never
        # are) ÷ appointments booked in the range, each once however often it was moved
        "appointment_arrival_rate": _counted_rate(found, ARRIVAL),
        # 再回展厅率: leads first visiting in the range that came back by its last day ÷ those leads
        "return_visit_rate": Rate(found.get(RETURN_NUMERATOR, 0), found.get(RETURN_DENOMINATOR, 0)),
        # 试乘试驾率: distinct leads visiting in the range that test-drove in it ÷ distinct visiting leads
        "test_drive_rate": Rate(visited + drove - either, visited),
        # 30天转化率: leads filed in the range that ordered within 30 days ÷ leads filed in the range
        "conversion_30d": _counted_rate(found, CONVERSION),
        # 转介绍率: leads filed in the range from a referral ÷ leads filed in the range
        "referral_rate": _counted_rate(found, REFERRAL),
    }


def funnel(session: Session, first: date, last: date, consultant: str | None = None,
           group_id: str | None = None) -> dict[str, Any]:
    """ARCHITECTURE.md's funnel shape, plus each rate's numerator and denominator: two queries, or one.

    The team's, one consultant's, or one group's (the caller checks the group exists). Merged
    duplicates count once: a duplicate's filing counts no more, its days are the survivor's.
    """
    if group_id is not None:
        found = _group_counts(session, first, last, group_id)
    elif consultant is not None:
        found = _consultant_counts(session, first, last, consultant)
    else:
        found = _team_counts(session, first, last)
    kpis = rates(found)
    return {"from": first, "to": last, "consultant_id": consultant, "group_id": group_id,
            **{stage: found.get(stage, 0) for stage in FUNNEL_STAGES},
            "rates": {name: rate.value for name, rate in kpis.items()},
            "rate_details": {name: rate.details() for name, rate in kpis.items()}}


def funnel_table(report: dict[str, Any]) -> Table:
    """One row per stage and per rate; rates carry their numerator and denominator."""
    rows: list[list[Any]] = [[stage, report[stage], "", ""] for stage in FUNNEL_STAGES]
    rows += [[name, value, report["rate_details"][name]["numerator"], report["rate_details"][name]["denominator"]]
             for name, value in report["rates"].items()]
    return ["metric", "value", "numerator", "denominator"], rows

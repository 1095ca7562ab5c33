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

from reporting import dates
from reporting.domain import FUNNEL_STAGES, Rate, last_judged_filing_day
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
from reporting.reports.consultants import staff_names

# What each figure counts (the bars and the rates count different populations): in the JSON and the CSV.
POPULATIONS = {
    "inquiries": "calls, walk-ins and online inquiries logged on a day of the range, repeat calls from customers "
                 "on file included; a consultant's: those they received",
    "leads": "customers filed on a day of the range, merged duplicates left out; a consultant's: owned at filing",
    "appointments": "appointments booked on a day of the range; a consultant's: those they booked",
    "visits": "visits on a day of the range, returns included; a consultant's: those they received",
    "test_drives": "test drives on a day of the range; a consultant's: those they rode along",
    "orders": "orders placed on a day of the range, cancelled since or not; a consultant's: those they placed",
    "deliveries": "cars delivered on a day of the range; a consultant's: those they sold",
    "filing_rate": "new-customer contacts on a day of the range (a call or walk-in from a phone with no file then, "
                   "or a walk-in or call filed with no inquiry logged) filed by the end of the next local day; "
                   "callers already on file count on neither side",
    "appointment_arrival_rate": "appointments booked on a day of the range kept by a visit (no-shows and "
                                "cancellations are not)",
    "return_visit_rate": "leads whose first visit is on a day of the range that came back by its last day",
    "test_drive_rate": "leads that visited on a day of the range and test-drove on one",
    "conversion_30d": "leads filed on a day of the range whose 30 days have passed, with an order not cancelled "
                      "(naming them or carrying their phone) within 30 days of filing",
    "conversion_30d.not_yet_30_days": "leads filed on a day of the range whose 30 days have not passed today: "
                                      "on neither side of conversion_30d",
    "conversion_30d.ordered_so_far": "of those, the leads with an order not cancelled so far",
    "referral_rate": "leads filed on a day of the range from a referral, of all leads filed on those days",
}
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


def _conversion(found: dict[str, int], young: dict[str, int]) -> Rate:
    """30天转化率 over the leads whose 30 days have passed; the younger ones counted apart."""
    denominator, numerator = CONVERSION
    young_leads, young_ordered = young.get(denominator, 0), young.get(numerator, 0)
    return Rate(found.get(numerator, 0) - young_ordered, found.get(denominator, 0) - young_leads,
                (("not_yet_30_days", young_leads), ("ordered_so_far", young_ordered)))


def rates(found: dict[str, int], young: dict[str, int] | None = None) -> dict[str, Rate]:
    """The KPIs from the range's counters, as DOMAIN.md defines them, in ``RATE_NAMES`` order.

    ``young``: the counters of the range's days whose leads' 30 days have not passed (none by default).
    """
    visited, drove, either = (_leads_with_a_day_in_range(found, name) for name in DAY_SETS)
    return {
        # 建卡率: new-customer contacts in the range (calls and walk-ins from a phone with no file then, and
        # walk-ins or calls filed with no inquiry logged) filed by the end of the next local day ÷ those contacts
        "filing_rate": _counted_rate(found, FILING),
        # 邀约到店率: appointments booked in the range that a visit kept (no-shows and cancellations never
        # are) ÷ appointments booked in the range, each once however often it was moved
        "appointment_arrival_rate": _counted_rate(found, ARRIVAL),
        # 再回展厅率: leads first visiting in the range that came back by its last day ÷ those leads
        "return_visit_rate": Rate(found.get(RETURN_NUMERATOR, 0), found.get(RETURN_DENOMINATOR, 0)),
        # 试乘试驾率: distinct leads visiting in the range that test-drove in it ÷ distinct visiting leads
        "test_drive_rate": Rate(visited + drove - either, visited),
        # 30天转化率: leads filed in the range, 30 days passed, with an order not cancelled within 30 days ÷
        # those leads; the leads younger than 30 days apart (how many, and how many ordered so far)
        "conversion_30d": _conversion(found, young or {}),
        # 转介绍率: leads filed in the range from a referral ÷ leads filed in the range
        "referral_rate": _counted_rate(found, REFERRAL),
    }


def _counts(session: Session, first: date, last: date, consultant: str | None, group_id: str | None) -> dict[str, int]:
    if group_id is not None:
        return _group_counts(session, first, last, group_id)
    if consultant is not None:
        return _consultant_counts(session, first, last, consultant)
    return _team_counts(session, first, last)


def funnel(session: Session, first: date, last: date, consultant: str | None = None,
           group_id: str | None = None, today: date | None = None) -> dict[str, Any]:
    """ARCHITECTURE.md's funnel shape, plus each rate's numerator and denominator and what each figure counts.

    The team's, one consultant's, or one group's (the caller checks the group exists). Merged
    duplicates count once: a duplicate's filing counts no more, its days are the survivor's. ``today``
    (the store's, by default) decides which leads' 30 days have passed: a range reaching into the last
    31 days reads those days' counters once more, to set their leads apart.
    """
    today = today or dates.today(dates.store_zone())
    found = _counts(session, first, last, consultant, group_id)
    young_from = max(first, last_judged_filing_day(today) + timedelta(days=1))
    young = _counts(session, young_from, last, consultant, group_id) if young_from <= last else {}
    kpis = rates(found, young)
    return {"from": first, "to": last, "consultant_id": consultant, "group_id": group_id,
            "consultant_name": staff_names(session, [consultant]).get(consultant) if consultant else None,
            **{stage: found.get(stage, 0) for stage in FUNNEL_STAGES},
            "rates": {name: rate.value for name, rate in kpis.items()},
            "rate_details": {name: rate.details() for name, rate in kpis.items()},
            "populations": POPULATIONS}


def funnel_table(report: dict[str, Any]) -> Table:
    """One row per stage and per rate; rates carry their numerator and denominator; every row what it counts."""
    notes = report["populations"]
    rows: list[list[Any]] = [[stage, report[stage], "", "", notes[stage]] for stage in FUNNEL_STAGES]
    for name, value in report["rates"].items():
        details = report["rate_details"][name]
        rows.append([name, value, details["numerator"], details["denominator"], notes[name]])
        rows += [[f"{name}.{part}", n, "", "", notes[f"{name}.{part}"]]
                 for part, n in details.items() if part not in ("numerator", "denominator")]
    return ["metric", "value", "numerator", "denominator", "counts"], rows

"""The funnel and the KPIs a sales team is paid on, for a range of store-local dates (inclusive).

Every figure is summed from counters, whatever the length of the range: stage counts and the rates
whose facts count on one day (建卡率, 邀约到店率, 30天转化率) from day counters
(``reporting.projections.rates`` keeps them); the rates that count each lead once over the range
(再回展厅率, 试乘试驾率) from day counters and day pairs (``reporting.projections.lead_days``).
"""
from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from reporting.domain import FUNNEL_STAGES, Rate
from reporting.models import AppointmentFact, DailyCount, DayPairCount, InquiryFact, LeadFact
from reporting.projections.lead_days import (
    DAY_SETS,
    FIRST_DAYS,
    LATER_DAYS,
    RETURN_DENOMINATOR,
    RETURN_NUMERATOR,
)
from reporting.projections.rates import RATE_COUNTERS
from reporting.reports import Table

DAY_METRICS = (*FUNNEL_STAGES, *(m for rule in RATE_COUNTERS.values() for m in (rule[2], rule[4])),
               *FIRST_DAYS.values(), RETURN_DENOMINATOR)


def _day_counts(session: Session, first: date, last: date) -> dict[str, int]:
    """Every team day counter the funnel reads, summed over the range, in one query."""
    rows = session.execute(select(DailyCount.metric, func.sum(DailyCount.value))
                           .where(DailyCount.day.between(first, last), DailyCount.metric.in_(DAY_METRICS))
                           .group_by(DailyCount.metric)).all()
    return {metric: int(total or 0) for metric, total in rows}


def _pair_counts(session: Session, first: date, last: date) -> dict[str, int]:
    """The day pairs the range counts: a return by its last day; a later day whose previous one is before it."""
    counted = or_(and_(DayPairCount.metric == RETURN_NUMERATOR, DayPairCount.other_day <= last),
                  and_(DayPairCount.metric.in_(LATER_DAYS.values()), DayPairCount.other_day < first))
    rows = session.execute(select(DayPairCount.metric, func.sum(DayPairCount.value))
                           .where(DayPairCount.metric.in_([RETURN_NUMERATOR, *LATER_DAYS.values()]),
                                  DayPairCount.day.between(first, last), counted)
                           .group_by(DayPairCount.metric)).all()
    return {metric: int(total or 0) for metric, total in rows}


def _counted_rate(found: dict[str, int], fact: type) -> Rate:
    _, _, denominator, _, numerator = RATE_COUNTERS[fact]
    return Rate(found.get(numerator, 0), found.get(denominator, 0))


def _leads_with_a_day_in_range(found: dict[str, int], day_set: str) -> int:
    return found.get(FIRST_DAYS[day_set], 0) + found.get(LATER_DAYS[day_set], 0)


def rates(found: dict[str, int]) -> dict[str, Rate]:
    """The KPIs from the range's counters, as DOMAIN.md defines them, in ``RATE_NAMES`` order."""
    visited, drove, either = (_leads_with_a_day_in_range(found, name) for name in DAY_SETS)
    return {
        # 建卡率: calls and walk-ins in the range that were filed ÷ calls and walk-ins in the range
        "filing_rate": _counted_rate(found, InquiryFact),
        # 邀约到店率: appointments booked in the range that a visit kept ÷ appointments booked
        "appointment_arrival_rate": _counted_rate(found, AppointmentFact),
        # 再回展厅率: leads first visiting in the range that came back by its last day ÷ those leads
        "return_visit_rate": Rate(found.get(RETURN_NUMERATOR, 0), found.get(RETURN_DENOMINATOR, 0)),
        # 试乘试驾率: distinct leads visiting in the range that test-drove in it ÷ distinct visiting leads
        "test_drive_rate": Rate(visited + drove - either, visited),
        # 30天转化率: leads filed in the range that ordered within 30 days ÷ leads filed in the range
        "conversion_30d": _counted_rate(found, LeadFact),
    }


def funnel(session: Session, first: date, last: date) -> dict[str, Any]:
    """ARCHITECTURE.md's funnel shape, plus each rate's numerator and denominator: two queries in all."""
    found = {**_day_counts(session, first, last), **_pair_counts(session, first, last)}
    kpis = rates(found)
    return {"from": first, "to": last, **{stage: found.get(stage, 0) for stage in FUNNEL_STAGES},
            "rates": {name: rate.value for name, rate in kpis.items()},
            "rate_details": {name: rate.details() for name, rate in kpis.items()}}


def funnel_table(report: dict[str, Any]) -> Table:
    """One row per stage and per rate; rates carry their numerator and denominator."""
    rows: list[list[Any]] = [[stage, report[stage], "", ""] for stage in FUNNEL_STAGES]
    rows += [[name, value, report["rate_details"][name]["numerator"], report["rate_details"][name]["denominator"]]
             for name, value in report["rates"].items()]
    return ["metric", "value", "numerator", "denominator"], rows

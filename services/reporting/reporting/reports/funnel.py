"""The funnel and the KPIs a sales team is paid on, for a range of store-local dates (inclusive).

Stage counts and the rates whose facts count on one day (建卡率, 邀约到店率, 30天转化率) are summed from
day counters (``reporting.bulk.RATE_COUNTERS`` keeps them); the rates that join a lead's days
(再回展厅率, 试乘试驾率) read the per-lead facts through covering indexes.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.orm import Session

from reporting.bulk import RATE_COUNTERS
from reporting.kpi import FUNNEL_STAGES, Rate
from reporting.models import AppointmentFact, DailyCount, InquiryFact, LeadDay, LeadFact

COUNTED_RATES = {"filing_rate": InquiryFact, "appointment_arrival_rate": AppointmentFact, "conversion_30d": LeadFact}


def _yes(condition: ColumnElement[bool]) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _rate(session: Session, numerator: Any, *where: ColumnElement[bool]) -> Rate:
    found = session.execute(select(_yes(numerator), func.count()).where(*where)).one()
    return Rate(int(found[0]), int(found[1]))


def _day_counts(session: Session, first: date, last: date) -> dict[str, int]:
    """Every team day counter the funnel reads, summed over the range, in one query."""
    metrics = [*FUNNEL_STAGES, *(m for rule in RATE_COUNTERS.values() for m in (rule[2], rule[4]))]
    rows = session.execute(select(DailyCount.metric, func.sum(DailyCount.value))
                           .where(DailyCount.day.between(first, last), DailyCount.metric.in_(metrics))
                           .group_by(DailyCount.metric)).all()
    return {metric: int(total or 0) for metric, total in rows}


def stage_counts(session: Session, first: date, last: date) -> dict[str, int]:
    """How many inquiries, leads, appointments, ... happened in the range."""
    found = _day_counts(session, first, last)
    return {stage: found.get(stage, 0) for stage in FUNNEL_STAGES}


def _counted_rate(found: dict[str, int], fact: type) -> Rate:
    _, _, denominator, _, numerator = RATE_COUNTERS[fact]
    return Rate(found.get(numerator, 0), found.get(denominator, 0))


def filing_rate(session: Session, first: date, last: date) -> Rate:
    """建卡率: calls and walk-ins in the range that were filed ÷ calls and walk-ins in the range."""
    return _counted_rate(_day_counts(session, first, last), InquiryFact)


def appointment_arrival_rate(session: Session, first: date, last: date) -> Rate:
    """邀约到店率: appointments booked in the range that a visit kept ÷ appointments booked."""
    return _counted_rate(_day_counts(session, first, last), AppointmentFact)


def return_visit_rate(session: Session, first: date, last: date) -> Rate:
    """再回展厅率: leads first visiting in the range that came back by its last day ÷ those leads."""
    return _rate(session, LeadFact.return_visit_day <= last, LeadFact.first_visit_day.between(first, last))


def test_drive_rate(session: Session, first: date, last: date) -> Rate:
    """试乘试驾率: distinct leads visiting in the range that test-drove in it ÷ distinct visiting leads."""
    per_lead = (select(func.max(case((LeadDay.visits > 0, 1), else_=0)).label("visited"),
                       func.max(case((LeadDay.test_drives > 0, 1), else_=0)).label("drove"))
                .where(LeadDay.day.between(first, last)).group_by(LeadDay.lead_id).subquery())
    return _rate(session, per_lead.c.drove == 1, per_lead.c.visited == 1)  # one pass over the range


test_drive_rate.__test__ = False  # type: ignore[attr-defined]


def conversion_30d(session: Session, first: date, last: date) -> Rate:
    """30天转化率: leads filed in the range that ordered within 30 days ÷ leads filed in the range."""
    return _counted_rate(_day_counts(session, first, last), LeadFact)


RATES = {"filing_rate": filing_rate, "appointment_arrival_rate": appointment_arrival_rate,
         "return_visit_rate": return_visit_rate, "test_drive_rate": test_drive_rate,
         "conversion_30d": conversion_30d}


def funnel(session: Session, first: date, last: date) -> dict[str, Any]:
    """ARCHITECTURE.md's funnel shape, plus each rate's numerator and denominator."""
    found = _day_counts(session, first, last)
    rates = {name: _counted_rate(found, COUNTED_RATES[name]) if name in COUNTED_RATES else compute(session, first, last)
             for name, compute in RATES.items()}
    return {"from": first, "to": last, **{stage: found.get(stage, 0) for stage in FUNNEL_STAGES},
            "rates": {name: rate.value for name, rate in rates.items()},
            "rate_details": {name: rate.details() for name, rate in rates.items()}}

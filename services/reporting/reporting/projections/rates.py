"""The funnel's cohort rates that depend on one fact row alone (建卡率, 邀约到店率, 30天转化率), kept as day counters.

When a fact row changes, what it counted before is taken off its day and what it counts now is
added (``RATE_COUNTERS``), so a report sums a few hundred counters instead of scanning every fact
of the range, with the same numerator and denominator.
"""
from __future__ import annotations

from typing import Any

from reporting.domain import FILING_CHANNELS
from reporting.models import AppointmentFact, Base, InquiryFact, LeadFact
from reporting.projections.tables import COLUMNS, Values

# (day column, counted when, metric of the denominator, flag column, metric of the numerator), per fact table
RATE_COUNTERS: dict[type[Base], tuple[str, Any, str, str, str]] = {
    InquiryFact: ("day", lambda v: v["channel"] in FILING_CHANNELS, "rate_filing_inquiries", "filed",
                  "rate_filing_filed"),
    AppointmentFact: ("day", lambda v: True, "rate_arrival_booked", "kept", "rate_arrival_kept"),
    LeadFact: ("created_day", lambda v: True, "rate_conversion_leads", "converted_30d", "rate_conversion_converted"),
}


def rate_counts(model: type[Base], values: dict[str, Any] | None) -> list[tuple[Any, str]]:
    """The (day, metric) counters one fact row adds to: its rate's denominator, and numerator when it holds."""
    rule = RATE_COUNTERS.get(model)
    if rule is None or values is None:
        return []
    day_column, counted, denominator, flag, numerator = rule
    day = values.get(day_column)
    if day is None or not counted(values):
        return []
    return [(day, denominator), (day, numerator)] if values.get(flag) else [(day, denominator)]


def move_rate_counts(model: type[Base], before: Values | None, values: Values,
                     rates: dict[tuple[Any, str], int]) -> None:
    """Take off what a fact row counted before and add what it counts now."""
    if model not in RATE_COUNTERS:
        return
    names = COLUMNS[model]
    for counter in rate_counts(model, dict(zip(names, before, strict=True)) if before is not None else None):
        rates[counter] = rates.get(counter, 0) - 1
    for counter in rate_counts(model, dict(zip(names, values, strict=True))):
        rates[counter] = rates.get(counter, 0) + 1

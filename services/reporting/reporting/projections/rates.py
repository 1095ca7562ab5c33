"""Counters that follow from a fact row as it is: the funnel's rates, leads filed, and losses (战败原因).

A fact row counts on a few counters (``counters_of``): an inquiry from a phone with no file on the
filing rate's (建卡率), and so does a lead filed from a walk-in or call with no inquiry logged; an
appointment on the arrival rate's (邀约到店率), a lead on leads filed, 30天转化率, 转介绍率, the
lead-day counters of 再回展厅率 and 试乘试驾率 (``reporting.projections.lead_days``), and, while it is
still lost, on the lost reasons. When a row changes, what it counted before is taken off and what it
counts now is added (``move_rate_counts``), so a report sums a few hundred counters instead of scanning
every fact of the range, whatever order events arrived in.

Who a rate is attributed to, for the funnel of one consultant (``?consultant_id=``): the consultant who
received the inquiry, or filed the walk-in or call logged as no inquiry (建卡率), who booked the
appointment (邀约到店率), and the lead's owner at filing for the rates that count leads (30天转化率,
转介绍率, 再回展厅率, 试乘试驾率): the consultant who first received the customer and filed them
(DOMAIN.md, ownership rule 1), whoever owns the lead later. A rate's
counters are kept for the team ('' in ``daily_counts`` and ``day_pair_counts``) and beside them for that
consultant (``consultant_day_counts``, ``consultant_day_pair_counts``); a fact with no consultant counts
for the team alone. A loss counts for the lead's owner when it was lost.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from reporting.dates import aware
from reporting.domain import FILING_CHANNELS, LOST_REASONS, OTHER_REASON, REFERRAL_SOURCE
from reporting.models import (
    AppointmentFact,
    Base,
    ConsultantDayCount,
    ConsultantDayPairCount,
    DailyCount,
    DayPairCount,
    InquiryFact,
    LeadFact,
    LostReasonCount,
)
from reporting.projections.lead_days import lead_day_counters
from reporting.projections.tables import COLUMNS, Values

TEAM = ""
# (denominator, numerator) day metrics of the rates a fact row's flag decides
FILING = ("rate_filing_inquiries", "rate_filing_filed")
ARRIVAL = ("rate_arrival_booked", "rate_arrival_kept")
CONVERSION = ("rate_conversion_leads", "rate_conversion_converted")
REFERRAL = ("rate_referral_leads", "rate_referral_referred")
RATE_METRICS = (*FILING, *ARRIVAL, *CONVERSION, *REFERRAL)
LEADS_FILED = "leads"  # the funnel's stage, counted per owner at filing (the team's figure is the sum)

Counted = tuple[type[Base], tuple[Any, ...]]  # a counter row: its table and its key, in key order


def _day(out: list[Counted], day: Any, metric: str, consultant: str | None) -> None:
    """A day counter of the team, and its twin for the consultant (when there is one)."""
    out.append((DailyCount, (day, metric, TEAM)))
    if consultant:
        out.append((ConsultantDayCount, (consultant, day, metric)))


def _pair(out: list[Counted], metric: str, day: Any, other_day: Any, consultant: str | None) -> None:
    """A day pair of the team, and its twin for the consultant (when there is one)."""
    out.append((DayPairCount, (metric, day, other_day)))
    if consultant:
        out.append((ConsultantDayPairCount, (consultant, metric, day, other_day)))


def _rate(out: list[Counted], day: Any, metrics: tuple[str, str], holds: bool, consultant: str | None) -> None:
    """A rate's denominator on its day, and its numerator when the row's flag holds."""
    _day(out, day, metrics[0], consultant)
    if holds:
        _day(out, day, metrics[1], consultant)


def _inquiry(row: dict[str, Any]) -> list[Counted]:
    """建卡率: a call or walk-in from a phone with no file then, on its day; filed by the next day's end or not.

    A call or visit from a customer already on file counts on neither side.
    """
    out: list[Counted] = []
    if row["day"] is not None and row["channel"] in FILING_CHANNELS and not row["on_file"]:
        _rate(out, row["day"], FILING, bool(row["filed"]), row["consultant_id"])
    return out


def _appointment(row: dict[str, Any]) -> list[Counted]:
    """邀约到店率 on the day it was booked: kept by a visit, unless missed (爽约) or cancelled."""
    out: list[Counted] = []
    if row["day"] is not None:
        kept = bool(row["kept"]) and not row["no_show"] and not row["cancelled"]
        _rate(out, row["day"], ARRIVAL, kept, row["consultant_id"])
    return out


def still_lost(row: dict[str, Any]) -> bool:
    """Lost, and not reopened (or converted by an order) since its latest loss."""
    lost_at, reopened_at = row["lost_at"], row["reopened_at"]
    return lost_at is not None and (reopened_at is None or aware(lost_at) > aware(reopened_at))


def _lead(row: dict[str, Any]) -> list[Counted]:
    """A lead's counters: filed, 30天转化率, 转介绍率, its days, and its loss; a merged duplicate counts nowhere."""
    out: list[Counted] = []
    if row["merged_into"]:
        return out
    owner, filed = row["owner_id"] or TEAM, row["created_day"]
    if filed is not None:
        out.append((DailyCount, (filed, LEADS_FILED, owner)))
        if row["direct_contact"]:  # 建卡率: a walk-in or call filed with no inquiry logged is a contact, filed
            _rate(out, filed, FILING, True, row["filed_by"] or owner)
        _rate(out, filed, CONVERSION, bool(row["converted_30d"]), owner)
        _rate(out, filed, REFERRAL, row["source"] == REFERRAL_SOURCE, owner)
    for metric, day, other_day in lead_day_counters(row):
        if other_day is None:
            _day(out, day, metric, owner)
        else:
            _pair(out, metric, day, other_day, owner)
    if row["lost_day"] is not None and still_lost(row):
        code = row["lost_reason_code"] if row["lost_reason_code"] in LOST_REASONS else OTHER_REASON
        out.append((LostReasonCount, (row["lost_day"], code, row["competitor_brand"] or "",
                                      row["lost_owner_id"] or TEAM)))
    return out


COUNTED_BY: dict[type[Base], Callable[[dict[str, Any]], list[Counted]]] = {
    InquiryFact: _inquiry, AppointmentFact: _appointment, LeadFact: _lead}


def counters_of(model: type[Base], row: dict[str, Any] | None) -> list[Counted]:
    """The counters one fact row counts on, each once (none for a table no rate reads, or no row)."""
    counted = COUNTED_BY.get(model)
    return counted(row) if counted is not None and row is not None else []


def move_rate_counts(model: type[Base], before: Values | None, values: Values, rates: dict[Counted, int]) -> None:
    """Take off what a fact row counted before and add what it counts now (what it counts still stays put)."""
    if model not in COUNTED_BY:
        return
    names = COLUMNS[model]
    was = set(counters_of(model, dict(zip(names, before, strict=True)) if before is not None else None))
    now = set(counters_of(model, dict(zip(names, values, strict=True))))
    for counter in was - now:
        rates[counter] = rates.get(counter, 0) - 1
    for counter in now - was:
        rates[counter] = rates.get(counter, 0) + 1

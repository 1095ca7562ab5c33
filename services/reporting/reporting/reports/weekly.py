"""The weekly progress report (周销售进度), per group and for the store, for an ISO week of local dates.

Units delivered in the week and in its month to the week's last day, against the month's target to date
(the month's target × days of the month elapsed by the week's last day ÷ days in the month; the month is
that of the week's last day), the week's funnel, the change from the week before (units, and each rate in
percentage points), and the plan the group's supervisor wrote on it for the next week.
"""
from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from reporting.dates import month_of, month_range
from reporting.domain import FUNNEL_STAGES
from reporting.models import SaleFact, WeeklyPlan
from reporting.pay.domain import HUNDRED, cents, ratio
from reporting.pay.standing import names, standings, store_target
from reporting.reports import Table
from reporting.reports.funnel import funnel
from reporting.reports.groups import FIVE_RATES, rates_of
from shared.domain import InvalidInput

WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


def week_days(value: str) -> tuple[date, date]:
    """``2026-W48`` -> (Monday 23 Nov 2026, Sunday 29 Nov 2026), or a 422 naming ``week``."""
    found = WEEK.match(value or "")
    try:
        if not found or not 2000 <= int(found.group(1)) <= 2100:
            raise ValueError
        monday = date.fromisocalendar(int(found.group(1)), int(found.group(2)), 1)
    except ValueError:
        raise InvalidInput("week", "must be an ISO week as YYYY-Www, e.g. 2026-W48") from None
    return monday, monday + timedelta(days=6)


def week_of(day: date) -> str:
    """The ISO week a local day falls in, as ``2026-W48``."""
    year, week, _ = day.isocalendar()
    return f"{year:04d}-W{week:02d}"


def _funnel(session: Session, first: date, last: date, group_id: str | None) -> dict[str, Any]:
    report = funnel(session, first, last, group_id=group_id)
    return {**{stage: report[stage] for stage in FUNNEL_STAGES}, **rates_of(report)}


def _points(now: dict[str, Any], before: dict[str, Any]) -> dict[str, str]:
    """Each rate's change in percentage points, from the exact fractions."""
    def exact(report: dict[str, Any], name: str) -> Decimal:
        detail = report["rate_details"][name]
        return ratio(detail["numerator"], detail["denominator"])
    return {name: f"{cents((exact(now, name) - exact(before, name)) * HUNDRED):f}" for name in FIVE_RATES}


def _figures(session: Session, days: dict[str, date], group_id: str | None, units: tuple[int, int, int],
             month_target: Decimal) -> dict[str, Any]:
    """One row: ``units`` = (this week, the week before, month to date)."""
    elapsed, in_month = days["last"].day, month_range(month_of(days["last"]))[1].day
    now = _funnel(session, days["first"], days["last"], group_id)
    before = _funnel(session, days["first"] - timedelta(days=7), days["first"] - timedelta(days=1), group_id)
    return {"units": units[0], "units_month_to_date": units[2], "month_target": f"{cents(month_target):f}",
            "target_to_date": f"{cents(month_target * elapsed / in_month):f}", "funnel": now,
            "change": {"units": units[0] - units[1], "rates_pp": _points(now, before)}}


def _store_units(session: Session, first: date, last: date) -> int:
    return int(session.scalar(select(func.count()).select_from(SaleFact).where(SaleFact.day.between(first, last)))
               or 0)


def weekly(session: Session, week: str, readable: set[str] | None) -> dict[str, Any]:
    """The week's report: each group's row (or those of ``readable``), and the store's.

    The store's row is for those who read every group or supervise one; staff who supervise no group get
    an empty report (a list filtered to what they may see), not the store's figures.
    """
    first, last = week_days(week)
    month = month_of(last)
    days = {"first": first, "last": last}
    this, before = standings(session, first, last, None), standings(session, first - timedelta(7), last - timedelta(7),
                                                                     None)
    to_date = standings(session, month_range(month)[0], last, month)
    plans = dict(session.execute(select(WeeklyPlan.group_id, WeeklyPlan.plan).where(WeeklyPlan.week == week)).all())
    known = names(session)
    groups = [{"group_id": g.group_id, "name": g.name,
               "supervisor": {"staff_id": g.supervisor_id, "name": known.get(g.supervisor_id)},
               **_figures(session, days, g.group_id, (g.units, before[g.group_id].units, to_date[g.group_id].units),
                          to_date[g.group_id].target), "plan": plans.get(g.group_id)}
              for g in this.values() if readable is None or g.group_id in readable]
    store_units = (_store_units(session, first, last),
                   _store_units(session, first - timedelta(days=7), first - timedelta(days=1)),
                   _store_units(session, month_range(month)[0], last))
    store = None if readable == set() else _figures(session, days, None, store_units,
                                                    Decimal(store_target(session, month)))
    return {"week": week, "from": first, "to": last, "month": month, "groups": groups, "store": store}


def weekly_table(report: dict[str, Any]) -> Table:
    """One row per group, then the store's."""
    header = ["group_id", "units", "units_month_to_date", "target_to_date", "change_units",
              *(f"{name}{part}" for name in FIVE_RATES for part in ("", "_numerator", "_denominator", "_change_pp")),
              "plan"]

    def row(group_id: str, item: dict[str, Any], plan: str | None) -> list[Any]:
        funnel_, change = item["funnel"], item["change"]
        return [group_id, item["units"], item["units_month_to_date"], item["target_to_date"], change["units"],
                *(cell for name in FIVE_RATES for cell in (
                    funnel_["rates"][name], funnel_["rate_details"][name]["numerator"],
                    funnel_["rate_details"][name]["denominator"], change["rates_pp"][name])), plan or ""]
    store = [row("store", report["store"], None)] if report["store"] is not None else []
    return header, [*(row(g["group_id"], g, g["plan"]) for g in report["groups"]), *store]

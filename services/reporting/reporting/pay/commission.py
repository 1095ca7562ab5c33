"""Commission (提成) of a month: one row per consultant and group they were in (DOMAIN.md, the pay rule).

Each row: the units the consultant delivered while in the group, the group's rate per unit (CNY 50 at 100%
completion or more, completion × 50 below), gross, the deductions for each of the group's model classes
below 90% of target (扣发, the month's template), and net, never below zero. A consultant who moved group
mid-month has a row per group, each with that group's rate and deductions, each floored at zero.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from reporting.dates import month_range
from reporting.pay.domain import cents, classes_short, four_places, net_commission, rate_per_unit
from reporting.pay.standing import Group, standings
from reporting.pay.template import template_of
from reporting.reports import Table

COLUMNS = ("consultant_id", "name", "group_id", "units", "rate_per_unit", "gross", "deductions", "net")


def _rows_of(group: Group, deductions: dict[str, Decimal]) -> list[dict[str, Any]]:
    completion = group.completion
    short = classes_short(group.class_units(), group.class_targets())
    rows = []
    for member in sorted(group.members.values(), key=lambda m: m.staff_id):
        gross, taken, net = net_commission(member.units, completion, short, deductions)
        rows.append({"consultant_id": member.staff_id, "name": member.name, "group_id": group.group_id,
                     "group_name": group.name,
                     "units": member.units, "rate_per_unit": f"{cents(rate_per_unit(completion)):f}",
                     "gross": f"{gross:f}", "deductions": f"{taken:f}", "net": f"{net:f}",
                     "group_completion": None if completion is None else f"{four_places(completion):f}",
                     "classes_below_90": short})
    return rows


def commissions(session: Session, month: str, groups: set[str] | None, consultant: str | None) -> dict[str, Any]:
    """The month's rows: every group's (``groups`` None), those of ``groups``, plus ``consultant``'s own rows."""
    first, last = month_range(month)
    deductions = template_of(session, month).class_deductions
    rows = [row for group in standings(session, first, last, month).values()
            for row in _rows_of(group, deductions)
            if groups is None or group.group_id in groups or row["consultant_id"] == consultant]
    return {"month": month, "items": rows}


def commissions_table(report: dict[str, Any]) -> Table:
    """The payroll's file: one row per consultant and group."""
    return list(COLUMNS), [[row[name] for name in COLUMNS] for row in report["items"]]


def visible(groups: set[str] | None, consultant: str | None) -> bool:
    """Whether a caller with these groups and own rows may read commissions at all."""
    return groups is None or bool(groups) or consultant is not None

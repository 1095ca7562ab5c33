"""The groups of a month (小组): units against target, the five funnel rates, and each group's leaderboard.

Units count for the group the consultant was in on the delivery's local day; a group's target is its
members' targets, a moved consultant's split by the days of the month in each group (``reporting.pay.standing``).
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from reporting.dates import month_range
from reporting.pay.domain import cents, four_places, ratio
from reporting.pay.standing import Group, Member, names, standings
from reporting.reports import Table
from reporting.reports.funnel import funnel

FIVE_RATES = ("filing_rate", "appointment_arrival_rate", "return_visit_rate", "test_drive_rate", "conversion_30d")


def shown(completion: Decimal | None) -> str | None:
    return None if completion is None else f"{four_places(completion):f}"


def rates_of(report: dict[str, Any]) -> dict[str, Any]:
    """The five rates of a funnel report, with their numerators and denominators."""
    return {"rates": {name: report["rates"][name] for name in FIVE_RATES},
            "rate_details": {name: report["rate_details"][name] for name in FIVE_RATES}}


def leaderboard(members: list[Member]) -> list[dict[str, Any]]:
    """Most units first, then best completion, then by id."""
    def completion(member: Member) -> Decimal | None:
        return ratio(member.units, member.target) if member.target else None
    ordered = sorted(members, key=lambda m: (-m.units, -(completion(m) or Decimal(0)), m.staff_id))
    return [{"rank": place, "consultant_id": m.staff_id, "name": m.name, "units": m.units,
             "target": f"{cents(m.target):f}", "completion": shown(completion(m))}
            for place, m in enumerate(ordered, start=1)]


def _row(session: Session, group: Group, first: date, last: date, known: dict[str, str]) -> dict[str, Any]:
    return {"group_id": group.group_id, "name": group.name,
            "supervisor": {"staff_id": group.supervisor_id, "name": known.get(group.supervisor_id)},
            "units": group.units, "target": f"{cents(group.target):f}", "completion": shown(group.completion),
            **rates_of(funnel(session, first, last, group_id=group.group_id)),
            "consultants": leaderboard(list(group.members.values()))}


def groups_report(session: Session, month: str, today: date, readable: set[str] | None) -> dict[str, Any]:
    """Every group of the month (or those of ``readable``); rates over the month up to today."""
    first, last = month_range(month)
    known = names(session)
    items = [_row(session, group, first, min(last, today), known)
             for group in standings(session, first, last, month).values()
             if readable is None or group.group_id in readable]
    return {"month": month, "items": items}


def groups_table(report: dict[str, Any]) -> Table:
    """One row per group: its figures and rates (value, numerator, denominator)."""
    header = ["group_id", "name", "supervisor_id", "units", "target", "completion"]
    header += [f"{name}{part}" for name in FIVE_RATES for part in ("", "_numerator", "_denominator")]
    rows = [[row["group_id"], row["name"], row["supervisor"]["staff_id"], row["units"], row["target"],
             row["completion"] or "",
             *(cell for name in FIVE_RATES for cell in (row["rates"][name], row["rate_details"][name]["numerator"],
                                                        row["rate_details"][name]["denominator"]))]
            for row in report["items"]]
    return header, rows

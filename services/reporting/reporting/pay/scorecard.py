"""The supervisor's scorecard (绩效考核表) of a group for a month, line by line as the template sets it.

Line 1 counts the group's meetings held on time with minutes against those due; lines 2–6 are the group's
funnel rates over the month (to today, for the current month), read through the funnel's public query;
line 7 is the group's unit completion (销量完成率). Each line shows its numerator and denominator.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from reporting.dates import month_range
from reporting.meetings.queries import meeting_slots
from reporting.pay.domain import cents, four_places, line_score, ratio
from reporting.pay.standing import standings
from reporting.pay.template import template_of
from reporting.reports import Table
from reporting.reports.funnel import funnel

SCORE_COLUMNS = ("line", "kpi", "weight", "target", "actual", "numerator", "denominator", "score")


def _fractions(session: Session, group_id: str, month: str, today: date,
               working_days: tuple[int, ...]) -> dict[str, tuple[Decimal, Decimal]]:
    """Each KPI's (numerator, denominator) for the group's month."""
    first, last = month_range(month)
    details = funnel(session, first, min(last, today), group_id=group_id)["rate_details"]
    found = {name: (Decimal(d["numerator"]), Decimal(d["denominator"])) for name, d in details.items()}
    on_time, due = meeting_slots(session, group_id, month, today, working_days)
    group = standings(session, first, last, month)[group_id]
    return {**found, "meetings_on_time": (Decimal(on_time), Decimal(due)),
            "unit_completion": (Decimal(group.units), group.target)}


def _number(value: Decimal) -> str:
    """A denominator may be a split target (4.5 units): shown as it is, without trailing zeros."""
    return f"{value.normalize():f}" if value != value.to_integral() else str(int(value))


def scorecard(session: Session, group_id: str, month: str, today: date) -> dict[str, Any]:
    """The group's card: every line's weight, target, actual (numerator ÷ denominator) and score, and the total."""
    template = template_of(session, month)
    fractions = _fractions(session, group_id, month, today, template.working_days)
    lines, total = [], Decimal(0)
    for sheet in template.lines:
        numerator, denominator = fractions[sheet.kpi]
        actual = ratio(numerator, denominator)
        score = line_score(sheet.weight, sheet.target, actual)
        total += score
        lines.append({"line": sheet.line, "kpi": sheet.kpi, "weight": f"{sheet.weight:.4f}",
                      "target": f"{sheet.target:.4f}", "actual": f"{four_places(actual):f}",
                      "numerator": _number(numerator), "denominator": _number(denominator),
                      "score": f"{cents(score):f}"})
    return {"group_id": group_id, "month": month, "lines": lines, "total": f"{cents(total):f}"}


def scorecard_table(report: dict[str, Any]) -> Table:
    """One row per line, then the total."""
    rows = [[line[name] for name in SCORE_COLUMNS] for line in report["lines"]]
    return list(SCORE_COLUMNS), [*rows, ["total", "", "", "", "", "", "", report["total"]]]

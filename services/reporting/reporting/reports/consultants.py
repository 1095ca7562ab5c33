"""Consultants for a month: their funnel work, deliveries against target, ranked (销量完成率)."""
from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from reporting.dates import month_range
from reporting.domain import completion, rank_consultants
from reporting.models import DailyCount, Target
from reporting.reports import Table

COLUMNS = ("leads", "visits", "test_drives", "orders", "deliveries")


def targets_of(session: Session, month: str) -> dict[str, int]:
    """Each consultant's unit target for the month."""
    rows = session.execute(select(Target.consultant_id, Target.units).where(Target.month == month)).all()
    return {consultant: int(units) for consultant, units in rows}


def consultants(session: Session, month: str, only: str | None = None) -> dict[str, Any]:
    """Every consultant with work or a target in the month, ranked; ``only`` keeps one row (and no team)."""
    first, last = month_range(month)
    rows = session.execute(select(DailyCount.consultant_id, DailyCount.metric, func.sum(DailyCount.value))
                           .where(DailyCount.day.between(first, last), DailyCount.metric.in_(COLUMNS))
                           .group_by(DailyCount.consultant_id, DailyCount.metric)).all()
    work: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(COLUMNS, 0))
    for consultant, metric, total in rows:
        if consultant:
            work[consultant][metric] = int(total or 0)
    targets = targets_of(session, month)
    ranked = rank_consultants(
        {"consultant_id": c, **work[c], "target": targets.get(c), "completion": completion(work[c]["deliveries"],
                                                                                            targets.get(c))}
        for c in sorted(set(work) | set(targets)))
    delivered = sum(int(total or 0) for _, metric, total in rows if metric == "deliveries")
    team_target = sum(targets.values())
    team = {"deliveries": delivered, "target": team_target, "completion": completion(delivered, team_target)}
    if only is not None:
        return {"month": month, "items": [row for row in ranked if row["consultant_id"] == only], "team": None}
    return {"month": month, "items": ranked, "team": team}


def consultants_table(report: dict[str, Any]) -> Table:
    """One row per consultant, ranked."""
    header = ["rank", "consultant_id", *COLUMNS, "target", "completion"]
    return header, [[row[name] if row[name] is not None else "" for name in header] for row in report["items"]]

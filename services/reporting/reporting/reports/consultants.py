"""Consultants for a month: their funnel work, deliveries against target, ranked (销量完成率), with their names
from the staff directory and their units per model class (车型大类) beside their class targets."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from reporting.dates import month_range
from reporting.domain import completion, rank_consultants
from reporting.models import DailyCount, SaleFact, StaffMember, Target
from reporting.reports import Table

COLUMNS = ("leads", "visits", "test_drives", "orders", "deliveries")
UNCLASSED = "unclassed"  # deliveries whose order named no model class (before orders knew it)


def staff_names(session: Session, staff_ids: Iterable[str | None]) -> dict[str, str]:
    """The staff directory's name of each id it knows (员工名录); unknown ids are left out."""
    wanted = sorted({staff_id for staff_id in staff_ids if staff_id})
    if not wanted:
        return {}
    rows = session.execute(select(StaffMember.staff_id, StaffMember.name).where(StaffMember.staff_id.in_(wanted)))
    return {staff_id: name for staff_id, name in rows}


def targets_of(session: Session, month: str) -> dict[str, int]:
    """Each consultant's unit target for the month."""
    rows = session.execute(select(Target.consultant_id, Target.units).where(Target.month == month)).all()
    return {consultant: int(units) for consultant, units in rows}


def class_targets_of(session: Session, month: str) -> dict[str, dict[str, int]]:
    """Each consultant's unit target per model class for the month, where the manager split it."""
    rows = session.execute(select(Target.consultant_id, Target.by_model_class).where(Target.month == month)).all()
    return {consultant: {str(k): int(v) for k, v in (split or {}).items()} for consultant, split in rows}


def class_units_of(session: Session, month: str) -> dict[str, dict[str, int]]:
    """Each consultant's units delivered in the month per model class."""
    first, last = month_range(month)
    model_class = func.coalesce(SaleFact.model_class, UNCLASSED)
    rows = session.execute(select(SaleFact.consultant_id, model_class, func.count())
                           .where(SaleFact.day.between(first, last))
                           .group_by(SaleFact.consultant_id, model_class)).all()
    units: dict[str, dict[str, int]] = defaultdict(dict)
    for consultant, name, n in rows:
        units[consultant][name] = int(n)
    return units


def by_model_class(units: dict[str, int], targets: dict[str, int]) -> dict[str, dict[str, int | None]]:
    """Units per class beside the class's target (None where the manager set none)."""
    return {name: {"units": units.get(name, 0), "target": targets.get(name)} for name in sorted({*units, *targets})}


def _row(consultant: str, work: dict[str, int], target: int | None, name: str | None,
         classes: dict[str, dict[str, int | None]]) -> dict[str, Any]:
    """One consultant's row: completion shown with its numerator (units) and denominator (target)."""
    return {"consultant_id": consultant, "name": name, **work, "target": target,
            "completion": completion(work["deliveries"], target),
            "completion_details": {"numerator": work["deliveries"], "denominator": target},
            "by_model_class": classes}


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
    targets, class_targets, class_units = targets_of(session, month), class_targets_of(session, month), \
        class_units_of(session, month)
    everyone = sorted(set(work) | set(targets))
    names = staff_names(session, everyone)
    ranked = rank_consultants(
        _row(c, work[c], targets.get(c), names.get(c), by_model_class(class_units.get(c, {}), class_targets.get(c, {})))
        for c in everyone)
    delivered = sum(int(total or 0) for _, metric, total in rows if metric == "deliveries")
    team_target = sum(targets.values())
    team = {"deliveries": delivered, "target": team_target, "completion": completion(delivered, team_target),
            "completion_details": {"numerator": delivered, "denominator": team_target}}
    if only is not None:
        return {"month": month, "items": [row for row in ranked if row["consultant_id"] == only], "team": None}
    return {"month": month, "items": ranked, "team": team}


def consultants_table(report: dict[str, Any]) -> Table:
    """One row per consultant, ranked; completion beside its numerator and denominator; units and target per class."""
    classes = sorted({name for row in report["items"] for name in row["by_model_class"]})
    header = ["rank", "consultant_id", *COLUMNS, "target", "completion", "name", "completion_numerator",
              "completion_denominator"]  # the first version's columns first, in their order
    rows = []
    for row in report["items"]:
        details, split = row["completion_details"], row["by_model_class"]
        values = [*(row[name] for name in header[:-2]), details["numerator"], details["denominator"]]
        values += [part for name in classes for part in (split.get(name, {}).get("units", 0),
                                                         split.get(name, {}).get("target"))]
        rows.append(["" if value is None else value for value in values])
    header += [f"{name}_{part}" for name in classes for part in ("units", "target")]
    return header, rows

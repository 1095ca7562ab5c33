"""Reads of the service's own data: targets, rebuild runs, the service's state, every projection row.

The managers' reports are reads too; each lives with its shape in ``reporting.reports``.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from reporting.dates import month_range
from reporting.eventstore import stored_count
from reporting.models import PROJECTIONS, FeedCursor, RebuildRun, StoredEvent, Target
from shared.domain import NotFound


def targets_view(session: Session, month: str, only: str | None = None) -> dict[str, Any]:
    """The month's targets, each with its units per model class, and the team's total; ``only`` keeps one
    consultant's (and no total)."""
    month_range(month)
    rows = session.execute(select(Target.consultant_id, Target.units, Target.by_model_class)
                           .where(Target.month == month).order_by(Target.consultant_id)).all()
    targets = [{"consultant_id": consultant, "units": int(units), "by_model_class": dict(classes or {})}
               for consultant, units, classes in rows if only is None or consultant == only]
    team = None if only is not None else sum(item["units"] for item in targets)
    return {"month": month, "team_target": team, "targets": targets}


def rebuild_run(session: Session, run_id: str) -> RebuildRun:
    """One rebuild run, or 404."""
    run = session.get(RebuildRun, run_id)
    if run is None:
        raise NotFound(f"No rebuild {run_id}.")
    return run


def status(session: Session) -> dict[str, Any]:
    """What ops look at: events stored (per source), how far backfill read each feed, the latest rebuild."""
    latest = session.scalar(select(RebuildRun).order_by(RebuildRun.requested_at.desc()).limit(1))
    cursors = {row.service: row.position for row in session.scalars(select(FeedCursor))}
    by_source = dict(session.execute(select(StoredEvent.source, func.count()).group_by(StoredEvent.source)).all())
    return {"events_stored": stored_count(session), "events_by_source": by_source, "feed_cursors": cursors,
            "latest_rebuild": latest}


def distinct_events_stored(session: Session) -> int:
    """How many distinct (source, id) the store holds: ``stored_count`` again, unless an event was kept twice."""
    pairs = select(StoredEvent.source, StoredEvent.event_id).distinct().subquery()
    return int(session.scalar(select(func.count()).select_from(pairs)) or 0)


def projection_rows(session: Session) -> dict[str, list[dict[str, Any]]]:
    """Every row of every projection, per table name, each row its columns by name (a check's whole view)."""
    rows: dict[str, list[dict[str, Any]]] = {}
    for model in PROJECTIONS:
        table = model.__table__
        rows[model.__tablename__] = [dict(row._mapping) for row in session.execute(select(*table.columns))]
    return rows

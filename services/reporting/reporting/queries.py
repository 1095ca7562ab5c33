"""Reads of the service's own data: targets, rebuild runs, the service's state, every projection row.

The managers' reports are reads too; each lives with its shape in ``reporting.reports``.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, union
from sqlalchemy.orm import Session

from reporting.dates import month_range
from reporting.eventstore import stored_count
from reporting.models import PROJECTIONS, AppointmentFact, DailyCount, FeedCursor, InquiryFact, RebuildRun, StoredEvent
from reporting.reports.consultants import targets_of
from shared.domain import NotFound


def targets_view(session: Session, month: str, only: str | None = None) -> dict[str, Any]:
    """The month's targets and the team's total; ``only`` keeps one consultant's (and no total)."""
    month_range(month)
    targets = targets_of(session, month)
    if only is not None:
        return {"month": month, "team_target": None,
                "targets": [{"consultant_id": c, "units": u} for c, u in targets.items() if c == only]}
    return {"month": month, "team_target": sum(targets.values()),
            "targets": [{"consultant_id": c, "units": u} for c, u in sorted(targets.items())]}


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


def consultants_never_seen(session: Session, consultant_ids: list[str]) -> list[str]:
    """The ids no event has yet named as a consultant (a typing mistake in a target, most likely).

    Until the store keeps a staff directory, the events are all reporting knows of its people:
    a consultant who filed, booked, logged or sold anything is on some counted row.
    """
    if not consultant_ids:
        return []
    seen = union(*(select(column).where(column.in_(consultant_ids)) for column in (
        DailyCount.consultant_id, InquiryFact.consultant_id, AppointmentFact.consultant_id)))
    known = set(session.scalars(select(seen.subquery().c[0])))
    return sorted(set(consultant_ids) - known)

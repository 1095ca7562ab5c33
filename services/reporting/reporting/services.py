"""Use cases of the reporting service's own data: monthly targets and the service's state."""
from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from reporting.clock import month_range
from reporting.eventstore import stored_count
from reporting.models import FeedCursor, RebuildRun, StoredEvent, Target
from reporting.reports.consultants import targets_of
from shared.domain import NotFound
from shared.outbox import utcnow
from shared.web.auth import Actor


def set_targets(session: Session, month: str, items: list[dict[str, Any]], actor: Actor) -> dict[str, Any]:
    """A sales manager sets the month's unit targets (任务分配表); the list replaces the month's."""
    month_range(month)
    session.execute(delete(Target).where(Target.month == month))
    now = utcnow()
    for item in items:
        session.add(Target(month=month, consultant_id=item["consultant_id"], units=item["units"],
                           set_by=actor.sub, set_at=now))
    session.commit()
    return targets_view(session, month)


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

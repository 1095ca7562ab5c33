"""Rebuild: every projection recomputed from the event store (ops: a fix, a new report).

The rebuild runs in one transaction: readers see the old figures until it
commits, never a half-built set. On PostgreSQL it locks the event store against
writers, so the live consumer waits and then applies its events on top.
"""
from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import delete, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from reporting.bulk import project_all
from reporting.clock import aware
from reporting.eventstore import replay, store_zone, stored_count
from reporting.models import PROJECTIONS, RebuildRun
from shared.db import is_postgres
from shared.domain import DomainError
from shared.outbox import utcnow
from shared.web.auth import Actor

log = logging.getLogger("dealer.reporting.rebuild")
Progress = Callable[[int, int], None]
ACTIVE = ("pending", "running")
ABANDONED_AFTER = timedelta(hours=6)


def rebuild_projections(session: Session, progress: Progress | None = None, chunk: int = 5000) -> int:
    """Clear and recompute every projection in the caller's transaction; returns events replayed.

    A chunk of events at a time goes through the consumer's bulk path: its rows read in one query
    per table, written in one upsert per table.
    """
    if is_postgres(session):
        session.execute(text("LOCK TABLE event_store IN SHARE ROW EXCLUSIVE MODE"))
    total = stored_count(session)
    for model in PROJECTIONS:
        session.execute(delete(model))
    zone, done = store_zone(), 0
    for events in replay(session, chunk):
        project_all(session, events, zone)
        done += len(events)
        if progress is not None:
            progress(done, total)
    return done


def request_rebuild(session: Session, actor: Actor) -> RebuildRun:
    """Queue a rebuild for the worker; one at a time."""
    active = session.scalar(select(RebuildRun).where(RebuildRun.status.in_(ACTIVE)))
    if active is not None and not _abandoned(active):
        raise DomainError("A rebuild is already under way.", rebuild_id=active.id)
    if active is not None:
        active.status, active.error = "failed", "abandoned: the worker stopped during the rebuild"
    run = RebuildRun(id=str(uuid.uuid4()), status="pending", processed=0, total=stored_count(session),
                     requested_by=actor.sub, requested_at=utcnow())
    session.add(run)
    session.commit()
    return run


def _abandoned(run: RebuildRun) -> bool:
    """A run still 'running' hours after it was asked for lost its worker (a rebuild takes minutes)."""
    return run.status == "running" and utcnow() - aware(run.requested_at) > ABANDONED_AFTER


def run_requested_rebuilds(session: Session) -> int:
    """The worker's job: carry out a requested rebuild, recording progress as it goes."""
    with session.begin():
        run_id = session.scalar(select(RebuildRun.id).where(RebuildRun.status == "pending")
                                .order_by(RebuildRun.requested_at).limit(1))
        claimed = run_id is not None and session.execute(
            update(RebuildRun).where(RebuildRun.id == run_id, RebuildRun.status == "pending")
            .values(status="running")).rowcount == 1  # several workers: one takes it
    if not claimed:
        return 0
    assert run_id is not None
    progress = _progress_recorder(sessionmaker(bind=session.get_bind()), run_id, is_postgres(session))
    try:
        with session.begin():
            done = rebuild_projections(session, progress)
    except Exception as exc:
        log.exception("rebuild %s failed", run_id)
        _update(session, run_id, status="failed", error=f"{exc.__class__.__name__}: {exc}"[:500],
                finished_at=utcnow())
        return 0
    _update(session, run_id, status="done", processed=done, total=done, finished_at=utcnow())
    log.info("rebuild %s done: %s events replayed", run_id, done)
    return done


def _update(session: Session, run_id: str, **values: object) -> None:
    with session.begin():
        run = session.get(RebuildRun, run_id)
        assert run is not None
        for name, value in values.items():
            setattr(run, name, value)


def _progress_recorder(sessions: sessionmaker[Session], run_id: str, separate_writes: bool) -> Progress:
    """Log every chunk; on PostgreSQL also save it where GET /admin/rebuilds/{id} reads it.

    SQLite has one writer at a time and the rebuild holds it, so there the log is the progress.
    """
    def record(done: int, total: int) -> None:
        log.info("rebuild %s: %s/%s events", run_id, done, total)
        if separate_writes:
            with sessions() as other, other.begin():
                run = other.get(RebuildRun, run_id)
                if run is not None:
                    run.processed, run.total = done, total
    return record

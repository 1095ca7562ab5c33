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

from reporting.clock import aware
from reporting.eventstore import replay, store_zone, stored_count
from reporting.models import PROJECTIONS, RebuildRun
from reporting.projections import project
from reporting.rebuild_facts import RebuildFacts
from reporting.rebuild_writes import writer_for
from shared.db import is_postgres
from shared.domain import DomainError
from shared.outbox import utcnow
from shared.web.auth import Actor

log = logging.getLogger("dealer.reporting.rebuild")
Progress = Callable[[int, int], None]
ACTIVE = ("pending", "running")
ABANDONED_AFTER = timedelta(hours=6)
WINDOW = 10_000  # events projected between writes
PAGE = 1_000  # events read per query
READ_AHEAD_AT = 0.01  # rows read back per event of a page, from which the next page's are read ahead


def rebuild_projections(session: Session, progress: Progress | None = None, chunk: int = WINDOW) -> int:
    """Clear and recompute every projection in the caller's transaction; returns events replayed.

    One pass: each event is projected once, onto rows held in memory (``RebuildFacts``), written
    every ``chunk`` events; memory holds about two windows' rows, whatever the store's size.
    """
    if is_postgres(session):
        session.execute(text("LOCK TABLE event_store IN SHARE ROW EXCLUSIVE MODE"))
    total = stored_count(session)
    for model in PROJECTIONS:
        session.execute(delete(model))
    writer = writer_for(session)
    facts = RebuildFacts(session, writer, expected_keys=total)  # about one row per event, or fewer
    done = _replay_into(facts, session, chunk, lambda done: progress(done, total) if progress is not None else None)
    facts.write(last=True)
    writer.finish()
    log.info("rebuild: %s events replayed, %s rows read back", done, facts.read_back)
    return done


def _replay_into(facts: RebuildFacts, session: Session, chunk: int, progress: Callable[[int], None]) -> int:
    """Project every stored event once, writing every ``chunk`` events; returns events read."""
    zone, done, unwritten, reported, read_ahead = store_zone(), 0, 0, 0, False
    for read, events in replay(session, min(chunk, PAGE)):
        if read_ahead:
            facts.prefetch(events, zone)
        for event in events:
            project(event, facts, zone)
            unwritten += 1
            if unwritten >= chunk:
                facts.write()
                unwritten = 0
        done += read
        read_ahead = facts.take_recently_read() >= len(events) * READ_AHEAD_AT
        if done - reported >= chunk:
            progress(done)
            reported = done
    progress(done)
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

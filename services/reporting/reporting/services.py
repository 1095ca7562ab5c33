"""Use cases of the reporting service: an event arrives, a manager sets targets, ops rebuild the figures.

(The staff directory and the groups have theirs in ``reporting.staff.services``.)

The consumer (``reporting.consumers``) and backfill (``reporting.rebuild.backfill``) both call
``ingest``: an event is stored once and counted once whichever road it came by. The HTTP routes
and the worker's job call the rebuild use cases; the rebuild itself is ``reporting.rebuild.replay``.
"""
from __future__ import annotations

import logging
import uuid
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session, sessionmaker

from reporting import events
from reporting.dates import month_range, store_zone
from reporting.domain import REBUILD_ACTIVE, is_abandoned, is_own_event
from reporting.eventstore import store_all, store_event, stored_count
from reporting.models import RebuildRun, Target
from reporting.projections.batch import project_all
from reporting.queries import targets_view
from reporting.rebuild.replay import Progress, rebuild_projections
from reporting.staff.queries import known_staff
from shared.actors import Actor
from shared.clock import utcnow
from shared.db import is_postgres
from shared.domain import DomainError, InvalidInput

log = logging.getLogger("dealer.reporting.rebuild")


def ingest(session: Session, envelope: dict[str, Any]) -> bool:
    """Store the event and update the figures; False when it was stored before, or is reporting's own."""
    if is_own_event(envelope):
        return False
    masked = store_event(session, envelope)
    if masked is None:
        return False
    project_all(session, [masked], store_zone())  # the batch path, for a batch of one
    return True


def ingest_all(session: Session, envelopes: list[dict[str, Any]]) -> None:
    """A batch of events: the same figures as ``ingest`` on each, in a few statements."""
    departments = [envelope for envelope in envelopes if not is_own_event(envelope)]
    project_all(session, store_all(session, departments), store_zone())


def set_targets(session: Session, month: str, items: list[dict[str, Any]], actor: Actor) -> dict[str, Any]:
    """A sales manager sets the month's unit targets (任务分配表), in total and per model class (车型大类);
    the list replaces the month's. Each consultant must be on the staff directory (a typing mistake is a 422)."""
    month_range(month)
    unknown = sorted(staff_id for staff_id, known in known_staff(
        session, [item["consultant_id"] for item in items]).items() if known is None)
    if unknown:
        raise InvalidInput("targets", f"not on the staff directory (PUT /api/v1/staff/{{staff_id}} first): "
                                      f"{', '.join(unknown)}")
    session.execute(delete(Target).where(Target.month == month))
    now = utcnow()
    for item in items:
        session.add(Target(month=month, consultant_id=item["consultant_id"], units=item["units"],
                           by_model_class=item["by_model_class"] or None, set_by=actor.sub, set_at=now))
    session.flush()
    answer = targets_view(session, month)
    events.publish(session, "reporting.targets.set", month, events.targets_set(month, answer["targets"], actor.sub,
                                                                               now))
    session.commit()
    return answer


def request_rebuild(session: Session, actor: Actor, status: str = "pending") -> RebuildRun:
    """Queue a rebuild for the worker (``status`` "running": one the caller carries out itself); one at a time."""
    active = session.scalar(select(RebuildRun).where(RebuildRun.status.in_(REBUILD_ACTIVE)))
    if active is not None and not is_abandoned(active.status, active.requested_at, utcnow()):
        raise DomainError("A rebuild is already under way.", rebuild_id=active.id)
    if active is not None:
        active.status, active.error = "failed", "abandoned: the worker stopped during the rebuild"
    run = RebuildRun(id=str(uuid.uuid4()), status=status, processed=0, total=stored_count(session),
                     requested_by=actor.sub, requested_at=utcnow())
    session.add(run)
    session.commit()
    return run


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


def rebuild_now(session: Session, actor: Actor, progress: Progress | None = None) -> tuple[str, int]:
    """A rebuild carried out here (``dealer reporting rebuild``), recorded as one asked for over HTTP.

    Ops following ``/admin/status`` or ``/admin/rebuilds/{id}`` see it with its progress, and an HTTP
    request for another waits for it, whichever road started it. Returns the run's id and events replayed.
    """
    run_id = request_rebuild(session, actor, status="running").id  # running: the worker never claims it
    recorder = _progress_recorder(sessionmaker(bind=session.get_bind()), run_id, is_postgres(session))

    def record(done: int, total: int) -> None:
        recorder(done, total)
        if progress is not None:
            progress(done, total)

    try:
        with session.begin():
            done = rebuild_projections(session, record)
    except BaseException as exc:  # Ctrl-C included: the run must not stay "running"
        session.rollback()
        _update(session, run_id, status="failed", error=f"{exc.__class__.__name__}: {exc}"[:500],
                finished_at=utcnow())
        raise
    _update(session, run_id, status="done", processed=done, total=done, finished_at=utcnow())
    log.info("rebuild %s done (command line): %s events replayed", run_id, done)
    return run_id, done

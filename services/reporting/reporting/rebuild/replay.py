"""Rebuild: every projection recomputed from the event store (ops: a fix, a new report).

The rebuild runs in one transaction: readers see the old figures until it
commits, never a half-built set. On PostgreSQL it locks the event store against
writers, so the live consumer waits and then applies its events on top.
"""
from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy import delete, text
from sqlalchemy.orm import Session

from reporting.dates import store_zone
from reporting.eventstore import replay, stored_count
from reporting.models import PROJECTIONS
from reporting.projections import project
from reporting.rebuild.facts import RebuildFacts
from reporting.rebuild.writers import writer_for
from shared.db import is_postgres

log = logging.getLogger("dealer.reporting.rebuild")
Progress = Callable[[int, int], None]
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

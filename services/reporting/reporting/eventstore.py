"""The event store: every event from ``dealer.events`` kept once, masked; what a rebuild replays.

The consumer runner already skips an event it has applied (the inbox); the store
is unique on (source, id) as well, so backfill and live consumption can never
store, or count, one event twice (``reporting.services.ingest`` stores, then projects).
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects import sqlite
from sqlalchemy.orm import Session

from reporting.dates import parse_time
from reporting.domain import mask_event
from reporting.models import StoredEvent
from reporting.projections import is_projected
from shared.clock import utcnow
from shared.db import is_postgres
from shared.pgbulk import insert_many

STORE = StoredEvent.__table__  # replay reads it through Core: no ORM work per row


def is_stored(session: Session, source: str, event_id: str) -> bool:
    """True when this event is already in the store."""
    found = session.scalar(select(StoredEvent.position).where(StoredEvent.source == source,
                                                              StoredEvent.event_id == event_id))
    return found is not None


def store_event(session: Session, envelope: dict[str, Any]) -> dict[str, Any] | None:
    """Keep the masked event; None when it was stored before."""
    if is_stored(session, envelope["source"], envelope["id"]):
        return None
    masked = mask_event(envelope)
    session.add(StoredEvent(
        source=envelope["source"], event_id=envelope["id"], event_type=str(envelope.get("type", "")),
        subject=str(envelope.get("subject") or "")[:100], occurred_at=parse_time(envelope.get("time")) or utcnow(),
        body=json.dumps(masked, separators=(",", ":"), ensure_ascii=False), stored_at=utcnow(),
    ))
    session.flush()  # the unique constraint speaks now, inside the caller's savepoint
    return masked


def stored_row(masked: dict[str, Any], now: datetime) -> dict[str, Any]:
    """The ``event_store`` row of a masked event, stored at ``now`` (the columns by name)."""
    return {"source": masked["source"], "event_id": masked["id"], "event_type": str(masked.get("type", "")),
            "subject": str(masked.get("subject") or "")[:100], "occurred_at": parse_time(masked.get("time")) or now,
            "body": json.dumps(masked, separators=(",", ":"), ensure_ascii=False), "stored_at": now}


def store_all(session: Session, envelopes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Keep the masked events not stored before, in one statement; returns those it stored."""
    masked = {(e["source"], e["id"]): mask_event(e) for e in envelopes}
    if not masked:
        return []
    table, now = StoredEvent.__table__, utcnow()
    rows = [stored_row(event, now) for event in masked.values()]
    key = ("source", "event_id")
    if is_postgres(session):
        inserted = insert_many(session, table, rows, skip_conflicts_on=key, returning=key)
    else:
        statement = (sqlite.insert(table).on_conflict_do_nothing(index_elements=list(key))
                     .returning(*(table.c[name] for name in key)))
        inserted = list(session.execute(statement, rows))
    stored = {tuple(found) for found in inserted}
    return [event for key, event in masked.items() if key in stored]


def stored_count(session: Session) -> int:
    """How many events the store holds."""
    return int(session.scalar(select(func.count()).select_from(StoredEvent)) or 0)


def replay(session: Session, page: int = 1000) -> Iterator[tuple[int, list[dict[str, Any]]]]:
    """The stored events in the order they were stored, a page at a time.

    Each page is (events read, those some projection reads, parsed): the others are not even parsed.
    """
    last = 0
    while True:
        rows = session.execute(select(STORE.c.position, STORE.c.event_type, STORE.c.body)
                               .where(STORE.c.position > last).order_by(STORE.c.position).limit(page)).all()
        if not rows:
            return
        last = rows[-1][0]
        yield len(rows), [json.loads(body) for _, event_type, body in rows if is_projected(event_type)]

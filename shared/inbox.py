"""The inbox: which events a service has already applied.

A consumer writes the event's id here in the same transaction as the event's
effect, so a redelivered event finds its id and changes nothing.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, String, insert, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from shared.clock import utcnow
from shared.db import SharedBase, is_postgres
from shared.pgbulk import insert_many, rows_with_keys


class ProcessedEvent(SharedBase):
    """An event this service has applied, keyed by its source and id."""

    __tablename__ = "processed_events"

    event_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    source: Mapped[str] = mapped_column(String(60), primary_key=True)
    event_type: Mapped[str] = mapped_column(String(120))
    processed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


def already_processed(session: Session, keys: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
    """The (source, id) pairs among ``keys`` that were applied before."""
    wanted = list(keys)
    if not wanted:
        return set()
    ids = sorted({event_id for _, event_id in wanted})
    if is_postgres(session):  # one index lookup per id, whatever the planner's statistics say
        found = rows_with_keys(session, ProcessedEvent.__table__, "event_id", ids)
        rows = [(row.source, row.event_id) for row in found]
    else:
        rows = session.execute(select(ProcessedEvent.source, ProcessedEvent.event_id)
                               .where(ProcessedEvent.event_id.in_(ids))).all()
    return {(source, event_id) for source, event_id in rows} & set(wanted)


def mark_processed(session: Session, source: str, event_id: str, event_type: str) -> None:
    """Record that an event was applied, inside the transaction that applied it."""
    session.add(ProcessedEvent(event_id=event_id, source=source, event_type=event_type, processed_at=utcnow()))


def mark_all_processed(session: Session, envelopes: list[dict[str, Any]]) -> None:
    """Record a batch of applied events in one statement, inside the transaction that applied them."""
    now = utcnow()
    rows = [{"event_id": e["id"], "source": e["source"], "event_type": e["type"], "processed_at": now}
            for e in envelopes]
    if rows and is_postgres(session):
        insert_many(session, ProcessedEvent.__table__, rows)
    elif rows:
        session.execute(insert(ProcessedEvent.__table__), rows)

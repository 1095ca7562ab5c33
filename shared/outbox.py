"""The transactional outbox: events are rows written in the same transaction as the change.

A relay publishes them afterwards (see ``relay.py``); a crash between commit and
publish therefore loses nothing. After a commit that wrote events, the session
pokes the relay with a UDP datagram so it publishes at once; its periodic poll is
only the safety net for a lost poke.
"""
from __future__ import annotations

import atexit
import contextlib
import json
import socket
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import BigInteger, DateTime, Integer, String, Text, event, select
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from shared.db import SharedBase

# How long a row must have been committed before the feed serves it: on PostgreSQL
# a lower position can commit after a higher one; waiting out the longest
# transaction keeps a reader's cursor from skipping it.
FEED_SETTLE = timedelta(seconds=2)


def utcnow() -> datetime:
    """Now, timezone-aware, in UTC (what the database stores)."""
    return datetime.now(UTC)


class OutboxEvent(SharedBase):
    """One event waiting to be published, and afterwards the service's event log."""

    __tablename__ = "outbox"

    position: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    event_id: Mapped[str] = mapped_column(String(36), unique=True)
    routing_key: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    claimed_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    claim_token: Mapped[str | None] = mapped_column(String(36), index=True)


def record_event(session: Session, envelope: dict[str, Any]) -> None:
    """Add an event to the outbox in the caller's open transaction."""
    session.add(
        OutboxEvent(
            event_id=envelope["id"],
            routing_key=".".join(envelope["type"].split(".")[1:-1]),
            body=json.dumps(envelope, separators=(",", ":"), ensure_ascii=False),
            created_at=utcnow(),
        )
    )
    session.info["outbox_written"] = True


_socket: socket.socket | None = None


def _poke_socket() -> socket.socket:
    """One non-blocking UDP socket per process for all pokes."""
    global _socket
    if _socket is None:
        _socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        _socket.setblocking(False)
        atexit.register(_socket.close)
    return _socket


def wake_relay_after_commit(factory: sessionmaker[Session], address: tuple[str, int]) -> None:
    """Make every session of ``factory`` poke the relay after committing new events."""
    @event.listens_for(factory, "after_commit")
    def _poke(session: Session) -> None:
        if session.info.pop("outbox_written", False):
            with contextlib.suppress(OSError):  # a lost poke: the relay's poll picks the events up
                _poke_socket().sendto(b"wake", address)

    @event.listens_for(factory, "after_rollback")
    def _forget(session: Session) -> None:
        session.info.pop("outbox_written", None)


def read_feed(session: Session, after: int, limit: int) -> tuple[list[dict[str, Any]], int]:
    """Events after a cursor, oldest first, and the cursor to ask with next time."""
    settled = utcnow() - FEED_SETTLE
    rows = session.scalars(
        select(OutboxEvent).where(OutboxEvent.position > after)
        .order_by(OutboxEvent.position).limit(limit)
    ).all()
    items: list[dict[str, Any]] = []
    cursor = after
    for row in rows:
        if _aware(row.created_at) > settled:
            break
        items.append(json.loads(row.body))
        cursor = row.position
    return items, cursor


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)

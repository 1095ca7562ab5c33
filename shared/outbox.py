"""The transactional outbox: events are rows written in the same transaction as the change.

A relay publishes them afterwards (see ``relay.py``); a crash between commit and
publish therefore loses nothing. After a commit that wrote events, the session
pokes the relay with a UDP datagram so it publishes at once; its periodic poll is
only the safety net for a lost poke.

The outbox is also the service's event feed (``GET /api/v1/events?after=``). Its
cursor is ``feed_position``, not ``position``: on PostgreSQL a position is taken
from a sequence before commit, so a transaction that commits late can land below
a cursor a reader already holds and be skipped for good. ``feed_position`` is
given after commit, by one assigner at a time (``assign_feed_positions``, called
by the relay at the top of each round), in the order rows became visible: a
reader that keeps its cursor never skips an event and never sees one twice.
"""
from __future__ import annotations

import atexit
import contextlib
import json
import socket
from datetime import datetime
from typing import Any, cast

from sqlalchemy import BigInteger, DateTime, Index, Integer, String, Text, Update, event, func, select, text, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from shared.clock import utcnow
from shared.db import SharedBase, is_postgres

# The key of the PostgreSQL advisory lock that lets one assigner of feed positions run at a time
# (the bytes of "feed"); SQLite needs none: its write lock, taken at BEGIN (shared.db), serialises them.
FEED_LOCK_KEY = 0x66656564
# Rows numbered per call at most: keeps the assigning transaction short after a large backlog.
ASSIGN_BATCH = 10_000
UNASSIGNED, ASSIGNED = "feed_position IS NULL", "feed_position IS NOT NULL"



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
    # The feed's cursor, in commit order; NULL until an assigner numbers the committed row.
    feed_position: Mapped[int | None] = mapped_column(BigInteger)

    # Two partial indexes: the numbered rows in feed order (the feed, the largest number), and the
    # rows still to number in position order, so finding them never wades through the numbered log.
    __table_args__ = (
        Index("ix_outbox_feed_position", "feed_position", unique=True,
              postgresql_where=text(ASSIGNED), sqlite_where=text(ASSIGNED)),
        Index("ix_outbox_feed_unassigned", "position",
              postgresql_where=text(UNASSIGNED), sqlite_where=text(UNASSIGNED)),
    )


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


def assign_feed_positions(session: Session, batch: int = ASSIGN_BATCH) -> int:
    """Number the committed rows that have no feed position yet; returns how many were numbered.

    Runs in its own short transaction (``session`` must not be in one). Assigners are
    serialised - PostgreSQL by an advisory lock taken before the numbering statement,
    whose snapshot (READ COMMITTED, the default) therefore shows every number the
    previous assigner committed; SQLite by its write lock - and each gives the rows it
    sees the numbers after the largest one (in position order). Numbers thus appear
    in the order rows became visible, so a cursor can never pass a row that is still
    to come. Rows another transaction holds locked (a relay publishing them) are
    skipped, not waited for: they are numbered by a later call.
    """
    with session.begin():
        postgres = is_postgres(session)
        if postgres:
            session.execute(select(func.pg_advisory_xact_lock(FEED_LOCK_KEY)))
        return cast(CursorResult[Any], session.execute(_numbering(batch, postgres))).rowcount


def _numbering(batch: int, postgres: bool) -> Update:
    """``UPDATE outbox SET feed_position = max + row_number()`` over the oldest unnumbered rows."""
    outbox = OutboxEvent.__table__
    todo = (select(outbox.c.position).where(outbox.c.feed_position.is_(None))
            .order_by(outbox.c.position).limit(batch))
    if postgres:
        todo = todo.with_for_update(skip_locked=True)
    rows = todo.subquery("todo")
    largest = (select(outbox.c.feed_position).where(outbox.c.feed_position.is_not(None))
               .order_by(outbox.c.feed_position.desc()).limit(1).correlate(None).scalar_subquery())
    top = func.coalesce(largest, 0)
    numbered = select(rows.c.position, (top + func.row_number().over(order_by=rows.c.position)).label("number"))
    given = numbered.subquery("numbered")
    return update(outbox).where(outbox.c.position == given.c.position).values(feed_position=given.c.number)


def read_feed(session: Session, after: int, limit: int) -> tuple[list[dict[str, Any]], int]:
    """Events after a feed cursor, in commit order, and the cursor to ask with next time.

    Only numbered rows are served: a row committed since the last assigner ran waits
    for the next one (the relay runs one every round) instead of risking a skip.
    """
    outbox = OutboxEvent.__table__
    rows = session.execute(
        select(outbox.c.feed_position, outbox.c.body).where(outbox.c.feed_position > after)
        .order_by(outbox.c.feed_position).limit(limit)
    ).all()
    cursor = rows[-1].feed_position if rows else after
    return [json.loads(row.body) for row in rows], cursor

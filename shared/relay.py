"""The outbox relay: publishes committed outbox rows and marks them sent.

Two relays never publish the same row at the same time: on PostgreSQL a relay
locks its batch (``FOR UPDATE SKIP LOCKED``) until it has marked it sent; on
SQLite it takes a short lease on the rows instead. A relay that dies after
publishing and before marking leaves the rows unsent (the lock goes with its
connection, the lease runs out) and another relay publishes the same events
again, with the same ids: consumers drop the duplicates. Publishing waits for the
broker's confirms, a window at a time.
"""
from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import ARRAY, BigInteger, Row, any_, bindparam, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from shared import broker
from shared.config import Settings
from shared.db import is_postgres
from shared.faults import failpoint
from shared.outbox import OutboxEvent, utcnow
from shared.publisher import ConfirmingPublisher, Outgoing

log = logging.getLogger("dealer.relay")
# How long a claim holds (``DEALER_RELAY_LEASE_SECONDS``): a dead relay's rows go again after it.
LEASE = timedelta(seconds=float(os.environ.get("DEALER_RELAY_LEASE_SECONDS") or 30))
OUTBOX = OutboxEvent.__table__  # Core statements on the table: a round skips the ORM's bulk machinery
ROW = (OUTBOX.c.position, OUTBOX.c.event_id, OUTBOX.c.routing_key, OUTBOX.c.body)


class OutboxRelay:
    """Moves outbox rows to the ``dealer.events`` exchange, oldest first."""

    def __init__(self, settings: Settings, sessions: sessionmaker[Session], batch_size: int = 2000,
                 poll_interval: float = 1.0, gather: float = 0.02) -> None:
        self.settings = settings
        self.gather = gather
        self.sessions = sessions
        self.batch_size = batch_size
        self.poll_interval = poll_interval
        self.publisher = ConfirmingPublisher(settings.amqp_url)
        self._declared = False
        with sessions() as session:  # the kind of database, read from the engine (nothing is connected)
            self._postgres = is_postgres(session)
        # Set once ``run`` holds its poke socket, so a caller can wait for it instead of probing the port.
        self.listening = threading.Event()

    def publish_pending(self) -> int:
        """Publish one batch of unsent rows; returns how many were marked sent."""
        if not self._declared:
            self._declare()
        if self._postgres:
            with self.sessions() as session:
                return self._publish_locked(session)
        return self._publish_leased()

    def _publish_locked(self, session: Session) -> int:
        """PostgreSQL: lock the rows (other relays skip them), publish, mark, commit: one write per row."""
        with session.begin():
            rows = session.execute(
                select(*ROW).where(OUTBOX.c.published_at.is_(None)).order_by(OUTBOX.c.position)
                .limit(self.batch_size).with_for_update(skip_locked=True)
            ).all()
            sent = self._publish(rows)
            if sent:
                positions = bindparam("positions", sent, type_=ARRAY(BigInteger))  # one array: a short statement
                session.execute(update(OUTBOX).where(OUTBOX.c.position == any_(positions))
                                .values(published_at=utcnow()))
        return len(sent)

    def _publish_leased(self) -> int:
        """SQLite: lease the rows in a short write, publish outside it, then mark them sent.

        Holding SQLite's single write lock while waiting for the broker would stall
        every request of the service; a lease keeps the lock short instead.
        """
        token, rows = self._claim()
        sent = self._publish(rows)
        if sent:
            self._mark_sent(token, sent, everything=len(sent) == len(rows))
        return len(sent)

    def _publish(self, rows: Sequence[Row[tuple[int, str, str, str]]]) -> list[int]:
        """Publish rows with confirms; the positions the broker confirmed."""
        if not rows:
            return []
        confirmed = self.publisher.publish([self._outgoing(row) for row in rows])
        failpoint("relay.after_publish")
        return [row.position for row, ok in zip(rows, confirmed, strict=True) if ok]

    def close(self) -> None:
        """Close the broker connection."""
        self.publisher.close()

    def run(self, stop: threading.Event) -> None:
        """Publish until ``stop`` is set: at once when poked, else every poll interval."""
        wake = _wake_socket(self.settings.relay_bind_addr)
        if wake is not None:
            self.listening.set()
        delay = 0.5
        while not stop.is_set():
            last_round = time.monotonic()
            try:
                published = self.publish_pending()
                delay = 0.5
            except Exception as exc:  # noqa: BLE001 - broker or database down: back off and retry
                log.warning("relay cannot publish yet: %s", exc.__class__.__name__, extra={"error": str(exc)})
                self.publisher.close()
                self._declared = False
                stop.wait(delay)
                delay = min(delay * 2, 10.0)
                continue
            if published < self.batch_size:
                _wait_for_poke(wake, self.poll_interval)
                _gather_pokes(wake, last_round + self.gather - time.monotonic())
        self.publisher.close()
        if wake is not None:
            wake.close()

    # -- steps ----------------------------------------------------------------------
    def _claim(self) -> tuple[str, list[Row[tuple[int, str, str, str]]]]:
        """Lease the oldest unsent rows to this relay; return them (position, id, key, body)."""
        token, now = str(uuid.uuid4()), utcnow()
        claimable = (OUTBOX.c.published_at.is_(None),
                     or_(OUTBOX.c.claimed_until.is_(None), OUTBOX.c.claimed_until < now))
        with self.sessions() as session, session.begin():
            oldest = select(OUTBOX.c.position).where(*claimable).order_by(OUTBOX.c.position)
            rows = session.execute(
                update(OUTBOX)
                .where(OUTBOX.c.position.in_(oldest.limit(self.batch_size).scalar_subquery()), *claimable)
                .values(claim_token=token, claimed_until=now + LEASE)
                .returning(*ROW)
            ).all()
        return token, sorted(rows, key=lambda row: row.position)

    def _outgoing(self, row: Row[tuple[int, str, str, str]]) -> Outgoing:
        props = {"delivery_mode": 2, "content_type": "application/json", "message_id": row.event_id}
        return Outgoing(self.settings.exchange, row.routing_key, row.body.encode(), props)

    def _mark_sent(self, token: str, positions: list[int], everything: bool) -> None:
        """Mark confirmed rows sent; rows the broker refused keep their lease and go again later."""
        sent = {"published_at": utcnow(), "claim_token": None, "claimed_until": None}
        mine = OUTBOX.c.claim_token == token
        with self.sessions() as session, session.begin():
            if everything:
                session.execute(update(OUTBOX).where(mine).values(**sent))
                return
            for start in range(0, len(positions), 500):
                chunk = positions[start:start + 500]
                session.execute(update(OUTBOX).where(OUTBOX.c.position.in_(chunk), mine).values(**sent))

    def _declare(self) -> None:
        conn = broker.connect(self.settings.amqp_url)
        try:
            broker.declare_exchange(broker.raw_channel(conn), self.settings)
        finally:
            conn.close()
        self._declared = True


def _wake_socket(address: tuple[str, int]) -> socket.socket | None:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        sock.bind(address)
    except OSError:
        # Another relay of this service holds the address: this one still polls.
        sock.close()
        return None
    return sock


def _gather_pokes(sock: socket.socket | None, pause: float) -> None:
    """Let a busy stream gather for the rest of ``pause`` before the next round.

    Each request pokes after its commit; answering every poke at once made a round (claim,
    publish, mark: two SQLite writes) per event under load, competing with the requests for
    the lock and the CPUs. A round at most every ``gather`` seconds publishes several events at a
    time instead; at a light load the last round is long past and nothing waits.
    """
    if pause <= 0:
        return
    time.sleep(pause)
    if sock is not None:
        _drain_pokes(sock)  # the pokes that came meanwhile are served by this round


def _wait_for_poke(sock: socket.socket | None, timeout: float) -> None:
    if sock is None:
        threading.Event().wait(timeout)
        return
    sock.settimeout(timeout)
    with contextlib.suppress(TimeoutError):
        sock.recv(64)
        _drain_pokes(sock)  # several pokes may have queued up: one publish serves them all


def _drain_pokes(sock: socket.socket) -> None:
    """Take every poke already waiting on the socket, without waiting for more."""
    sock.setblocking(False)
    with contextlib.suppress(BlockingIOError):
        while True:
            sock.recv(64)

"""The outbox relay: publishes committed outbox rows and marks them sent.

Two relays never publish the same row at the same time: on PostgreSQL a relay
locks its batch (``FOR UPDATE SKIP LOCKED``) until it has marked it sent; on
SQLite it takes a short lease on the rows instead. A relay that dies after
publishing and before marking leaves the rows unsent (the lock goes with its
connection, the lease runs out) and another relay publishes the same events
again, with the same ids: consumers drop the duplicates. Publishing waits for the
broker's confirms, a window at a time.

An event no queue is bound to receive (the broker returns it: ``mandatory``) is not
marked sent: it is counted (``dealer_outbox_unroutable_total``), logged by routing key
and event id, and backed off - its ``claimed_until`` is set 5 s ahead, doubling with
each return up to 60 s (per relay process) - so the rows behind it keep flowing and it
costs one publish per back-off until a subscriber binds its key.

When the broker stops taking messages (blocked by an alarm, silent, too slow to
confirm: see ``shared.publisher``) the round fails and the relay gives its rows back
at once - PostgreSQL rolls back, so the row locks go; SQLite clears the lease of the
rows it claimed and did not mark - then reconnects with back-off.
"""
from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import socket
import threading
import time
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from prometheus_client import Counter
from sqlalchemy import ARRAY, BigInteger, Row, any_, bindparam, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from shared import broker
from shared.clock import utcnow
from shared.config import Settings
from shared.db import is_postgres
from shared.faults import failpoint
from shared.outbox import OutboxEvent, assign_feed_positions
from shared.publisher import ConfirmingPublisher, Outgoing

log = logging.getLogger("dealer.relay")
# How long a claim holds (``DEALER_RELAY_LEASE_SECONDS``): a dead relay's rows go again after it.
LEASE = timedelta(seconds=float(os.environ.get("DEALER_RELAY_LEASE_SECONDS") or 30))
DECLARE_TIMEOUT = 10.0  # seconds the exchange declaration may wait for the broker
OUTBOX = OutboxEvent.__table__  # Core statements on the table: a round skips the ORM's bulk machinery
ROW = (OUTBOX.c.position, OUTBOX.c.event_id, OUTBOX.c.routing_key, OUTBOX.c.body)
UNROUTABLE = Counter("dealer_outbox_unroutable_total",
                     "Outbox events the broker returned because no queue is bound to their routing key",
                     ["service", "routing_key"])
UNROUTABLE_BACKOFF = (5.0, 60.0)  # seconds before an unroutable row's next try: first, then doubling up to
OutboxRow = Row[tuple[int, str, str, str]]


class OutboxRelay:
    """Moves outbox rows to the ``dealer.events`` exchange, oldest first."""

    def __init__(self, settings: Settings, sessions: sessionmaker[Session], batch_size: int = 2000,
                 poll_interval: float = 1.0, gather: float = 0.02, confirm_timeout: float | None = None,
                 unroutable_backoff: tuple[float, float] = UNROUTABLE_BACKOFF) -> None:
        self.settings = settings
        self.gather = gather
        self.sessions = sessions
        self.batch_size = batch_size
        self.poll_interval = poll_interval
        self.unroutable_backoff = unroutable_backoff
        self.publisher = ConfirmingPublisher(settings.amqp_url, confirm_timeout=confirm_timeout)
        self._returns: dict[str, int] = {}  # event id -> times the broker returned it (for the back-off)
        self._declared = False
        with sessions() as session:  # the kind of database, read from the engine (nothing is connected)
            self._postgres = is_postgres(session)
        # Set once ``run`` holds its poke socket, so a caller can wait for it instead of probing the port.
        self.listening = threading.Event()

    def publish_pending(self) -> int:
        """Publish one batch of unsent rows; returns how many were marked sent."""
        with self.sessions() as session:  # the feed's numbers first, before the broker: the feed advances without it
            assign_feed_positions(session)
        if not self._declared:
            self._declare()
        if self._postgres:
            with self.sessions() as session:
                return self._publish_locked(session)
        return self._publish_leased()

    def _publish_locked(self, session: Session) -> int:
        """PostgreSQL: lock the rows (other relays skip them), publish, mark, commit: one write per row."""
        with session.begin():  # an exception rolls back: the locks go and the rows are free at once
            rows = session.execute(
                select(*ROW).where(*_claimable(utcnow())).order_by(OUTBOX.c.position)
                .limit(self.batch_size).with_for_update(skip_locked=True)
            ).all()
            sent, unroutable = self._publish(rows)
            if sent:
                positions = bindparam("positions", sent, type_=ARRAY(BigInteger))  # one array: a short statement
                session.execute(update(OUTBOX).where(OUTBOX.c.position == any_(positions))
                                .values(published_at=utcnow()))
            self._back_off(session, unroutable)
        return len(sent)

    def _publish_leased(self) -> int:
        """SQLite: lease the rows in a short write, publish outside it, then mark them sent.

        Holding SQLite's single write lock while waiting for the broker would stall
        every request of the service; a lease keeps the lock short instead.
        """
        token, rows = self._claim()
        try:
            sent, unroutable = self._publish(rows)
        except Exception:
            self._release(token)
            raise
        if sent:
            self._mark_sent(token, sent, everything=len(sent) == len(rows))
        if unroutable:
            with self.sessions() as session, session.begin():
                self._back_off(session, unroutable, token)
        return len(sent)

    def _publish(self, rows: Sequence[OutboxRow]) -> tuple[list[int], list[OutboxRow]]:
        """Publish rows with confirms (mandatory); the positions confirmed, and the rows returned unroutable."""
        if not rows:
            self.publisher.keepalive()  # an idle round still reads the broker's heartbeats and sends ours
            return [], []
        confirmed = self.publisher.publish([self._outgoing(row) for row in rows], mandatory=True)
        failpoint("relay.after_publish")
        unroutable = [rows[number] for number in self.publisher.unroutable]
        sent = [row.position for row, ok in zip(rows, confirmed, strict=True) if ok]
        if self._returns and sent:
            for row, ok in zip(rows, confirmed, strict=True):
                if ok:
                    self._returns.pop(row.event_id, None)
        return sent, unroutable

    def _back_off(self, session: Session, rows: Sequence[OutboxRow], token: str | None = None) -> None:
        """Count, log and put off the rows no queue received, each by its own back-off, in ``session``.

        On SQLite only the rows still leased to this relay (``token``) are put off.
        """
        mine = () if token is None else (OUTBOX.c.claim_token == token,)
        now = utcnow()
        due: dict[float, list[int]] = {}
        for row in rows:
            delay = self._next_delay(row.event_id)
            UNROUTABLE.labels(self.settings.service, row.routing_key).inc()
            log.warning("event unroutable: no queue is bound to %s; event %s kept unsent, next try in %g s",
                        row.routing_key, row.event_id, delay)
            due.setdefault(delay, []).append(row.position)
        for delay, positions in due.items():
            session.execute(update(OUTBOX).where(OUTBOX.c.position.in_(positions), *mine)
                            .values(claimed_until=now + timedelta(seconds=delay), claim_token=None))

    def _next_delay(self, event_id: str) -> float:
        """5 s after the first return, doubling with each further one, 60 s at most (by default)."""
        first, longest = self.unroutable_backoff
        returns = self._returns[event_id] = self._returns.get(event_id, 0) + 1
        if len(self._returns) > 100_000:  # a bound on memory: the oldest entries start over at the first delay
            self._returns.pop(next(iter(self._returns)))
        return float(min(first * 2 ** min(returns - 1, 30), longest))

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
        claimable = _claimable(now)
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
        props = {"delivery_mode": 2, "content_type": broker.EVENT_CONTENT_TYPE, "message_id": row.event_id,
                 "type": event_type_in(row.body)}
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

    def _release(self, token: str) -> None:
        """SQLite: give back the claimed rows not marked sent, so the next round or another relay takes them now."""
        with contextlib.suppress(Exception), self.sessions() as session, session.begin():  # noqa: SIM117
            # the database may be what failed: the lease then runs out by itself
            session.execute(update(OUTBOX).where(OUTBOX.c.claim_token == token, OUTBOX.c.published_at.is_(None))
                            .values(claim_token=None, claimed_until=None))

    def _declare(self) -> None:
        conn = broker.connect(self.settings.amqp_url)
        try:
            conn.connection.transport.sock.settimeout(DECLARE_TIMEOUT)  # a silent broker fails the round
            broker.declare_exchange(broker.raw_channel(conn), self.settings)
        except Exception:
            conn.collect()  # no closing handshake with a broker that does not answer
            raise
        conn.close()
        self._declared = True


def _claimable(now: datetime) -> tuple[Any, ...]:
    """Unsent rows neither leased by a relay (SQLite) nor put off as unroutable."""
    return (OUTBOX.c.published_at.is_(None),
            or_(OUTBOX.c.claimed_until.is_(None), OUTBOX.c.claimed_until < now))


# The outbox writes envelopes compactly and in one key order (``make_event``): the type is found
# without parsing the whole body; any other body is parsed.
_LEADING_TYPE = re.compile(r'^\{"specversion":"[^"]*","id":"[^"]*","source":"[^"]*","type":"([^"\\]+)"')


def event_type_in(body: str) -> str:
    """The CloudEvents ``type`` of an outbox body (for the AMQP ``type`` property subscribers filter on)."""
    found = _LEADING_TYPE.match(body)
    if found:
        return found.group(1)
    return str(json.loads(body).get("type", ""))


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

"""Publishing with publisher confirms and a window of confirms outstanding.

Waiting for each confirm before the next publish caps a relay at one disk sync
per message; keeping up to ``window`` messages unconfirmed lets the broker batch
its syncs, while the caller still learns exactly which messages were confirmed.

Messages go out ``mandatory``: one that no queue is bound to receive comes back as
``basic.return`` (and is then acked all the same), so the caller is told it was not
delivered instead of believing it was (``unroutable`` lists them).

A broker that stops taking messages never holds a caller for long: the connection
carries heartbeats, every socket write has a deadline, the wait for confirms is
bounded as a whole, and RabbitMQ's ``connection.blocked`` (a memory or disk alarm)
ends the call at once. Each of these raises ``PublishAborted``; the connection is
dropped and the next call opens a new one.
"""
from __future__ import annotations

import contextlib
import os
import select
import socket
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import amqp
from kombu import Connection

from shared import broker
from shared.framing import encode_publish

WRITE_CHUNK = 200  # messages per socket write
CLOSE_TIMEOUT = 2.0  # how long a polite close may wait for the broker's close-ok
READ_SLICE = 0.05  # longest single read while taking the frames an idle connection received


def _seconds(name: str, default: float) -> float:
    return float(os.environ.get(name) or default)


# Defaults, each overridable by the environment and by the constructor.
HEARTBEAT = int(_seconds("DEALER_PUBLISH_HEARTBEAT_SECONDS", 15))
CONFIRM_TIMEOUT = _seconds("DEALER_PUBLISH_CONFIRM_SECONDS", 30)
WRITE_TIMEOUT = _seconds("DEALER_PUBLISH_WRITE_SECONDS", 10)


class PublishAborted(ConnectionError):
    """The broker stopped taking messages: blocked, silent, or too slow to confirm."""


@dataclass
class Outgoing:
    """One message to publish: where to, what, and its AMQP properties."""

    exchange: str
    routing_key: str
    body: bytes
    properties: dict[str, Any] = field(default_factory=dict)


ReturnKey = tuple[str, str, Any]  # exchange, routing key, message id: what a basic.return carries back


class ConfirmingPublisher:
    """One connection and one confirm-mode channel; reconnects when asked to publish."""

    def __init__(self, url: str, window: int = 1000, confirm_timeout: float | None = None,
                 heartbeat: int | None = None, write_timeout: float | None = None) -> None:
        self.url = url
        self.window = window
        self.confirm_timeout = CONFIRM_TIMEOUT if confirm_timeout is None else confirm_timeout
        self.heartbeat = HEARTBEAT if heartbeat is None else heartbeat
        self.write_timeout = WRITE_TIMEOUT if write_timeout is None else write_timeout
        self.unroutable: list[int] = []  # indices, in the last call's messages, the broker returned
        self.blocked: str | None = None  # the broker's reason while it blocks this connection
        self._conn: Connection | None = None
        self._channel: amqp.Channel | None = None
        self._acked: dict[int, bool] = {}
        self._expected: dict[ReturnKey, deque[int]] = {}

    def publish(self, messages: Sequence[Outgoing], mandatory: bool = True) -> list[bool]:
        """Publish all, wait for every confirm; True where the broker confirmed and routed the message.

        False where it nacked the message or returned it as unroutable (those indices are
        also in ``unroutable``). Raises ``PublishAborted`` (or the connection's own error)
        when the broker cannot take them; the connection is then dropped.
        """
        self.unroutable = []
        try:
            return self._publish(messages, mandatory)
        except Exception:
            self._abandon()
            raise

    def keepalive(self) -> None:
        """Between publishes: read what the broker sent (heartbeats, blocked) and send our heartbeat.

        A connection found dead is dropped quietly; the next ``publish`` opens a new one.
        """
        if self._conn is None:
            return
        try:
            self._service()
        except Exception:  # noqa: BLE001 - any failure here means only: reconnect next time
            self._abandon()

    def close(self) -> None:
        """Close the connection (quietly: it may already be gone, or the broker may not answer)."""
        conn, self._conn, self._channel = self._conn, None, None
        if conn is None:
            return
        with contextlib.suppress(Exception):  # closing a dead connection may raise anything
            conn.connection.transport.sock.settimeout(CLOSE_TIMEOUT)  # a silent broker never sends close-ok
            conn.close()
            return
        self._drop(conn)

    # -- one call -------------------------------------------------------------------
    def _publish(self, messages: Sequence[Outgoing], mandatory: bool) -> list[bool]:
        channel = self._ready_channel()
        assert self._conn is not None
        connection = self._conn.connection
        first_tag = self._next_tag
        self._acked = {}
        self._expected = self._return_keys(messages) if mandatory else {}
        pending: list[bytes] = []
        deadline = time.monotonic() + self.confirm_timeout
        for number, message in enumerate(messages):
            if first_tag + number - self._floor > self.window:
                self._write(connection, pending)
                self._drain_until(first_tag + number - self.window, deadline)
            pending.append(encode_publish(channel.channel_id, message.exchange, message.routing_key,
                                          message.body, message.properties, connection.frame_max, mandatory))
            if len(pending) >= WRITE_CHUNK:
                self._write(connection, pending)
        self._write(connection, pending)
        self._next_tag = first_tag + len(messages)
        self._drain_until(self._next_tag - 1, deadline)
        returned = set(self.unroutable)
        return [self._acked.get(first_tag + n, False) and n not in returned for n in range(len(messages))]

    @staticmethod
    def _return_keys(messages: Sequence[Outgoing]) -> dict[ReturnKey, deque[int]]:
        """Where each message would come back from: returns arrive in publish order, so first in, first out."""
        keys: dict[ReturnKey, deque[int]] = {}
        for number, message in enumerate(messages):
            key = (message.exchange, message.routing_key, message.properties.get("message_id"))
            keys.setdefault(key, deque()).append(number)
        return keys

    def _write(self, connection: amqp.Connection, pending: list[bytes]) -> None:
        """One socket write for a chunk of encoded messages, done within ``write_timeout`` or raising."""
        if not pending:
            return
        sock = connection.transport.sock
        sock.settimeout(self.write_timeout)  # a total deadline for sendall: a broker that stops reading
        try:
            sock.sendall(b"".join(pending))
        except TimeoutError as exc:
            raise PublishAborted(f"the broker took no data for {self.write_timeout:g} s") from exc
        finally:
            sock.settimeout(None)
        connection.bytes_sent += 1  # counts as traffic for the heartbeat bookkeeping
        pending.clear()

    # -- the connection -------------------------------------------------------------
    def _ready_channel(self) -> amqp.Channel:
        """The channel, after reading what the idle connection received; a new one if it died meanwhile."""
        if self._channel is not None:
            try:
                self._service()
            except Exception:  # noqa: BLE001 - closed by the broker while idle: nothing was sent yet, reconnect
                self._abandon()
        if self._channel is None:
            self._open()
        if self.blocked is not None:
            raise PublishAborted(f"the broker blocks publishing: {self.blocked}")
        assert self._channel is not None
        return self._channel

    def _open(self) -> None:
        self.blocked = None
        self._conn = broker.connect(self.url, heartbeat=self.heartbeat, write_timeout=self.write_timeout,
                                    on_blocked=self._on_blocked, on_unblocked=self._on_unblocked)
        channel = broker.raw_channel(self._conn)
        channel.confirm_select()
        channel.events["basic_ack"].add(self._on_ack)
        channel.events["basic_nack"].add(self._on_nack)
        channel.events["basic_return"].add(self._on_return)
        self._channel, self._next_tag, self._floor = channel, 1, 0

    def _service(self) -> None:
        """Take every frame already received (without waiting), then send a heartbeat if one is due."""
        assert self._conn is not None
        connection = self._conn.connection
        transport = connection.transport
        while getattr(transport, "_read_buffer", b"") or select.select([transport.sock], [], [], 0)[0]:
            with contextlib.suppress(socket.timeout):  # a frame still arriving: its start stays buffered
                connection.drain_events(timeout=READ_SLICE)
        connection.heartbeat_tick()  # raises when the broker has been silent for two heartbeats and more

    def _abandon(self) -> None:
        """Drop the connection without a handshake: its state (tags, returns) is no longer trusted."""
        conn, self._conn, self._channel = self._conn, None, None
        if conn is not None:
            self._drop(conn)

    @staticmethod
    def _drop(conn: Connection) -> None:
        with contextlib.suppress(Exception):  # the socket may already be gone
            conn.collect()

    # -- broker callbacks -----------------------------------------------------------
    def _on_blocked(self, reason: str) -> None:
        self.blocked = reason or "connection blocked"

    def _on_unblocked(self) -> None:
        self.blocked = None

    def _on_return(self, _exc: Exception, exchange: str, routing_key: str, message: amqp.Message) -> None:
        waiting = self._expected.get((exchange, routing_key, message.properties.get("message_id")))
        if waiting:
            self.unroutable.append(waiting.popleft())

    # -- confirms -------------------------------------------------------------------
    def _on_ack(self, delivery_tag: int, multiple: bool) -> None:
        self._settle(delivery_tag, multiple, True)

    def _on_nack(self, delivery_tag: int, multiple: bool, *_: Any) -> None:
        self._settle(delivery_tag, multiple, False)

    def _settle(self, tag: int, multiple: bool, ok: bool) -> None:
        for settled in range(self._floor + 1 if multiple else tag, tag + 1):
            self._acked.setdefault(settled, ok)
        while self._floor + 1 in self._acked:
            self._floor += 1

    def _drain_until(self, tag: int, deadline: float) -> None:
        """Read confirms until ``tag`` is settled, heartbeating meanwhile; all by ``deadline``."""
        assert self._conn is not None
        connection = self._conn.connection
        while self._floor < tag:
            if self.blocked is not None:
                raise PublishAborted(f"the broker blocks publishing: {self.blocked}")
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise PublishAborted(f"no confirm within {self.confirm_timeout:g} s")
            with contextlib.suppress(socket.timeout):
                connection.drain_events(timeout=min(remaining, 1.0))
            connection.heartbeat_tick()

"""Publishing with publisher confirms and a window of confirms outstanding.

Waiting for each confirm before the next publish caps a relay at one disk sync
per message; keeping up to ``window`` messages unconfirmed lets the broker batch
its syncs, while the caller still learns exactly which messages were confirmed.
"""
from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import amqp
from kombu import Connection

from shared import broker
from shared.framing import encode_publish

WRITE_CHUNK = 200  # messages per socket write


@dataclass
class Outgoing:
    """One message to publish: where to, what, and its AMQP properties."""

    exchange: str
    routing_key: str
    body: bytes
    properties: dict[str, Any] = field(default_factory=dict)


class ConfirmingPublisher:
    """One connection and one confirm-mode channel; reconnects when asked to publish."""

    def __init__(self, url: str, window: int = 1000, confirm_timeout: float = 30.0) -> None:
        self.url = url
        self.window = window
        self.confirm_timeout = confirm_timeout
        self._conn: Connection | None = None
        self._channel: amqp.Channel | None = None
        self._acked: dict[int, bool] = {}

    def publish(self, messages: Sequence[Outgoing]) -> list[bool]:
        """Publish all, wait for every confirm; True where the broker confirmed."""
        channel = self._ensure_channel()
        assert self._conn is not None
        connection = self._conn.connection
        first_tag = self._next_tag
        self._acked = {}
        pending: list[bytes] = []
        for number, message in enumerate(messages):
            if first_tag + number - self._floor > self.window:
                self._write(connection, pending)
                self._drain_until(first_tag + number - self.window)
            pending.append(encode_publish(channel.channel_id, message.exchange, message.routing_key,
                                          message.body, message.properties, connection.frame_max))
            if len(pending) >= WRITE_CHUNK:
                self._write(connection, pending)
        self._write(connection, pending)
        self._next_tag = first_tag + len(messages)
        self._drain_until(self._next_tag - 1)
        return [self._acked.get(first_tag + n, False) for n in range(len(messages))]

    @staticmethod
    def _write(connection: amqp.Connection, pending: list[bytes]) -> None:
        """One socket write for a chunk of encoded messages."""
        if pending:
            connection.transport.write(b"".join(pending))
            pending.clear()

    def close(self) -> None:
        """Close the connection (quietly: it may already be gone)."""
        if self._conn is not None:
            with contextlib.suppress(Exception):  # closing a dead connection may raise anything
                self._conn.close()
        self._conn = self._channel = None

    # -- confirms -------------------------------------------------------------------
    def _ensure_channel(self) -> amqp.Channel:
        if self._channel is None:
            self._conn = broker.connect(self.url, heartbeat=0)  # idle between batches: no heartbeats owed
            channel = broker.raw_channel(self._conn)
            channel.confirm_select()
            channel.events["basic_ack"].add(self._on_ack)
            channel.events["basic_nack"].add(self._on_nack)
            self._channel, self._next_tag, self._floor = channel, 1, 0
        return self._channel

    def _on_ack(self, delivery_tag: int, multiple: bool) -> None:
        self._settle(delivery_tag, multiple, True)

    def _on_nack(self, delivery_tag: int, multiple: bool, *_: Any) -> None:
        self._settle(delivery_tag, multiple, False)

    def _settle(self, tag: int, multiple: bool, ok: bool) -> None:
        for settled in range(self._floor + 1 if multiple else tag, tag + 1):
            self._acked.setdefault(settled, ok)
        while self._floor + 1 in self._acked:
            self._floor += 1

    def _drain_until(self, tag: int) -> None:
        assert self._conn is not None
        while self._floor < tag:
            self._conn.drain_events(timeout=self.confirm_timeout)

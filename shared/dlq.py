"""Ops tools for a service's dead letters: list them, and replay them once fixed."""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import amqp

from shared import broker
from shared.config import Settings
from shared.publisher import ConfirmingPublisher, Outgoing


@dataclass
class DeadLetter:
    """A parked event and why it was parked."""

    event_id: str
    event_type: str
    attempts: int
    error: str
    failed_at: str


def _describe(message: amqp.Message) -> DeadLetter:
    headers = message.properties.get("application_headers") or {}
    try:
        envelope: dict[str, Any] = json.loads(message.body)
    except ValueError:
        envelope = {}
    return DeadLetter(
        event_id=str(envelope.get("id", "?")), event_type=str(envelope.get("type", "?")),
        attempts=int(headers.get("x-attempt", 1)) - 1, error=str(headers.get("x-last-error", "")),
        failed_at=str(headers.get("x-failed-at", "")),
    )


def list_dead_letters(settings: Settings, limit: int = 1000) -> list[DeadLetter]:
    """Read the dead letters without removing them (they return to the queue on close)."""
    conn = broker.connect(settings.amqp_url)
    try:
        channel = broker.raw_channel(conn)
        broker.declare_consumer_queues(channel, settings, [])
        found = []
        for _ in range(limit):
            message = channel.basic_get(settings.queue("dead"), no_ack=False)
            if message is None:
                break
            found.append(_describe(message))
        return found
    finally:
        conn.close()


def replay_dead_letters(settings: Settings, limit: int = 1000) -> int:
    """Send dead letters back to the service's queue for a fresh set of attempts."""
    conn = broker.connect(settings.amqp_url)
    publisher = ConfirmingPublisher(settings.amqp_url)
    replayed = 0
    try:
        channel = broker.raw_channel(conn)
        broker.declare_consumer_queues(channel, settings, [])
        for _ in range(limit):
            message = channel.basic_get(settings.queue("dead"), no_ack=False)
            if message is None:
                break
            headers = {k: v for k, v in (message.properties.get("application_headers") or {}).items()
                       if k != "x-attempt"}
            headers["x-replayed"] = True
            props = {"delivery_mode": 2, "content_type": "application/json", "application_headers": headers}
            if not publisher.publish([Outgoing("", settings.queue("events"), bytes(message.body), props)])[0]:
                break  # not confirmed: leave it parked (unacked, so it returns to the queue)
            channel.basic_ack(message.delivery_tag)
            replayed += 1
        return replayed
    finally:
        publisher.close()
        conn.close()

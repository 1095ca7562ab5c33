"""Ops tools for a service's dead letters: list them, and replay them once fixed."""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

import amqp

from shared import broker
from shared.config import Settings
from shared.privacy import mask_text
from shared.publisher import ConfirmingPublisher, Outgoing

log = logging.getLogger("dealer.dlq")
MAX_SHOWN = 500  # characters of a field shown in a listing


@dataclass
class DeadLetter:
    """A parked event and why it was parked."""

    event_id: str
    event_type: str
    attempts: int
    error: str
    failed_at: str


def _describe(message: amqp.Message) -> DeadLetter:
    """What ops see of a parked message, whatever it holds: masked (an error may echo a phone), never raising."""
    raw_headers = message.properties.get("application_headers")
    headers: dict[Any, Any] = raw_headers if isinstance(raw_headers, dict) else {}
    try:
        parsed = json.loads(message.body)
    except (ValueError, TypeError, RecursionError):  # a message parked for not being JSON
        parsed = None
    envelope: dict[str, Any] = parsed if isinstance(parsed, dict) else {}
    attempt = headers.get("x-attempt", 1)
    return DeadLetter(
        event_id=_shown(envelope.get("id", "?")), event_type=_shown(envelope.get("type", "?")),
        attempts=attempt - 1 if isinstance(attempt, int) and not isinstance(attempt, bool) else 0,
        error=_shown(headers.get("x-last-error", "")), failed_at=_shown(headers.get("x-failed-at", "")),
    )


def _shown(value: Any) -> str:
    """A header or envelope field as one masked line of text (a malformed message may hold anything)."""
    text = value if isinstance(value, str) else value.decode(errors="replace") if isinstance(value, bytes) \
        else repr(value)
    return mask_text(" ".join(text[:MAX_SHOWN].split()))


def list_dead_letters(settings: Settings, limit: int = 1000) -> list[DeadLetter]:
    """Read the dead letters without removing them (they return to the queue on close)."""
    conn = broker.connect(settings.amqp_url)
    try:
        channel = broker.raw_channel(conn)
        channel = broker.declare_consumer_queues(channel, settings, [])
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
    """Send dead letters back to the service's queue for a fresh set of attempts.

    Only the letters parked when the replay starts: a malformed message replayed is parked again at once,
    and must not be fetched and replayed again in the same run.
    """
    conn = broker.connect(settings.amqp_url)
    publisher = ConfirmingPublisher(settings.amqp_url)
    replayed = 0
    try:
        channel = broker.raw_channel(conn)
        channel = broker.declare_consumer_queues(channel, settings, [])
        parked = channel.queue_declare(settings.queue("dead"), passive=True).message_count
        for _ in range(min(limit, parked)):
            message = channel.basic_get(settings.queue("dead"), no_ack=False)
            if message is None:
                break
            raw_headers = message.properties.get("application_headers")
            headers = {k: v for k, v in (raw_headers if isinstance(raw_headers, dict) else {}).items()
                       if k != "x-attempt"}
            headers["x-replayed"] = True
            props = {"delivery_mode": 2, "content_type": broker.EVENT_CONTENT_TYPE, "application_headers": headers}
            outgoing = Outgoing("", settings.queue("events"), _body(message), props)
            if not publisher.publish([outgoing], mandatory=True)[0]:
                # Not confirmed, or returned unroutable: leave it parked (unacked, so it returns to the queue).
                log.warning("dead letter %s not replayed: the broker did not take it for %s; it stays parked",
                            _describe(message).event_id, settings.queue("events"))
                break
            channel.basic_ack(message.delivery_tag)
            replayed += 1
        return replayed
    finally:
        publisher.close()
        conn.close()


def _body(message: amqp.Message) -> bytes:
    """The body as bytes (py-amqp hands over text when the publisher set a content_encoding)."""
    body = message.body
    return body.encode("utf-8", "surrogatepass") if isinstance(body, str) else bytes(body)

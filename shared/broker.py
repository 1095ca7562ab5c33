"""Everything the platform declares on RabbitMQ, in one place.

- ``dealer.events``: the durable topic exchange every service publishes to.
- ``<service>.events``: a consuming service's quorum queue, bound to the keys it
  handles, dead-lettering into ``<service>.dead``.
- ``<service>.retry.<n>``: back-off queues; a message waits out the queue's TTL
  and then goes back to ``<service>.events`` through the default exchange, so a
  retry reaches only the service that failed, never other subscribers.
"""
from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import Any

import amqp
from kombu import Connection

from shared.config import Settings

DEFAULT_RETRY_DELAYS_MS = (1000, 5000, 30000, 120000)


def retry_delays_ms() -> tuple[int, ...]:
    """Back-off before each retry; the last failure after these goes to the dead letters."""
    raw = os.environ.get("DEALER_RETRY_DELAYS_MS")
    return tuple(int(x) for x in raw.split(",")) if raw else DEFAULT_RETRY_DELAYS_MS


def connect(url: str, heartbeat: int = 30, write_timeout: float | None = None,
            on_blocked: Callable[[str], None] | None = None,
            on_unblocked: Callable[[], None] | None = None) -> Connection:
    """An open broker connection (kombu over py-amqp); the caller closes it.

    ``write_timeout`` makes a socket send that cannot proceed for that long raise (a
    broker that stopped reading); ``on_blocked``/``on_unblocked`` receive RabbitMQ's
    ``connection.blocked``/``unblocked`` (sent while a memory or disk alarm stops publishing).
    """
    options: dict[str, Any] = {"confirm_publish": False}
    if write_timeout is not None:
        options["write_timeout"] = write_timeout
    if on_blocked is not None:
        options["on_blocked"] = on_blocked
    if on_unblocked is not None:
        options["on_unblocked"] = on_unblocked
    conn = Connection(url, heartbeat=heartbeat, connect_timeout=5, transport_options=options)
    conn.connect()
    return conn


def raw_channel(conn: Connection) -> amqp.Channel:
    """A py-amqp channel: confirms and acks are driven directly for batching."""
    return conn.connection.channel()


def declare_exchange(channel: amqp.Channel, settings: Settings) -> None:
    """The events exchange and the dead-letter exchange (idempotent)."""
    channel.exchange_declare(settings.exchange, "topic", durable=True, auto_delete=False)
    channel.exchange_declare(settings.dead_letter_exchange, "direct", durable=True, auto_delete=False)


def declare_consumer_queues(channel: amqp.Channel, settings: Settings, bindings: Iterable[str]) -> None:
    """This service's queue, its retry queues and its dead-letter queue, bound as asked."""
    declare_exchange(channel, settings)
    main, dead = settings.queue("events"), settings.queue("dead")
    channel.queue_declare(dead, durable=True, auto_delete=False, arguments={"x-queue-type": "quorum"})
    channel.queue_bind(dead, settings.dead_letter_exchange, dead)
    channel.queue_declare(main, durable=True, auto_delete=False, arguments={
        "x-queue-type": "quorum",
        "x-dead-letter-exchange": settings.dead_letter_exchange,
        "x-dead-letter-routing-key": dead,
    })
    for key in bindings:
        channel.queue_bind(main, settings.exchange, key)
    for attempt, delay in enumerate(retry_delays_ms(), start=1):
        channel.queue_declare(retry_queue(settings, attempt), durable=True, auto_delete=False, arguments={
            "x-message-ttl": delay,
            "x-dead-letter-exchange": "",
            "x-dead-letter-routing-key": main,
        })


def retry_queue(settings: Settings, attempt: int) -> str:
    """The back-off queue a message waits in before its ``attempt``-th retry."""
    return settings.queue(f"retry.{attempt}")


def queue_names(settings: Settings) -> list[str]:
    """Every queue this service declares (for ops tools and test clean-up)."""
    names = [settings.queue("events"), settings.queue("dead")]
    return names + [retry_queue(settings, n) for n in range(1, len(retry_delays_ms()) + 1)]


# CloudEvents' AMQP binding, structured mode: the body is the whole event as JSON. A reader that parses
# the body as JSON whatever the content type keeps working; the CloudEvents SDKs read it as structured.
EVENT_CONTENT_TYPE = "application/cloudevents+json"


def message_properties(envelope: dict[str, Any], headers: dict[str, Any] | None = None) -> dict[str, Any]:
    """AMQP properties of a published event: persistent, a structured CloudEvent, traceable."""
    return {
        "delivery_mode": 2,
        "content_type": EVENT_CONTENT_TYPE,
        "message_id": envelope["id"],
        "correlation_id": envelope.get("correlationid") or envelope["id"],
        "type": envelope["type"],
        "app_id": envelope.get("source", ""),
        "application_headers": headers or {},
    }

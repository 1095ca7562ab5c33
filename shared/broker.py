"""Everything the platform declares on RabbitMQ, in one place.

- ``dealer.events``: the durable topic exchange every service publishes to.
- ``<service>.events``: a consuming service's quorum queue, bound to the keys it
  handles, dead-lettering into ``<service>.dead``.
- ``<service>.retry.<n>``: back-off queues; a message waits out the queue's TTL
  and then goes back to ``<service>.events`` through the default exchange, so a
  retry reaches only the service that failed, never other subscribers.

On a cluster (``AMQP_URL`` naming several nodes, or ``DEALER_QUORUM_SIZE`` > 1) the
queues are replicated: quorum queues with ``x-quorum-initial-group-size``, the
retry queues quorum too, and ``<service>.events`` gets ``x-delivery-limit`` so a
message that keeps coming back without an ack (it crashes every consumer that
takes it) is parked in ``<service>.dead``. With one node the declarations are the
same as before clusters existed, so a single-node broker is never asked to
change a queue. A queue that exists with other arguments (RabbitMQ answers
PRECONDITION_FAILED) is used as it is, with a warning: arguments cannot change
on a live queue; docs/reliability.md says how to upgrade one (a policy).
"""
from __future__ import annotations

import logging
import os
import random
from collections.abc import Callable, Iterable
from typing import Any

import amqp
from kombu import Connection

from shared.config import Settings, node_urls

log = logging.getLogger("dealer.broker")

DEFAULT_RETRY_DELAYS_MS = (1000, 5000, 30000, 120000)


def retry_delays_ms() -> tuple[int, ...]:
    """Back-off before each retry; the last failure after these goes to the dead letters."""
    raw = os.environ.get("DEALER_RETRY_DELAYS_MS")
    return tuple(int(x) for x in raw.split(",")) if raw else DEFAULT_RETRY_DELAYS_MS


def connect(url: str, heartbeat: int = 30, write_timeout: float | None = None,
            on_blocked: Callable[[str], None] | None = None,
            on_unblocked: Callable[[], None] | None = None) -> Connection:
    """An open broker connection (kombu over py-amqp) to the first node that answers; the caller closes it.

    ``url`` may name several nodes of a cluster (comma separated): they are tried in turn from a
    random one, so the processes spread over the nodes and a lost node is skipped; the error of
    the last node tried is raised when none answers. ``write_timeout`` makes a socket send that
    cannot proceed for that long raise (a broker that stopped reading); ``on_blocked`` and
    ``on_unblocked`` receive RabbitMQ's ``connection.blocked``/``unblocked`` (sent while a memory
    or disk alarm stops publishing).
    """
    options: dict[str, Any] = {"confirm_publish": False}
    if write_timeout is not None:
        options["write_timeout"] = write_timeout
    if on_blocked is not None:
        options["on_blocked"] = on_blocked
    if on_unblocked is not None:
        options["on_unblocked"] = on_unblocked
    nodes = node_urls(url)
    first = random.randrange(len(nodes))
    for number, node in enumerate(nodes[first:] + nodes[:first], start=1):
        conn = Connection(node, heartbeat=heartbeat, connect_timeout=5, transport_options=options)
        try:
            conn.connect()
            return conn
        except Exception:
            conn.collect()
            if number == len(nodes):
                raise
    raise AssertionError("node_urls returns at least one address")


def raw_channel(conn: Connection) -> amqp.Channel:
    """A py-amqp channel: confirms and acks are driven directly for batching."""
    return conn.connection.channel()


def declare_exchange(channel: amqp.Channel, settings: Settings) -> None:
    """The events exchange and the dead-letter exchange (idempotent)."""
    channel.exchange_declare(settings.exchange, "topic", durable=True, auto_delete=False)
    channel.exchange_declare(settings.dead_letter_exchange, "direct", durable=True, auto_delete=False)


def declare_consumer_queues(channel: amqp.Channel, settings: Settings, bindings: Iterable[str]) -> amqp.Channel:
    """This service's queue, its retry queues and its dead-letter queue, bound as asked.

    Returns the channel to go on with: a new one when the broker refused a declaration (see ``declare_queue``).
    """
    declare_exchange(channel, settings)
    main, dead = settings.queue("events"), settings.queue("dead")
    replicated = _replication(settings)
    channel = declare_queue(channel, dead, {"x-queue-type": "quorum", **replicated})
    channel.queue_bind(dead, settings.dead_letter_exchange, dead)
    limit = {"x-delivery-limit": settings.delivery_limit} if settings.delivery_limit else {}
    channel = declare_queue(channel, main, {
        "x-queue-type": "quorum",
        "x-dead-letter-exchange": settings.dead_letter_exchange,
        "x-dead-letter-routing-key": dead,
        **replicated, **limit,
    })
    for key in bindings:
        channel.queue_bind(main, settings.exchange, key)
    retry_type = {"x-queue-type": "quorum", **replicated} if replicated else {}  # classic on one node, as before
    for attempt, delay in enumerate(retry_delays_ms(), start=1):
        channel = declare_queue(channel, retry_queue(settings, attempt), {
            "x-message-ttl": delay,
            "x-dead-letter-exchange": "",
            "x-dead-letter-routing-key": main,
            **retry_type,
        })
    return channel


def _replication(settings: Settings) -> dict[str, Any]:
    """The replicas a queue starts with: the cluster's size; nothing on one node (the broker's default)."""
    return {"x-quorum-initial-group-size": settings.quorum_size} if settings.quorum_size > 1 else {}


def declare_queue(channel: amqp.Channel, name: str, arguments: dict[str, Any]) -> amqp.Channel:
    """Declare a durable queue; returns the channel to go on with (a new one after a refusal).

    A queue that already exists with other arguments is kept as it is: RabbitMQ cannot change a
    live queue's arguments and answers PRECONDITION_FAILED (closing the channel); the queue is
    then checked to exist on a fresh channel and the operator is told how to upgrade it.
    """
    try:
        channel.queue_declare(name, durable=True, auto_delete=False, arguments=arguments)
        return channel
    except amqp.exceptions.PreconditionFailed as refused:
        log.warning("queue %s exists with other arguments; kept as it is (see docs/reliability.md, "
                    "'Upgrading queues'): %s", name, refused.reply_text)
    fresh = channel.connection.channel()
    fresh.queue_declare(name, passive=True)
    return fresh


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

"""A subscriber's own queue on the events exchange, for tests that read what a service published.

Several tests play another dealer system (a payroll, a CRM) that binds its own durable queue to some
routing keys and reads the events off RabbitMQ; this is that queue, made and removed in one place.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from shared import broker
from shared.config import Settings


@contextmanager
def subscriber_queue(settings: Settings, name: str, keys: Iterable[str]) -> Iterator[tuple[Any, str]]:
    """The channel and the queue ``<namespace><name>``, bound to ``keys`` on the service's exchange; deleted after."""
    conn = broker.connect(settings.amqp_url)
    try:
        channel = broker.raw_channel(conn)
        broker.declare_exchange(channel, settings)
        queue = f"{settings.namespace}{name}"
        channel.queue_declare(queue, durable=True, auto_delete=False)
        for key in keys:
            channel.queue_bind(queue, settings.exchange, key)
        yield channel, queue
        channel.queue_delete(queue)
    finally:
        conn.close()

"""What the broker itself does on this machine, measured with plain pika in the same run.

Every benchmark reports the project's figure as a ratio to one of these.
"""
from __future__ import annotations

import time
import uuid

import pika

BODY = b"x" * 1024


def _connection(url: str) -> pika.BlockingConnection:
    return pika.BlockingConnection(pika.URLParameters(url))


def publish_windowed(url: str, count: int, window: int = 1000, queue_type: str = "classic") -> float:
    """Persistent 1 KB messages to a durable queue, up to ``window`` confirms outstanding; msg/s."""
    queue = f"bench.raw.{uuid.uuid4().hex[:8]}"
    conn = pika.SelectConnection(pika.URLParameters(url), on_open_callback=lambda c: c.channel(on_open_callback=opened),
                                 on_close_callback=lambda *_: conn.ioloop.stop())
    state = {"sent": 0, "acked": 0, "start": 0.0, "end": 0.0}
    channel_ref: dict[str, object] = {}

    def opened(channel) -> None:  # noqa: ANN001 - pika callback
        channel_ref["ch"] = channel
        channel.queue_declare(queue, durable=True, arguments={"x-queue-type": queue_type},
                              callback=lambda _: channel.confirm_delivery(on_ack, callback=lambda _: start()))

    def start() -> None:
        state["start"] = time.perf_counter()
        pump()

    def pump() -> None:
        channel = channel_ref["ch"]
        while state["sent"] < count and state["sent"] - state["acked"] < window:
            channel.basic_publish("", queue, BODY, pika.BasicProperties(delivery_mode=2))  # type: ignore[attr-defined]
            state["sent"] += 1

    def on_ack(frame) -> None:  # noqa: ANN001 - pika callback
        tag, multiple = frame.method.delivery_tag, frame.method.multiple
        state["acked"] = tag if multiple else max(state["acked"], tag)
        if state["acked"] >= count:
            state["end"] = time.perf_counter()
            channel_ref["ch"].queue_delete(queue, callback=lambda _: conn.close())  # type: ignore[attr-defined]
        else:
            pump()

    conn.ioloop.start()
    return count / (state["end"] - state["start"])


def consume_with_ack(url: str, count: int, prefetch: int = 100, queue_type: str = "classic") -> float:
    """Fill a durable queue with ``count`` messages, then consume with manual acks; msg/s."""
    queue = f"bench.raw.{uuid.uuid4().hex[:8]}"
    conn = _connection(url)
    channel = conn.channel()
    channel.queue_declare(queue, durable=True, arguments={"x-queue-type": queue_type})
    for _ in range(count):
        channel.basic_publish("", queue, BODY, pika.BasicProperties(delivery_mode=2))
    channel.basic_qos(prefetch_count=prefetch)
    received = 0
    start = time.perf_counter()
    for method, _props, _body in channel.consume(queue, inactivity_timeout=10):
        if method is None:
            break
        channel.basic_ack(method.delivery_tag)
        received += 1
        if received == count:
            break
    elapsed = time.perf_counter() - start
    channel.cancel()
    channel.queue_delete(queue)
    conn.close()
    return received / elapsed

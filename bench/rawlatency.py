"""The broker's own latency, measured with plain pika in the same run: publish with confirm, consume, ack.

``hops`` queues in a row (a consumer republishes with confirms to the next), at
a fixed rate; the latency of each message from its publish to the last consumer.
"""
from __future__ import annotations

import threading
import time
import uuid

import pika
from fixedrate import percentile


def _channel(url: str) -> tuple[pika.BlockingConnection, object]:
    conn = pika.BlockingConnection(pika.URLParameters(url))
    channel = conn.channel()
    channel.confirm_delivery()
    return conn, channel


def _consume(url: str, queue: str, forward_to: str | None, arrived: dict[int, float], stop: threading.Event,
             ready: threading.Barrier) -> None:
    conn, channel = _channel(url)
    channel.basic_qos(prefetch_count=100)
    ready.wait()
    for method, _props, body in channel.consume(queue, inactivity_timeout=0.05):
        if stop.is_set():
            break
        if method is None:
            continue
        if forward_to:
            channel.basic_publish("", forward_to, body, pika.BasicProperties(delivery_mode=2))
        else:
            arrived[int(body)] = time.perf_counter()
        channel.basic_ack(method.delivery_tag)
    channel.cancel()
    conn.close()


def round_trip(url: str, rate: float, count: int, hops: int = 1) -> dict[str, float]:
    """Latency p50/p99 (ms) of persistent messages through ``hops`` durable queues at ``rate``/s."""
    queues = [f"bench.raw.{uuid.uuid4().hex[:8]}" for _ in range(hops)]
    conn, channel = _channel(url)
    for queue in queues:
        channel.queue_declare(queue, durable=True)
    arrived: dict[int, float] = {}
    stop, ready = threading.Event(), threading.Barrier(hops + 1)
    threads = [threading.Thread(target=_consume, daemon=True,
                                args=(url, q, queues[i + 1] if i + 1 < hops else None, arrived, stop, ready))
               for i, q in enumerate(queues)]
    for thread in threads:
        thread.start()
    ready.wait()
    sent: dict[int, float] = {}
    start = time.perf_counter()
    for n in range(count):
        pause = start + n / rate - time.perf_counter()
        if pause > 0:
            time.sleep(pause)
        sent[n] = time.perf_counter()
        channel.basic_publish("", queues[0], str(n).encode(), pika.BasicProperties(delivery_mode=2))
    deadline = time.monotonic() + 10
    while len(arrived) < count and time.monotonic() < deadline:
        time.sleep(0.01)
    stop.set()
    for thread in threads:
        thread.join(timeout=5)
    for queue in queues:
        channel.queue_delete(queue)
    conn.close()
    lags = [(arrived[n] - sent[n]) * 1000 if n in arrived else float("inf") for n in sent]
    return {"rate": rate, "count": count, "hops": hops, "p50_ms": percentile(lags, 50), "p99_ms": percentile(lags, 99)}

"""A consumer facing a backlog of 20,000 events: its memory stays bounded by the prefetch, the backlog drains."""
from __future__ import annotations

import json
import threading
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from faultkit.outcome import conclude, write_result
from faultkit.reconcile import stored, wait_caught_up
from faultkit.stream import Plan
from shared import broker
from shared.config import load_settings
from shared.envelope import make_event
from shared.publisher import ConfirmingPublisher, Outgoing

pytestmark = [pytest.mark.faults, pytest.mark.timeout(600)]
BACKLOG = 20_000
GROWTH_MB = 64  # the worker's resident memory may grow this much while it drains, no more
SYNTHETIC = ("backlog", "backlog.event.published")  # events of another system: stored, no report reads them


def queue_depth(queue: str) -> int:
    """Messages ready in a queue."""
    conn = broker.connect(load_settings("reporting").amqp_url)
    try:
        return int(broker.raw_channel(conn).queue_declare(queue, passive=True).message_count)
    finally:
        conn.close()


def publish_synthetic(count: int) -> None:
    """``count`` events of another system on the exchange (routing key ``backlog.event.published``)."""
    settings = load_settings("reporting")
    publisher = ConfirmingPublisher(settings.amqp_url)
    try:
        for start in range(0, count, 2000):
            batch = [make_event("backlog", SYNTHETIC[1], f"item-{n}", {"n": n, "note": "x" * 300})
                     for n in range(start, min(count, start + 2000))]
            outgoing = [Outgoing(settings.exchange, SYNTHETIC[1], json.dumps(e).encode(),
                                 {"delivery_mode": 2, "content_type": "application/json", "message_id": e["id"]})
                        for e in batch]
            assert all(publisher.publish(outgoing))
    finally:
        publisher.close()


def drain_time(urls: dict[str, str], worker_started: datetime, synthetic: int, timeout: float = 400.0) -> float:
    """Seconds until reporting holds every synthetic event and every event written before its worker started."""
    began = time.monotonic()
    while stored(urls["reporting"])[0][SYNTHETIC] < synthetic:
        assert time.monotonic() - began < timeout, "the backlog did not drain"
        time.sleep(0.5)
    wait_caught_up(urls, worker_started, timeout=timeout)
    return time.monotonic() - began


class MemoryWatch:
    """Samples a process's resident memory (VmRSS) five times a second."""

    def __init__(self, pid: int) -> None:
        self.path, self.samples = Path(f"/proc/{pid}/status"), list[tuple[float, int]]()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        started = time.monotonic()
        while not self._stop.is_set():
            try:
                kb = next(int(line.split()[1]) for line in self.path.read_text().splitlines()
                          if line.startswith("VmRSS:"))
            except (OSError, StopIteration):
                return
            self.samples.append((time.monotonic() - started, kb))
            self._stop.wait(0.2)

    def stop(self) -> dict[str, float]:
        self._stop.set()
        self._thread.join(timeout=5)
        settled = [kb for t, kb in self.samples if t >= 3.0] or [kb for _, kb in self.samples]
        return {"rss_mb_after_start": round(settled[0] / 1024, 1), "rss_mb_max": round(max(settled) / 1024, 1),
                "rss_mb_end": round(settled[-1] / 1024, 1), "samples": len(self.samples)}


def test_a_consumer_drains_a_20000_event_backlog_in_bounded_memory(platform) -> None:
    started = time.monotonic()
    platform.start(without_worker=("reporting",))
    queue = load_settings("reporting").queue("events")
    stream = platform.stream(Plan()).start()
    stream.wait_progress(0.5)
    synthetic = max(0, BACKLOG - queue_depth(queue)) + 500
    publish_synthetic(synthetic)
    backlog = queue_depth(queue)

    worker_started = datetime.now(UTC)
    watch = MemoryWatch(platform.start_worker("reporting").pid)
    drained_in = drain_time(platform.db_urls, worker_started, synthetic)
    ledger = stream.join()
    extra = Counter({SYNTHETIC: synthetic})
    figures = conclude(platform, ledger, extra, settle_timeout=400)
    memory = watch.stop()
    write_result("slow_consumer_backlog", {
        "title": "Slow consumer with a 20,000-event backlog",
        "injected": f"reporting's worker stopped while the stream ran to 50%, then {synthetic} more events of "
                    "another system published, so its queue held a backlog; then the worker started (prefetch "
                    f"{load_settings('reporting').prefetch}) while the stream went on",
        "command": "python -m pytest -m faults tests/faults/test_slow_consumer_backlog.py",
        "backlog_at_start": backlog, "synthetic_events": synthetic, "memory": memory,
        "time_to_recover_s": round(drained_in, 1),
        "recover_means": "from the worker's start until reporting holds every event written before it "
                         "(the backlog drained)",
        "drain_events_per_s": round(backlog / drained_in, 0) if drained_in else None,
        "stream_seconds": round(stream.finished - stream.started, 1),
        "wall_seconds": round(time.monotonic() - started, 1), **figures})
    assert backlog >= BACKLOG
    assert memory["rss_mb_max"] - memory["rss_mb_after_start"] < GROWTH_MB, memory

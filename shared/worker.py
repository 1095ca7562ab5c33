"""A service's worker process: the outbox relay, the event consumer and scheduled jobs.

Each runs in its own thread with its own broker connection. SIGTERM or Ctrl-C
lets the consumer finish and ack the batch in hand; anything not acked goes
back to the queue when the connection closes, so stopping loses no message.

Besides a service's own jobs, every worker purges expired idempotency keys each hour (they
would otherwise pile up one row per POST, holding stored answers long after any retry).
"""
from __future__ import annotations

import logging
import os
import signal
import threading
from pathlib import Path
from typing import Any

from shared.config import Settings
from shared.consumer import EventConsumer
from shared.db import session_factory
from shared.logs import configure_logging
from shared.outbox import wake_relay_after_commit
from shared.relay import OutboxRelay
from shared.service import ScheduledJob, ServiceSpec
from shared.web import idempotency

log = logging.getLogger("dealer.worker")
PURGE_IDEMPOTENCY_KEYS = ScheduledJob("purge_idempotency_keys", idempotency.PURGE_EVERY_SECONDS,
                                      idempotency.purge_job)


def jobs_of(spec: ServiceSpec) -> tuple[ScheduledJob, ...]:
    """The service's own scheduled jobs plus the kernel's (the idempotency-key purge)."""
    return (*spec.jobs, PURGE_IDEMPOTENCY_KEYS)


def run_jobs(settings: Settings, jobs: tuple[ScheduledJob, ...], stop: threading.Event) -> None:
    """Run each scheduled job at its interval until ``stop``."""
    sessions = session_factory(settings.database_url)
    wake_relay_after_commit(sessions, settings.relay_wake_addr)
    due = {job.name: 0.0 for job in jobs}
    clock = 0.0
    while not stop.is_set():
        for job in jobs:
            if clock >= due[job.name]:
                try:
                    with sessions() as session:
                        done = job.run(session)
                    if done:
                        log.info("job %s handled %s", job.name, done)
                except Exception:
                    log.exception("job %s failed", job.name)
                due[job.name] = clock + job.every_seconds
        stop.wait(1.0)
        clock += 1.0


def start_threads(spec: ServiceSpec, settings: Settings, stop: threading.Event) -> list[threading.Thread]:
    """Start relay, consumer (if the service consumes) and jobs; return the threads."""
    sessions = session_factory(settings.database_url)
    wake_relay_after_commit(sessions, settings.relay_wake_addr)
    targets: list[tuple[str, Any]] = [("relay", OutboxRelay(settings, sessions).run)]
    if spec.handlers:
        consumer = EventConsumer(settings, sessions, dict(spec.handlers), list(spec.bindings) or None,
                                 batch_handler=spec.batch_handler)
        targets.append(("consumer", consumer.run))
    targets.append(("jobs", lambda s: run_jobs(settings, jobs_of(spec), s)))
    threads = [threading.Thread(target=fn, args=(stop,), name=f"{spec.name}-{name}", daemon=True)
               for name, fn in targets]
    for thread in threads:
        thread.start()
    return threads


def run_worker(spec: ServiceSpec, settings: Settings) -> None:
    """Run the worker until SIGTERM or SIGINT, then stop cleanly."""
    configure_logging(f"{spec.name}-worker")
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    threads = start_threads(spec, settings, stop)
    log.info("worker started: %s", ", ".join(t.name for t in threads))
    heartbeat = os.environ.get("DEALER_WORKER_HEARTBEAT")  # a file whose age a liveness probe checks
    if heartbeat:
        Path(heartbeat).touch()
    while not stop.is_set():
        stop.wait(0.5)
        if not all(t.is_alive() for t in threads):
            log.error("a worker thread died; stopping so the supervisor restarts the worker")
            stop.set()
        elif heartbeat:
            Path(heartbeat).touch()
    for thread in threads:
        thread.join(timeout=30)
    log.info("worker stopped")

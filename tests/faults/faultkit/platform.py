"""The platform a fault test runs: leads, inventory, orders and reporting as real processes.

Each service gets its own PostgreSQL database (or a SQLite file where a test asks),
its gunicorn web and its worker. A test may stop, kill and restart a worker with
failpoints armed; a supervisor thread restarts a worker each time it dies, as a
process manager would, and counts the deaths.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from dealer_testing import RunningService, create_postgres_database, drop_postgres_database
from faultkit.stream import Plan, Stream

STREAM_SERVICES = ("inventory", "orders", "leads", "reporting")


class Platform:
    """Running services, their databases, and their workers' lives."""

    def __init__(self, start_service: Callable[..., RunningService], admin_url: str, dealer_env: dict[str, str],
                 tmp_path: Path) -> None:
        self._start_service, self.admin_url, self.env = start_service, admin_url, dealer_env
        self.tmp_path = tmp_path
        self.services: dict[str, RunningService] = {}
        self.db_urls: dict[str, str] = {}
        self.workers: dict[str, subprocess.Popen[bytes]] = {}
        self.streams: list[Stream] = []
        self._created: list[str] = []

    def start(self, names: tuple[str, ...] = STREAM_SERVICES, sqlite: tuple[str, ...] = (),
              env: dict[str, dict[str, str]] | None = None, without_worker: tuple[str, ...] = ()) -> Platform:
        """Start the named services (PostgreSQL each, unless named in ``sqlite``)."""
        for name in names:
            if name in sqlite:
                url = f"sqlite:///{self.tmp_path / (name + '.db')}"
            else:
                url = create_postgres_database(self.admin_url)
                self._created.append(url)
            self.db_urls[name] = url
            running = self._start_service(name, database_url=url, worker=False, extra_env=(env or {}).get(name))
            self.services[name] = running
            if name not in without_worker:
                self.start_worker(name)
        return self

    def stream(self, plan: Plan) -> Stream:
        """A stream of business actions against these services (stopped with the platform)."""
        self.streams.append(Stream(self.urls, plan))
        return self.streams[-1]

    @property
    def urls(self) -> dict[str, str]:
        return {name: running.url for name, running in self.services.items()}

    def start_worker(self, name: str, extra_env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
        """Start (or restart) a service's worker, with extra environment such as armed failpoints."""
        running = self.services[name]
        log = running._log("worker")
        process = subprocess.Popen([sys.executable, "-m", "dealer_cli", "worker", name],
                                   env={**running.env, **(extra_env or {})}, stdout=log, stderr=subprocess.STDOUT)
        running.processes.append(process)
        self.workers[name] = process
        return process

    def stop_worker(self, name: str, sig: int = signal.SIGTERM) -> None:
        """Stop a service's worker (SIGTERM: finishes its batch; SIGKILL: dies at once)."""
        process = self.workers[name]
        if process.poll() is None:
            process.send_signal(sig)
        process.wait(timeout=40)

    def worker_log(self, name: str) -> str:
        """Everything the service's worker processes logged so far."""
        path = self.services[name].log_dir / f"{name}-worker.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def close(self, keep_logs: Path | None = None) -> None:
        """Stop every stream and process, keep their logs, then drop the databases."""
        for stream in self.streams:
            stream.stop()
        for running in self.services.values():
            running.stop()
        if keep_logs is not None and self.services:
            shutil.rmtree(keep_logs, ignore_errors=True)
            shutil.copytree(next(iter(self.services.values())).log_dir, keep_logs)
        for url in self._created:
            drop_postgres_database(self.admin_url, url)
        self._created.clear()


class Supervisor:
    """Restarts a worker whenever it dies, like a process manager; counts the deaths.

    The worker runs with ``armed_env`` (failpoints) until it has died at a failpoint
    ``deaths_wanted`` times (exit code 137), then unarmed. Deaths from ``kill_now``
    (SIGKILL from outside) are counted apart.
    """

    FAILPOINT_EXIT = 137

    def __init__(self, platform: Platform, name: str, armed_env: dict[str, str], deaths_wanted: int,
                 on_death: Callable[[datetime], None] | None = None) -> None:
        self.platform, self.name, self.armed_env = platform, name, armed_env
        self.deaths_wanted, self.on_death = deaths_wanted, on_death
        self.deaths: list[tuple[float, int | None]] = []  # (when, exit code)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, name=f"supervise-{name}", daemon=True)

    @property
    def failpoint_deaths(self) -> int:
        return sum(1 for _, code in self.deaths if code == self.FAILPOINT_EXIT)

    def start(self) -> Supervisor:
        self.platform.stop_worker(self.name)
        self.platform.start_worker(self.name, self.armed_env)
        self._thread.start()
        return self

    def _watch(self) -> None:
        while not self._stop.is_set():
            code = self.platform.workers[self.name].poll()
            if code is None:
                self._stop.wait(0.05)
                continue
            self.deaths.append((time.monotonic(), code))
            if self.on_death is not None:
                self.on_death(datetime.now(UTC))
            armed = self.failpoint_deaths < self.deaths_wanted
            self.platform.start_worker(self.name, self.armed_env if armed else None)

    def kill_now(self) -> None:
        """SIGKILL the worker from outside, wherever it is in its work."""
        process = self.platform.workers[self.name]
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)

    def wait_deaths(self, count: int, timeout: float) -> None:
        """Wait until the worker died at its failpoint ``count`` times (or the timeout)."""
        deadline = time.monotonic() + timeout
        while self.failpoint_deaths < count and time.monotonic() < deadline:
            time.sleep(0.1)

    def stop(self) -> dict[str, Any]:
        """Stop watching; what died how."""
        self._stop.set()
        self._thread.join(timeout=5)
        return {"failpoint_deaths": self.failpoint_deaths,
                "sigkills": sum(1 for _, code in self.deaths if code == -signal.SIGKILL),
                "other_exits": sorted({c for _, c in self.deaths if c not in (self.FAILPOINT_EXIT, -signal.SIGKILL)})}


class Recoveries:
    """Times, for each death, how long until ``measure(death time)`` says the platform recovered."""

    def __init__(self, measure: Callable[[datetime], float]) -> None:
        self.measure, self.seconds, self.not_recovered = measure, list[float](), 0
        self._threads: list[threading.Thread] = []

    def __call__(self, died_at: datetime) -> None:
        thread = threading.Thread(target=self._time, args=(died_at,), daemon=True)
        thread.start()
        self._threads.append(thread)

    def _time(self, died_at: datetime) -> None:
        try:
            self.seconds.append(self.measure(died_at))
        except AssertionError:  # not recovered within the measure's own deadline
            self.not_recovered += 1

    def summary(self) -> dict[str, Any]:
        """Wait for every measurement; count, slowest and mean recovery."""
        for thread in self._threads:
            thread.join(timeout=300)
        done = self.seconds or [0.0]
        return {"deaths_timed": len(self.seconds), "not_recovered": self.not_recovered,
                "max_s": round(max(done), 1), "mean_s": round(sum(done) / len(done), 1)}

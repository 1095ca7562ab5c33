"""Services started as real processes for a benchmark: gunicorn web and worker, on 127.0.0.1, in their own namespace.

A ``Stack`` gives every service free ports, its own exchange and queue names on
the shared broker, and a fresh database (SQLite in a scratch folder or a scratch
PostgreSQL database); leaving it stops every process and deletes the queues.
"""
from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

from report import amqp_url, postgres_database

from dealer_testing import DEFAULT_SECRET, ROOT, RunningService, delete_namespace, free_port, migrate

SERVICES = ("leads", "orders", "inventory", "after_sales", "reporting")


def load_average() -> list[float]:
    """The 1, 5 and 15 minute load averages (the machine is shared: a figure means little without them)."""
    return [round(x, 2) for x in os.getloadavg()]


def rss_mb(pid: int) -> float | None:
    """Resident memory of one process in MB (VmRSS), None when it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def children_of(pid: int) -> list[int]:
    """The direct children of a process (gunicorn's workers)."""
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            found += [int(p) for p in (task / "children").read_text().split()]
    return sorted(found)


class Stack:
    """Some of the platform's services running as processes, isolated for one benchmark."""

    def __init__(self, database: str = "sqlite", env: dict[str, str] | None = None) -> None:
        self.database = database
        self.namespace = f"bench{uuid.uuid4().hex[:6]}."
        self.tmp = tempfile.TemporaryDirectory(prefix="dealer-bench-")
        self.extra_env = env or {}
        self.urls: dict[str, str] = {}
        self.running: dict[str, RunningService] = {}
        self._exit = contextlib.ExitStack()
        self.env = self._environment()

    def _environment(self) -> dict[str, str]:
        env = {"AMQP_URL": amqp_url(), "DEALER_NAMESPACE": self.namespace, "DEALER_JWT_SECRET": DEFAULT_SECRET,
               "DEALER_DATA_DIR": str(Path(self.tmp.name) / "data"), "DEALER_LOG_LEVEL": "WARNING",
               **self.extra_env}
        for service in SERVICES:
            env[f"{service.upper()}_PORT"] = str(free_port())
            env[f"{service.upper()}_RELAY_WAKE"] = f"127.0.0.1:{free_port()}"
        return env

    def __enter__(self) -> Stack:
        os.environ.update(self.env)  # declare_queues and load_settings read the namespace from here
        return self

    def __exit__(self, *_exc: object) -> None:
        for running in reversed(list(self.running.values())):
            running.stop()
        self._exit.close()
        with contextlib.suppress(Exception):
            delete_namespace(self.env["AMQP_URL"], self.namespace)
        self.tmp.cleanup()

    def database_url(self, name: str) -> str:
        """A fresh database for one service."""
        if name not in self.urls:
            if self.database == "sqlite":
                self.urls[name] = f"sqlite:///{self.tmp.name}/{name}.db"
            else:
                self.urls[name] = self._exit.enter_context(postgres_database())
        return self.urls[name]

    def start(self, name: str, web: bool = True, worker: bool = True) -> RunningService:
        """Migrate a service's database, declare its queues, start its web and worker."""
        from shared.service import declare_queues
        from shared.service import service as spec_of

        url = self.database_url(name)
        migrate(name, url)
        declare_queues(spec_of(name))
        env = {**os.environ, **self.env, f"{name.upper()}_DATABASE_URL": url}
        log_dir = Path(self.tmp.name) / "logs"
        log_dir.mkdir(exist_ok=True)
        running = RunningService(name, int(self.env[f"{name.upper()}_PORT"]), env, log_dir=log_dir)
        self.running[name] = running
        if web:
            running.start_web()
        if worker:
            running.start_worker()
        return running

    def start_worker(self, name: str) -> subprocess.Popen[bytes]:
        """Start (another) worker process of a service already started."""
        return self.running[name].start_worker()

    def memory(self) -> dict[str, float | None]:
        """Resident MB of every process: gunicorn master and workers, and worker processes."""
        figures: dict[str, float | None] = {}
        for name, running in self.running.items():
            for process in running.processes:
                if "gunicorn" in " ".join(map(str, process.args)):
                    figures[f"{name} web master"] = rss_mb(process.pid)
                    for n, child in enumerate(children_of(process.pid), 1):
                        figures[f"{name} web worker {n}"] = rss_mb(child)
                else:
                    figures[f"{name} worker"] = rss_mb(process.pid)
        return figures


def start_gunicorn(app: str, port: int, env: dict[str, str], log: Path,
                   pythonpath: str | None = None) -> subprocess.Popen:
    """A gunicorn with the project's settings (deploy/gunicorn.conf.py) serving ``app``."""
    command = [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "deploy" / "gunicorn.conf.py"),
               "--bind", f"127.0.0.1:{port}", "--workers", "2", app]  # as dealer_testing starts every service
    if pythonpath:
        command[3:3] = ["--pythonpath", pythonpath]
    out = open(log, "ab")  # noqa: SIM115 - closed by stop()
    process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
    process.log_file = out  # type: ignore[attr-defined]
    return process


def stop(process: subprocess.Popen) -> None:
    """Stop one process we started, firmly if it lingers."""
    if process.poll() is None:
        process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)
    log_file = getattr(process, "log_file", None)
    if log_file is not None:
        log_file.close()


def wait_ready(url: str, timeout: float = 30) -> None:
    """Wait until ``url`` answers at all."""
    import requests

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(requests.RequestException):
            requests.get(url, timeout=1)
            return
        time.sleep(0.1)
    raise TimeoutError(f"{url} did not answer within {timeout}s")


@contextlib.contextmanager
def scratch_database(kind: str) -> Iterator[str]:
    """A scratch database URL of either kind."""
    if kind == "postgresql":
        with postgres_database() as url:
            yield url
        return
    with tempfile.TemporaryDirectory(prefix="dealer-bench-") as tmp:
        yield f"sqlite:///{tmp}/bench.db"

"""Open-loop load at a fixed rate, and a tight poll that notes when each request's effect shows up.

The sender never waits for an answer before the next request is due (a thread
pool sends them), so a slow system shows up as lag, not as a lower rate. The
watcher polls the consumer's database in a loop, with no sleep in the system
under test: the poll interval (2 ms) bounds the measuring error.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import requests
from sqlalchemy import create_engine

_local = threading.local()


@dataclass
class Sent:
    """One request: when it left, how it was answered, and the key its effect will carry."""

    sent_at: float
    behind: float
    status: int
    key: str | None
    answered_at: float = 0.0


def _session() -> requests.Session:
    if not hasattr(_local, "session"):
        _local.session = requests.Session()
    return _local.session


def fire(url: str, bodies: Callable[[int], dict[str, Any]], headers: dict[str, str], rate: float, count: int,
         key: Callable[[dict[str, Any]], str] = lambda answer: answer["id"]) -> list[Sent]:
    """POST ``count`` bodies at ``rate`` per second; the answers in order."""
    def send(n: int, due: float) -> Sent:
        started = time.perf_counter()
        try:
            response = _session().post(url, json=bodies(n), headers=headers, timeout=30)
        except requests.RequestException:
            return Sent(started, started - due, 0, None, time.perf_counter())
        ok = response.status_code in (200, 201)
        return Sent(started, started - due, response.status_code, key(response.json()) if ok else None,
                    time.perf_counter())

    with ThreadPoolExecutor(max_workers=48) as pool:
        start = time.perf_counter() + 0.05
        futures = []
        for n in range(count):
            due = start + n / rate
            pause = due - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
            futures.append(pool.submit(send, n, due))
        return [f.result() for f in futures]


def plain_engine(url: str):  # noqa: ANN201 - an Engine
    """An engine that only reads: no BEGIN IMMEDIATE, so polling never takes SQLite's write lock."""
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return create_engine(url, connect_args={"timeout": 30} if url.startswith("sqlite") else {})


class Watcher:
    """Polls a database in a thread; remembers when each key was first seen."""

    def __init__(self, url: str, poll: Callable[[Any], Iterable[str]], interval: float = 0.002) -> None:
        self.engine = plain_engine(url)
        self.poll = poll
        self.interval = interval
        self.seen: dict[str, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Watcher:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)
        self.engine.dispose()

    def _run(self) -> None:
        with self.engine.connect() as conn:
            while not self._stop.is_set():
                keys = list(self.poll(conn))
                conn.rollback()
                now = time.perf_counter()
                for key in keys:
                    self.seen.setdefault(key, now)
                time.sleep(self.interval)

    def wait_for(self, keys: Iterable[str], timeout: float) -> bool:
        """Wait until every key was seen, or the timeout passes."""
        wanted = [k for k in keys if k]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if all(k in self.seen for k in wanted):
                return True
            time.sleep(0.01)
        return False


def lags_ms(sent: list[Sent], seen: dict[str, float]) -> list[float]:
    """Per request: ms from sending to its effect being seen (inf when it never was)."""
    return [((seen[s.key] - s.sent_at) * 1000 if s.key in seen else float("inf")) for s in sent if s.key]


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (inf when there is nothing to rank)."""
    if not values:
        return float("inf")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


def summary(sent: list[Sent], seen: dict[str, float], rate: float, seconds: float) -> dict[str, float]:
    """Lag p50/p99, how many failed or were never seen, and whether the sender kept its rate."""
    lags = lags_ms(sent, seen)
    answered = [(s.answered_at - s.sent_at) * 1000 for s in sent]
    return {"rate": rate, "seconds": seconds, "sent": len(sent), "failed": sum(1 for s in sent if not s.key),
            "unseen": sum(1 for x in lags if x == float("inf")), "p50_ms": percentile(lags, 50),
            "p99_ms": percentile(lags, 99), "max_ms": max(lags, default=float("inf")),
            "http_p50_ms": percentile(answered, 50), "http_p99_ms": percentile(answered, 99),
            "sender_behind_p99_ms": percentile([s.behind * 1000 for s in sent], 99)}

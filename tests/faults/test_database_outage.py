"""A service's database unavailable for a while: quick 503 problem+json, never a hang or a 500, then recovery."""
from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from faultkit.dbfault import postgres_database_refused, sqlite_write_locked
from faultkit.http import Answer, Answers, Client
from faultkit.outcome import conclude, write_result
from faultkit.stream import Plan

pytestmark = [pytest.mark.faults, pytest.mark.timeout(600)]
OUTAGE = 10.0  # seconds each database stays unavailable
QUICK = 6.0  # a 503 must come back within this many seconds (SQLite: the web gives up on the lock after 2)


class Prober:
    """Calls one route every quarter second, once per call (no retry), while a fault lasts."""

    def __init__(self, call: Callable[[], Any]) -> None:
        self.call, self._stop = call, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.call()
            self._stop.wait(0.25)

    def __enter__(self) -> Prober:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join(timeout=60)


def until_answered(call: Callable[[], Any], timeout: float = 60.0) -> float:
    """Seconds until ``call`` gets a 2xx (the service recovered by itself)."""
    started = time.monotonic()
    while True:
        response = call()
        if response is not None and response.status_code < 300:
            return time.monotonic() - started
        assert time.monotonic() - started < timeout, "the service did not recover"
        time.sleep(0.1)


def summary(answers: list[Answer]) -> dict[str, Any]:
    """What callers saw during a fault."""
    failed = [a for a in answers if a.status >= 300 or a.status == 0]
    return {"answers": len(answers), "statuses": sorted({a.status for a in answers}),
            "max_seconds_to_a_503": round(max((a.seconds for a in failed if a.status == 503), default=0.0), 2),
            "problem_json": all(a.content_type.startswith("application/problem+json") for a in failed)}


def test_a_database_outage_gives_quick_503s_and_the_service_recovers_by_itself(platform, postgres_admin_url) -> None:
    started = time.monotonic()
    platform.start(sqlite=("leads",))
    stream = platform.stream(Plan()).start()
    probes = Answers()
    orders = Client("orders", platform.urls["orders"], "back_office", "b1", probes)
    leads = Client("leads", platform.urls["leads"], "consultant", "c9", probes)
    faults: dict[str, Any] = {}

    stream.wait_progress(0.3)
    with postgres_database_refused(postgres_admin_url, platform.db_urls["orders"]):
        down = time.monotonic()
        with Prober(lambda: orders.call("GET", "/api/v1/orders?page_size=1")):
            time.sleep(OUTAGE)  # the fault itself; the stream keeps calling
        up = time.monotonic()
    faults["orders_postgresql"] = {
        **summary(stream.answers.between(down, up, "orders") + probes.between(down, up, "orders")),
        "time_to_recover_s": round(until_answered(lambda: orders.call("GET", "/api/v1/orders?page_size=1")), 2)}

    stream.wait_progress(0.6)
    filed: list[str] = []

    def try_to_file() -> None:
        phone = f"139{uuid.uuid4().int % 10**8:08d}"
        response = leads.call("POST", "/api/v1/leads", {"name": "Probe", "phone": phone, "source": "walk_in",
                                                       "model_interest": "Aurora"}, timeout=40)
        if response is not None and response.status_code == 201:
            filed.append(response.json()["id"])  # cannot happen while locked; counted if it does

    with sqlite_write_locked(platform.db_urls["leads"]):
        down = time.monotonic()
        with Prober(try_to_file):
            time.sleep(OUTAGE)
        up = time.monotonic()
    faults["leads_sqlite"] = {
        **summary(stream.answers.between(down, up, "leads") + probes.between(down, up, "leads")),
        "time_to_recover_s": round(until_answered(lambda: leads.call("GET", "/api/v1/leads?page_size=1")), 2)}

    ledger = stream.join()
    workers_alive = {name: process.poll() is None for name, process in platform.workers.items()}
    for lead_id in filed:
        ledger.leads[lead_id] = "c9"
    orders.close()
    leads.close()
    figures = conclude(platform, ledger)
    write_result("database_outage", {
        "title": "A service's database unavailable",
        "injected": f"orders' PostgreSQL database: `ALTER DATABASE … ALLOW_CONNECTIONS false` and its sessions "
                    f"terminated, {OUTAGE:.0f} s at 30% of the stream; then leads' SQLite file write-locked by "
                    f"the test (`BEGIN EXCLUSIVE`), {OUTAGE:.0f} s at 60%",
        "command": "python -m pytest -m faults tests/faults/test_database_outage.py",
        "during_fault": faults, "workers_alive_after": workers_alive,
        "batches_returned_to_the_queue": platform.worker_log("orders").count("batch returned to the queue"),
        "time_to_recover_s": max(f["time_to_recover_s"] for f in faults.values()),
        "recover_means": "from the database being available again until the API answers 2xx",
        "stream_seconds": round(stream.finished - stream.started, 1),
        "wall_seconds": round(time.monotonic() - started, 1), **figures})
    assert all(workers_alive.values()), f"a worker died of the outage: {workers_alive}"
    for name, seen in faults.items():
        assert set(seen["statuses"]) - {200, 201} == {503}, f"{name}: answers other than 503 during the outage: {seen}"
        assert seen["problem_json"] and seen["max_seconds_to_a_503"] < QUICK, (name, seen)

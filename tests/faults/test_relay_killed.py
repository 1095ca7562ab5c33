"""The outbox relay killed after the broker confirmed a batch, before marking it sent: sent again, applied once."""
from __future__ import annotations

import time

import pytest

from faultkit.outcome import conclude, write_result
from faultkit.platform import Recoveries, Supervisor
from faultkit.reconcile import wait_published
from faultkit.stream import Plan

pytestmark = [pytest.mark.faults, pytest.mark.timeout(600)]
DEATHS = 3  # per producing worker
LEASE = "3"  # seconds a dead relay's claim holds before another relay takes the rows
CHANCE = "0.05"  # of dying at each published batch
ARMED = {"DEALER_FAILPOINTS": "relay.after_publish", "DEALER_FAILPOINT_CHANCE": CHANCE,
         "DEALER_RELAY_LEASE_SECONDS": LEASE}
PRODUCERS = ("leads", "orders", "inventory")


def test_a_relay_killed_between_publish_and_mark_publishes_again_and_nothing_is_applied_twice(platform) -> None:
    started = time.monotonic()
    platform.start(env={name: {"DEALER_RELAY_LEASE_SECONDS": LEASE} for name in (*PRODUCERS, "reporting")})
    stream = platform.stream(Plan()).start()
    stream.wait_progress(0.1)
    recoveries = {name: Recoveries(lambda died_at, n=name: wait_published({n: platform.db_urls[n]}, died_at))
                  for name in PRODUCERS}
    supervisors = {name: Supervisor(platform, name, ARMED, DEATHS, recoveries[name]).start() for name in PRODUCERS}
    ledger = stream.join()
    for supervisor in supervisors.values():
        supervisor.wait_deaths(DEATHS, timeout=60)
    deaths = {name: supervisor.stop() for name, supervisor in supervisors.items()}
    for name in PRODUCERS:
        platform.stop_worker(name)
        platform.start_worker(name)  # unarmed from here on
    recovered = {name: recovery.summary() for name, recovery in recoveries.items()}
    figures = conclude(platform, ledger)
    write_result("relay_killed", {
        "title": "Outbox relay killed after publish, before marking sent",
        "injected": f"failpoint `relay.after_publish` (`DEALER_FAILPOINT_CHANCE={CHANCE}`: the worker exits like "
                    "SIGKILL once the broker confirmed a batch, before the rows are marked sent) in leads', "
                    f"orders' and inventory's workers until each died {DEATHS} times; restarted each time; relay lease "
                    f"`DEALER_RELAY_LEASE_SECONDS={LEASE}`",
        "command": "python -m pytest -m faults tests/faults/test_relay_killed.py",
        "deaths": deaths, "recoveries": recovered,
        "time_to_recover_s": max(summary["max_s"] for summary in recovered.values()),
        "recover_means": "the slowest, over every kill: from the death until every event the service had "
                         "written before it is published (the restart, then the dead relay's lease running out)",
        "stream_seconds": round(stream.finished - stream.started, 1),
        "wall_seconds": round(time.monotonic() - started, 1), **figures})
    for name in PRODUCERS:
        assert deaths[name]["failpoint_deaths"] >= DEATHS and recovered[name]["not_recovered"] == 0, (deaths, recovered)
    assert figures["dropped_duplicates"]["reporting"] > 0, "no event was published twice: the kills missed"

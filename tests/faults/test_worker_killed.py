"""Workers killed between their database commit and their ack, again and again: nothing applied twice."""
from __future__ import annotations

import random
import time

import pytest

from faultkit.outcome import conclude, write_result
from faultkit.platform import Recoveries, Supervisor
from faultkit.reconcile import wait_caught_up
from faultkit.stream import Plan

pytestmark = [pytest.mark.faults, pytest.mark.timeout(600)]
DEATHS = 4  # per consuming worker, at the failpoint; plus SIGKILLs from outside at random moments
CHANCE = "0.15"  # of dying at each batch (batches hold up to 500 events: few of them in the stream)
ARMED = {"DEALER_FAILPOINTS": "consumer.after_commit", "DEALER_FAILPOINT_CHANCE": CHANCE}
CONSUMERS = ("reporting", "inventory")


def test_a_worker_killed_after_commit_and_before_ack_redelivers_and_applies_nothing_twice(platform) -> None:
    started = time.monotonic()
    platform.start()
    stream = platform.stream(Plan()).start()
    stream.wait_progress(0.1)
    recoveries = Recoveries(lambda died_at: wait_caught_up(platform.db_urls, died_at))
    supervisors = {name: Supervisor(platform, name, ARMED, DEATHS, recoveries).start() for name in CONSUMERS}
    for share in (0.4, 0.7):  # a SIGKILL wherever the worker happens to be
        stream.wait_progress(share + random.uniform(0, 0.1))
        for supervisor in supervisors.values():
            supervisor.kill_now()
    ledger = stream.join()
    for supervisor in supervisors.values():
        supervisor.wait_deaths(DEATHS, timeout=60)
    deaths = {name: supervisor.stop() for name, supervisor in supervisors.items()}
    for name in CONSUMERS:
        platform.stop_worker(name)
        platform.start_worker(name)  # unarmed from here on
    recovered = recoveries.summary()
    figures = conclude(platform, ledger)
    write_result("worker_killed", {
        "title": "Consumer killed between commit and ack",
        "injected": f"failpoint `consumer.after_commit` (`DEALER_FAILPOINT_CHANCE={CHANCE}`: the process exits "
                    "like SIGKILL after committing a batch, before acking it) in reporting's and inventory's workers, "
                    f"until each died {DEATHS} times, plus 2 SIGKILLs each at random moments; restarted each time",
        "command": "python -m pytest -m faults tests/faults/test_worker_killed.py",
        "deaths": deaths, "recoveries": recovered, "time_to_recover_s": recovered["max_s"],
        "recover_means": "the slowest, over every kill: from the death until reporting holds every event "
                         "written before it",
        "stream_seconds": round(stream.finished - stream.started, 1),
        "wall_seconds": round(time.monotonic() - started, 1), **figures})
    assert recovered["not_recovered"] == 0, recovered
    for name in CONSUMERS:
        assert deaths[name]["failpoint_deaths"] >= DEATHS and deaths[name]["sigkills"] >= 1, deaths
        assert figures["dropped_duplicates"][name] > 0, "no redelivery was seen: the kills missed the window"

"""RabbitMQ stopped and restarted in the middle of the stream: the outboxes hold the events, nothing is lost."""
from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest

from faultkit.outcome import conclude, write_result
from faultkit.reconcile import unpublished, wait_caught_up, wait_published
from faultkit.stream import Plan

pytestmark = [pytest.mark.faults, pytest.mark.timeout(600)]
OUTAGE = 12.0  # seconds the broker stays stopped
LEASE = {"DEALER_RELAY_LEASE_SECONDS": "5"}


def test_the_web_keeps_taking_writes_while_the_broker_is_down_and_reporting_gets_every_event_once(
        private_broker, platform) -> None:
    started = time.monotonic()
    platform.start(env={name: LEASE for name in ("leads", "orders", "inventory", "reporting")})
    stream = platform.stream(Plan()).start()
    stream.wait_progress(0.35)

    private_broker.stop_app()
    down_at, actions_before = time.monotonic(), stream.ledger.actions
    time.sleep(OUTAGE)  # the fault itself: the stream goes on against a platform without a broker
    actions_during = stream.ledger.actions - actions_before
    held = unpublished(platform.db_urls)
    answers_during = stream.answers.between(down_at, time.monotonic())
    restart_seconds = private_broker.start_app()
    back, back_at = datetime.now(UTC), time.monotonic()
    drained_in = wait_published(platform.db_urls, back)
    wait_caught_up(platform.db_urls, back)
    recovered_in = time.monotonic() - back_at

    ledger = stream.join()
    figures = conclude(platform, ledger)
    errors_during = sorted({a.status for a in answers_during if a.status >= 500 or a.status == 0})
    write_result("broker_restart", {
        "title": "RabbitMQ stopped and restarted mid-stream",
        "injected": f"`rabbitmqctl stop_app` on the broker the services use (a RabbitMQ node of the test's own, "
                    f"so the machine's shared broker never stops), {OUTAGE:.0f} s at 35% of the stream, then "
                    "`start_app`",
        "command": "python -m pytest -m faults tests/faults/test_broker_restart.py",
        "actions_during_fault": actions_during, "events_held_in_outboxes": held,
        "server_errors_during_fault": errors_during, "broker_restart_seconds": round(restart_seconds, 1),
        "outbox_drained_s": round(drained_in, 1), "time_to_recover_s": round(recovered_in, 1),
        "recover_means": "from the broker answering again until reporting holds every event written before",
        "stream_seconds": round(stream.finished - stream.started, 1),
        "wall_seconds": round(time.monotonic() - started, 1), **figures})
    assert actions_during > 50 and held > 0, (actions_during, held)
    assert errors_during == [], "the web APIs answered errors while only the broker was down"

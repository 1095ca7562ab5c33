"""Leads asking inventory about a test-drive car while inventory is down: a quick 503, never a hang."""
from __future__ import annotations

import socket
import time
from datetime import UTC, datetime
from typing import Any

import pytest

from faultkit.http import Answer, Client
from faultkit.outcome import conclude, write_result
from faultkit.reconcile import wait_caught_up
from faultkit.stream import Plan

pytestmark = [pytest.mark.faults, pytest.mark.timeout(600)]
HTTP_TIMEOUT = 1.0  # leads' timeout towards inventory (DEALER_HTTP_TIMEOUT)
PHASE = 6.0  # seconds of each kind of outage: nothing listening, then a port that never answers


def drives(answers: list[Answer]) -> dict[str, Any]:
    """What the callers of ``POST /leads/{id}/test-drives`` saw."""
    seen = [a for a in answers if a.path.endswith("/test-drives")]
    return {"answers": len(seen), "statuses": sorted({a.status for a in seen}),
            "max_seconds": round(max((a.seconds for a in seen), default=0.0), 2),
            "waited_out_the_timeout": sum(1 for a in seen if a.seconds >= 0.9 * HTTP_TIMEOUT),
            "problem_json": all(a.content_type.startswith("application/problem+json") for a in seen)}


def probe(client: Client, lead_id: str, vin: str, seconds: float) -> None:
    """Try a test drive every 0.3 s (one attempt each) for ``seconds``."""
    until = time.monotonic() + seconds
    while time.monotonic() < until:
        client.call("POST", f"/api/v1/leads/{lead_id}/test-drives",
                    {"vin": vin, "driver_license_no": "D1234567", "escort_id": client.sub}, timeout=30)
        time.sleep(0.3)


def test_a_test_drive_is_a_quick_503_while_inventory_is_down_or_silent_and_works_again_after(platform) -> None:
    started = time.monotonic()
    platform.start(env={"leads": {"DEALER_HTTP_TIMEOUT": str(HTTP_TIMEOUT)}})
    stream = platform.stream(Plan(leads=1500, test_drives=150)).start()
    stream.wait_progress(0.4)
    lead_id, owner = stream.desk.first_lead()
    consultant = Client("leads", platform.urls["leads"], "consultant", owner, stream.answers)
    fleet_car = stream.ledger.fleet[0]

    inventory = platform.services["inventory"]
    inventory.stop()  # web and worker: the department is down
    down_at = time.monotonic()
    probe(consultant, lead_id, fleet_car, PHASE)
    with socket.socket() as silent:  # something on inventory's port that accepts and never answers
        silent.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        silent.bind(("127.0.0.1", inventory.port))
        silent.listen(256)
        silent_at = time.monotonic()
        probe(consultant, lead_id, fleet_car, PHASE)
        silent_end = time.monotonic()
    back = datetime.now(UTC)
    inventory.start_web()
    platform.start_worker("inventory")
    restarted = time.monotonic()
    while True:
        response = consultant.call("POST", f"/api/v1/leads/{lead_id}/test-drives",
                                   {"vin": fleet_car, "driver_license_no": "D1234567", "escort_id": owner})
        if response is not None and response.status_code == 201:
            break
        assert time.monotonic() - restarted < 60, "test drives did not work again after inventory came back"
        time.sleep(0.2)
    recovered_in = time.monotonic() - restarted
    caught_up_in = wait_caught_up(platform.db_urls, back)
    consultant.close()

    ledger = stream.join()
    ledger.test_drives += 1  # the probe's drive that went through
    figures = conclude(platform, ledger)
    stopped, hung = drives(stream.answers.between(down_at, silent_at)), drives(stream.answers.between(silent_at,
                                                                                                      silent_end))
    write_result("inventory_down", {
        "title": "Leads calling inventory while inventory is down",
        "injected": f"inventory's web and worker stopped at 40% of the stream: {PHASE:.0f} s with nothing listening "
                    f"on its port, then {PHASE:.0f} s with a socket that accepts and never answers "
                    f"(`DEALER_HTTP_TIMEOUT={HTTP_TIMEOUT}`); then restarted. Test drives tried by the stream's "
                    "consultants and by a probe every 0.3 s",
        "command": "python -m pytest -m faults tests/faults/test_inventory_down.py",
        "test_drives_while_stopped": stopped, "test_drives_while_silent": hung,
        "time_to_recover_s": round(recovered_in, 1), "caught_up_s": round(caught_up_in, 1),
        "recover_means": "from inventory's restart until a test drive is accepted again",
        "stream_seconds": round(stream.finished - stream.started, 1),
        "wall_seconds": round(time.monotonic() - started, 1), **figures})
    for seen in (stopped, hung):
        assert seen["statuses"] == [503] and seen["problem_json"], seen
    assert stopped["max_seconds"] < 2.0 and hung["max_seconds"] < HTTP_TIMEOUT + 2.0, (stopped, hung)
    assert hung["waited_out_the_timeout"] >= 1, "no test drive reached the silent inventory"

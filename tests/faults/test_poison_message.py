"""A poison message: retried with back-off, parked in the dead letters, the queue flows on, replayed once fixed."""
from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest

from dealer_testing import wait_for
from faultkit.actions import CAR, DEPOSIT, PRICE
from faultkit.outcome import conclude, write_result
from faultkit.reconcile import rows
from faultkit.stream import Plan
from shared import dlq
from shared.config import load_settings
from shared.envelope import make_event
from shared.publisher import ConfirmingPublisher, Outgoing

pytestmark = [pytest.mark.faults, pytest.mark.timeout(600)]
DELAYS_MS = (1000, 2000, 4000)  # back-off before each retry; then the dead letters


def dealer(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """Run the ``dealer`` command as ops would, with the services' environment."""
    return subprocess.run([sys.executable, "-m", "dealer_cli", *args], env=env, capture_output=True, text=True,
                          timeout=120, check=True)


def applied(platform, event_id: str) -> int:
    """How many times inventory's inbox holds the event (0 or 1)."""
    return int(rows(platform.db_urls["inventory"],
                    f"SELECT count(*) FROM processed_events WHERE event_id = '{event_id}'")[0][0])


def inbox_size(platform) -> int:
    return int(rows(platform.db_urls["inventory"], "SELECT count(*) FROM processed_events")[0][0])


def test_a_poison_message_is_retried_then_parked_while_the_queue_flows_and_replays_once_fixed(
        platform, dealer_env, monkeypatch) -> None:
    started = time.monotonic()
    delays = ",".join(str(d) for d in DELAYS_MS)
    dealer_env["DEALER_RETRY_DELAYS_MS"] = delays  # the services, the CLI and this test declare the same queues
    monkeypatch.setenv("DEALER_RETRY_DELAYS_MS", delays)
    platform.start()
    stream = platform.stream(Plan()).start()
    stream.wait_progress(0.2)

    # An order for a car inventory does not hold yet waits for it (backordered) ...
    vin = stream.desk.new_vin()
    sales = stream.desk.orders_of["c1"]
    order = sales.post("/api/v1/orders", {
        "customer": {"name": "Li Na", "phone": "13912340000", "id_number": "110101199003074514"}, "vin": vin,
        "msrp": str(PRICE), "price": str(PRICE), "deposit": str(DEPOSIT)}, key=f"poison-order-{vin}")
    stream.ledger.orders[order["id"]] = "c1"
    wait_for(lambda: sales.get(f"/api/v1/orders/{order['id']}")["status"] == "backordered", timeout=120,
             interval=0.2, message="the order for the missing car to be backordered")

    # ... and a delivery notice for that car reaches inventory: it cannot deliver a car it does not hold.
    poison = make_event("orders", "orders.order.delivered", order["id"], {
        "order_id": order["id"], "vin": vin, "consultant_id": "c1", "model": CAR["model"], "price": str(PRICE)})
    settings = load_settings("inventory")
    publisher = ConfirmingPublisher(settings.amqp_url)
    try:
        assert publisher.publish([Outgoing("", settings.queue("events"), json.dumps(poison).encode(), {
            "delivery_mode": 2, "content_type": "application/json", "message_id": poison["id"]})]) == [True]
    finally:
        publisher.close()
    sent_at, inbox_before = time.monotonic(), inbox_size(platform)
    parked = wait_for(lambda: [d for d in dlq.list_dead_letters(settings) if d.event_id == poison["id"]],
                      timeout=120, interval=0.2, message="the poison message in the dead letters")[0]
    parked_after = time.monotonic() - sent_at
    applied_meanwhile = inbox_size(platform) - inbox_before
    listed = dealer(platform.services["inventory"].env, "dlq", "list", "inventory").stdout

    # The fix: the car arrives; then ops replay the dead letters and the delivery is applied, once.
    stream.desk.receive_car(vin=vin, color="red")  # red: no other waiting order (all white) can take it
    replay_started = time.monotonic()
    replayed = dealer(platform.services["inventory"].env, "dlq", "replay", "inventory").stderr
    wait_for(lambda: applied(platform, poison["id"]), timeout=60, interval=0.2, message="the replayed event applied")
    recovered_in = time.monotonic() - replay_started

    ledger = stream.join()
    figures = conclude(platform, ledger)
    car = stream.desk.clerk.get(f"/api/v1/vehicles/{vin}")
    write_result("poison_message", {
        "title": "Poison message",
        "injected": "an `orders.order.delivered` envelope (valid) for a car inventory does not hold, published "
                    f"to inventory's queue at 20% of the stream; back-off `DEALER_RETRY_DELAYS_MS={delays}`; "
                    "fixed by receiving the car, then `dealer dlq replay inventory`",
        "command": "python -m pytest -m faults tests/faults/test_poison_message.py",
        "attempts": parked.attempts, "seconds_to_dead_letter": round(parked_after, 1),
        "backoff_total_s": sum(DELAYS_MS) / 1000, "events_applied_while_it_cycled": applied_meanwhile,
        "dlq_list": listed.strip(), "dlq_replay": replayed.strip(), "poison_applied_times": applied(platform,
                                                                                                  poison["id"]),
        "time_to_recover_s": round(recovered_in, 1),
        "recover_means": "from `dealer dlq replay` until the replayed event is applied",
        "stream_seconds": round(stream.finished - stream.started, 1),
        "wall_seconds": round(time.monotonic() - started, 1), **figures})
    assert parked.attempts == len(DELAYS_MS) + 1 and "does not hold" in parked.error, parked
    assert parked_after >= sum(DELAYS_MS) / 1000, "the retries did not wait their back-off"
    assert applied_meanwhile > 0, "the events behind the poison message did not flow"
    assert poison["id"] in listed and "replayed 1 dead letter" in replayed
    assert applied(platform, poison["id"]) == 1 and car["status"] == "delivered"
    assert dlq.list_dead_letters(settings) == []

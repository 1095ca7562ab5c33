"""Issue 17 through the real processes and broker: a plate registered by orders reaches the file, whichever of
registration and delivery arrives first; the worker marks unkept appointments missed as soon as it starts."""
from __future__ import annotations

import json
from datetime import datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any

import requests

from after_sales.consumers import HANDLERS
from dealer_testing import json_of, token, wait_for
from shared import broker
from shared.config import load_settings
from shared.envelope import make_event
from shared.publisher import ConfirmingPublisher, Outgoing

HEADERS = token("after_sales", "a1")
BEIJING = timezone(timedelta(hours=8))


def publish(envelopes: list[dict[str, Any]]) -> None:
    """Publish events with confirms onto the test's exchange, under their own routing keys."""
    settings = load_settings("after_sales")
    conn = broker.connect(settings.amqp_url)
    try:
        broker.declare_consumer_queues(broker.raw_channel(conn), settings, sorted(HANDLERS))
    finally:
        conn.close()
    publisher = ConfirmingPublisher(settings.amqp_url)
    try:
        messages = [Outgoing(settings.exchange, e["type"].removeprefix("dealer.").rsplit(".", 1)[0],
                             json.dumps(e).encode(), broker.message_properties(e)) for e in envelopes]
        assert all(publisher.publish(messages))
    finally:
        publisher.close()


def plates(url: str) -> dict[str, str | None]:
    page = json_of(requests.get(f"{url}/api/v1/customers", headers=HEADERS, timeout=10))
    return {v["vin"]: v["plate"] for c in page["items"] for v in c["vehicles"]}


def all_plated(found: dict[str, str | None]) -> dict[str, str | None] | None:
    """The plates when every car has one, else None (keep waiting)."""
    return found if found and None not in found.values() else None


def test_plates_from_orders_reach_the_files_whether_registered_before_or_after_delivery(
        start_service, tmp_path: Path, delivery_event) -> None:
    service = start_service("after_sales", database_url=f"sqlite:///{tmp_path / 'after_sales.db'}")
    registered = {vin: make_event("orders", "orders.vehicle.registered", order, {
        "order_id": order, "vin": vin, "plate_no": plate, "registered_on": "2026-12-01", "by": by})
        for vin, order, plate, by in (("LSVTEST0000000001", "o-1", "沪A11111", "store"),
                                      ("LSVTEST0000000002", "o-2", "沪A22222", "customer"))}
    publish([registered["LSVTEST0000000001"]])  # registered by the store before the handover
    publish([delivery_event(order_id="o-1", vin="LSVTEST0000000001", phone="13811112222"),
             delivery_event(order_id="o-2", vin="LSVTEST0000000002", phone="13833334444")])
    wait_for(lambda: len(plates(service.url)) == 2, timeout=60, interval=0.3, message="both files to open")
    publish([registered["LSVTEST0000000002"]])  # registered by the customer after it
    found = wait_for(lambda: all_plated(plates(service.url)), timeout=60, interval=0.3,
                     message="both plates on file")
    assert found == {"LSVTEST0000000001": "沪A11111", "LSVTEST0000000002": "沪A22222"}


def test_the_worker_marks_an_appointment_left_unkept_yesterday_missed_when_it_starts(
        start_service, tmp_path: Path, delivery_event) -> None:
    service = start_service("after_sales", database_url=f"sqlite:///{tmp_path / 'after_sales.db'}")
    publish([delivery_event(order_id="o-1", vin="LSVTEST0000000001", phone="13811112222")])
    customer = wait_for(lambda: json_of(requests.get(f"{service.url}/api/v1/customers", headers=HEADERS,
                                                     timeout=10))["items"], timeout=60, interval=0.3,
                        message="the file to open")[0]
    yesterday = datetime.now(BEIJING).date() - timedelta(days=1)
    booked = json_of(requests.post(f"{service.url}/api/v1/service-appointments", headers=HEADERS, timeout=10, json={
        "customer_id": customer["id"], "vin": "LSVTEST0000000001", "kind": "maintenance",
        "scheduled_at": datetime.combine(yesterday, time(15), BEIJING).isoformat(),
        "occurred_at": datetime.combine(yesterday, time(9), BEIJING).isoformat()}))
    assert booked["status"] == "booked"
    service.stop()  # the worker that ran its sweep at start before the booking
    service.processes.clear()
    service.start_web()
    service.start_worker()
    path = f"{service.url}/api/v1/service-appointments/{booked['id']}"
    wait_for(lambda: json_of(requests.get(path, headers=HEADERS, timeout=10))["status"] == "missed", timeout=60,
             interval=0.3, message="the restarted worker to mark the appointment missed")

"""The service as real processes (gunicorn web + worker) on the real broker.

Deliveries are published onto the test's exchange exactly as the orders service
publishes them; the worker must open exactly one customer file per delivered
order, whatever is redelivered and wherever the worker is killed.
"""
from __future__ import annotations

import json
import os
import signal
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import requests
from sqlalchemy import func, select

from after_sales.cases.services import escalate_overdue_complaints
from after_sales.consumers import HANDLERS
from after_sales.models import Customer, Vehicle
from dealer_testing import json_of, token, wait_for
from shared import broker
from shared.config import load_settings
from shared.db import session_factory
from shared.inbox import ProcessedEvent
from shared.outbox import OutboxEvent
from shared.publisher import ConfirmingPublisher, Outgoing
from shared.service import declare_queues
from shared.service import service as spec_of

HEADERS = token("after_sales", "a1")


def publish(envelopes: list[dict[str, Any]]) -> None:
    """Publish deliveries with confirms, after making sure after-sales' queue is there to receive them."""
    settings = load_settings("after_sales")
    conn = broker.connect(settings.amqp_url)
    try:
        broker.declare_consumer_queues(broker.raw_channel(conn), settings, sorted(HANDLERS))
    finally:
        conn.close()
    publisher = ConfirmingPublisher(settings.amqp_url)
    try:
        messages = [Outgoing(settings.exchange, "orders.order.delivered", json.dumps(e).encode(),
                             broker.message_properties(e)) for e in envelopes]
        assert all(publisher.publish(messages))
    finally:
        publisher.close()


def count(url: str, statement: Any) -> int:
    with session_factory(url)() as session:
        return int(session.scalar(statement) or 0)


def outbox_types(url: str) -> list[tuple[str, dict[str, Any]]]:
    with session_factory(url)() as session:
        rows = session.scalars(select(OutboxEvent).order_by(OutboxEvent.position)).all()
        return [(row.routing_key, json.loads(row.body)) for row in rows]


def test_the_same_delivery_published_twice_makes_one_file(start_service, tmp_path: Path, delivery_event) -> None:
    url = f"sqlite:///{tmp_path / 'after_sales.db'}"
    service = start_service("after_sales", database_url=url)
    event = delivery_event(phone="13811112222", vin="LSVTEST0000000001")
    publish([event, event])
    publish([event, delivery_event(phone="13833334444", vin="LSVTEST0000000002")])  # the last one marks the end
    wait_for(lambda: count(url, select(func.count()).select_from(Customer)) == 2, timeout=60,
             message="both deliveries to be on file")
    page = json_of(requests.get(f"{service.url}/api/v1/customers", params={"phone": "13811112222"},
                                headers=HEADERS, timeout=10))
    assert page["total"] == 1 and len(page["items"][0]["vehicles"]) == 1
    created = [body for key, body in outbox_types(url) if key == "after_sales.customer.created"]
    assert sorted(e["data"]["phone_masked"] for e in created) == ["138****2222", "138****4444"]


def test_a_worker_killed_mid_burst_leaves_exactly_one_file_per_delivered_order(
        start_service, postgres_url: str, delivery_event) -> None:
    service = start_service("after_sales", database_url=postgres_url,
                            extra_env={"DEALER_PREFETCH": "20"})  # small batches: the kill lands mid-burst
    worker = service.processes[-1]
    burst = [delivery_event(order_id=f"o-{n}", phone=f"139{n:08d}", vin=f"LSVTEST{n:010d}") for n in range(400)]
    publish(burst + burst[:100])  # the tail repeats deliveries, as a redelivering broker would
    files = lambda: count(postgres_url, select(func.count()).select_from(Vehicle))  # noqa: E731
    on_file_at_kill = wait_for(files, timeout=60, message="the first files to be opened")
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait(timeout=10)
    assert on_file_at_kill < len(burst), "the worker finished before it was killed"

    service.start_worker()
    wait_for(lambda: files() == len(burst), timeout=120, message="every delivery to be on file after the restart")
    # One more delivery, published after everything else: once it is on file, the repeats before it were consumed.
    publish([delivery_event(order_id="o-last", phone="13700000000", vin="LSVTEST9999999999")])
    wait_for(lambda: files() == len(burst) + 1, timeout=60, message="the last delivery to be on file")
    orders = len(burst) + 1
    assert count(postgres_url, select(func.count()).select_from(Customer)) == orders
    assert count(postgres_url, select(func.count()).select_from(ProcessedEvent)) == orders
    events = outbox_types(postgres_url)
    created = Counter(body["subject"] for key, body in events if key == "after_sales.customer.created")
    assert len(created) == orders and set(created.values()) == {1}
    assert sum(1 for key, _ in events if key == "after_sales.return_visit.scheduled") == orders

def test_delivery_to_resolved_complaint_through_the_running_service(start_service, tmp_path: Path,
                                                                     delivery_event) -> None:
    url = f"sqlite:///{tmp_path / 'after_sales.db'}"
    service = start_service("after_sales", database_url=url)
    # Reporting's queue (bound to every key), as in every deployment: the relay marks sent only what a queue took.
    declare_queues(spec_of("reporting"))
    api = f"{service.url}/api/v1"
    publish([delivery_event(phone="13855556666")])
    wait_for(lambda: json_of(requests.get(f"{api}/customers", headers=HEADERS, timeout=10))["total"] == 1,
             timeout=60, message="the customer file")
    [visit] = json_of(requests.get(f"{api}/return-visits", headers=HEADERS, timeout=10))["items"]
    assert visit["kind"] == "delivery" and visit["status"] == "scheduled"

    completed = json_of(requests.post(f"{api}/return-visits/{visit['id']}/complete", headers=HEADERS, timeout=10,
                                      json={"satisfaction": 2, "feedback": "the car smelled of smoke"}))
    complaint = json_of(requests.get(f"{api}/complaints/{completed['complaint_id']}", headers=HEADERS, timeout=10))
    assert complaint["status"] == "open" and complaint["origin"] == "return_visit"

    past_limit = datetime.fromisoformat(complaint["deadline"]) + timedelta(minutes=1)
    with session_factory(url)() as session:
        assert escalate_overdue_complaints(session, past_limit) == 1
    with session_factory(url)() as session:
        assert escalate_overdue_complaints(session, past_limit + timedelta(hours=1)) == 0
    escalated = json_of(requests.get(f"{api}/complaints", params={"escalated": "true"}, headers=HEADERS, timeout=10))
    assert [c["id"] for c in escalated["items"]] == [complaint["id"]]

    resolved = requests.post(f"{api}/complaints/{complaint['id']}/resolve", headers=HEADERS, timeout=10,
                             json={"note": "valeted the car and apologised"})
    assert resolved.status_code == 200 and resolved.json()["status"] == "resolved"
    wait_for(lambda: count(url, select(func.count()).select_from(OutboxEvent)
                           .where(OutboxEvent.published_at.is_(None))) == 0,
             timeout=30, message="the worker's relay to publish every event")
    assert [key for key, _ in outbox_types(url)] == [
        "after_sales.customer.created", "after_sales.return_visit.scheduled", "after_sales.complaint.opened",
        "after_sales.return_visit.completed", "after_sales.complaint.escalated", "after_sales.complaint.resolved"]

"""The leads service as real processes (gunicorn web + worker) with the real broker."""
from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from contracts import contract_errors
from dealer_testing import token, wait_for
from dealer_testing.bus import subscriber_queue
from shared.config import load_settings

LEAD = {"name": "Wang Lei", "phone": "13812345678", "source": "phone_in", "model_interest": "Aurora", "level": "A"}


@pytest.fixture
def created_queue(dealer_env):
    """A subscriber's queue bound to ``leads.lead.created`` only, like another dealer system's."""
    settings = load_settings("leads")
    with subscriber_queue(settings, "subscriber.leads-created", ["leads.lead.created"]) as (channel, name):
        yield lambda: channel.basic_get(name, no_ack=True)


def test_a_lead_filed_over_http_reaches_a_subscriber_queue_and_the_feed(start_service, created_queue) -> None:
    leads = start_service("leads")
    response = requests.post(f"{leads.url}/api/v1/leads", json=LEAD, headers={
        **token("consultant", "c1"), "X-Correlation-ID": "corr-123"}, timeout=5)
    assert response.status_code == 201
    message = wait_for(created_queue, timeout=10, message="leads.lead.created in the subscriber queue")
    event = json.loads(message.body)
    assert event["type"] == "dealer.leads.lead.created.v1" and event["subject"] == response.json()["id"]
    assert event["correlationid"] == "corr-123" and message.properties["delivery_mode"] == 2
    assert contract_errors(event) == []
    assert "13812345678" not in message.body.decode()

    def feed() -> list:
        page = requests.get(f"{leads.url}/api/v1/events?after=0", headers=token("service", "reporting"), timeout=5)
        return [e for e in page.json()["items"] if e["type"] == "dealer.leads.lead.created.v1"]
    assert wait_for(feed, timeout=15, message="the event in the feed") == [event]


def test_the_same_post_sent_twenty_times_at_once_with_one_key_makes_one_lead(start_service) -> None:
    leads = start_service("leads", worker=False)
    headers = {**token("consultant", "c1"), "Idempotency-Key": "same-key-1"}

    def send(_: int) -> requests.Response:
        return requests.post(f"{leads.url}/api/v1/leads", json=LEAD, headers=headers, timeout=30)

    with ThreadPoolExecutor(max_workers=20) as pool:
        answers = list(pool.map(send, range(20)))
    assert {a.status_code for a in answers} == {201}
    assert len({a.json()["id"] for a in answers}) == 1
    listed = requests.get(f"{leads.url}/api/v1/leads", headers=token("sales_manager", "m1"), timeout=5).json()
    assert listed["total"] == 1


def test_leads_answers_503_quickly_when_inventory_is_down_for_a_test_drive(start_service, dealer_env) -> None:
    leads = start_service("leads", worker=False, extra_env={"DEALER_HTTP_TIMEOUT": "1.0"})
    lead = requests.post(f"{leads.url}/api/v1/leads", json=LEAD, headers=token("consultant", "c1"), timeout=5).json()
    started = time.monotonic()
    response = requests.post(f"{leads.url}/api/v1/leads/{lead['id']}/test-drives", headers=token("consultant", "c1"),
                             json={"vin": "LSVAU2182N2183290", "driver_license_no": "D123", "escort_id": "c1"},
                             timeout=10)
    assert response.status_code == 503 and response.headers["Content-Type"] == "application/problem+json"
    assert time.monotonic() - started < 3


def test_readiness_and_metrics_are_served(start_service) -> None:
    leads = start_service("leads", worker=False)
    assert requests.get(f"{leads.url}/readyz", timeout=5).json()["status"] == "ready"
    requests.get(f"{leads.url}/api/v1/leads", timeout=5)
    metrics = requests.get(f"{leads.url}/metrics", timeout=5).text
    assert "http_requests_total" in metrics and "dealer_outbox_pending" in metrics
    assert requests.get(f"{leads.url}/openapi.json", timeout=5).json()["paths"]["/api/v1/leads"]

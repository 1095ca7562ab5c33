"""The paperwork's events leave through the outbox relay onto RabbitMQ (with confirms), each as its contract says.

Reporting counts them and after-sales files the plate from ``orders.vehicle.registered``: a subscriber's own
queue, bound to ``orders.#`` paperwork keys, must receive every one.
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

from contracts import contract_errors
from dealer_testing import wait_for
from dealer_testing.bus import subscriber_queue
from shared.config import load_settings
from shared.relay import OutboxRelay

KEYS = ("orders.contract.reviewed", "orders.loan.applied", "orders.loan.decided", "orders.loan.disbursed",
        "orders.insurance.arranged", "orders.invoice.issued", "orders.invoice.voided", "orders.vehicle.registered")


@pytest.fixture
def paperwork_news(dealer_env: dict[str, str]) -> Iterator[Any]:
    """A subscriber's durable queue bound to the paperwork's routing keys."""
    with subscriber_queue(load_settings("orders"), "subscriber.paperwork", KEYS) as (channel, name):
        yield lambda: channel.basic_get(name, no_ack=True)


def test_every_paperwork_event_reaches_a_subscriber_on_the_broker_as_its_schema_says(
        app, reserved, consultant, back_office, manager, paperwork_news) -> None:
    order_id, today = reserved(payment_method="loan"), date.today().isoformat()
    url = f"/api/v1/orders/{order_id}"
    steps: list[tuple[Any, str, dict[str, Any]]] = [
        (consultant, "contract", {}), (back_office, "contract/review", {"passed": True}),
        (manager, "contract/approve", {}),
        (consultant, "loan", {"lender": "Aurora Finance", "amount": "100000.00", "term_months": 24,
                              "annual_rate": "2.99"}),
        (back_office, "loan/decision", {"approved": True}),
        # the customer's share: 189900.00 - 100000.00 = 89900.00, of which the 5000.00 deposit is paid
        (back_office, "payments", {"amount": "84900.00", "method": "bank_transfer", "kind": "balance"}),
        (back_office, "loan/disburse", {}),
        (back_office, "insurance", {"insurer": "PICC", "policy_no": "JQX-BUS-1", "kind": "compulsory",
                                    "premium": "950.00", "starts_on": today, "ends_on": "2099-12-31"}),
        (back_office, "invoice", {"invoice_no": "04409001", "issued_on": today}),
        (back_office, "invoice/void", {"reason": "typo"}),
        (back_office, "invoice", {"invoice_no": "04409002", "issued_on": today}),
        (consultant, "registration", {"plate_no": "京A88888", "registered_on": today, "by": "customer"})]
    for caller, step, body in steps:
        answer = caller.post(f"{url}/{step}", json=body)
        assert answer.status_code in (200, 201), (step, answer.get_json())
    relay = OutboxRelay(load_settings("orders"), app.extensions["dealer"].sessions)
    try:
        relay.publish_pending()
    finally:
        relay.close()
    received: list[dict[str, Any]] = []

    def all_arrived() -> bool:
        while (message := paperwork_news()) is not None:
            received.append(json.loads(message.body))
        return len(received) >= 9

    wait_for(all_arrived, timeout=15, message="the paperwork's events on the subscriber's queue")
    kinds = sorted(event["type"] for event in received)
    # one review, three loan steps, one policy, two invoices issued, one voided, one registration
    assert kinds == sorted(f"dealer.{key}.v1" for key in (*KEYS, "orders.invoice.issued"))
    for event in received:
        assert event["subject"] == order_id and contract_errors(event) == [], event
    [plate] = [e for e in received if e["type"] == "dealer.orders.vehicle.registered.v1"]
    assert (plate["data"]["vin"], plate["data"]["plate_no"]) == ("LSVAU2182N2183290", "京A88888")

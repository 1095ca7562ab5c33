"""The reserved car's model class (车型大类) stays with the order and goes out with its delivery.

Reporting counts deliveries per class for targets and commission deductions from ``orders.order.delivered``.
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any

import requests

from contracts import contract_errors
from dealer_testing import json_of, token, wait_for
from shared import broker
from shared.config import load_settings

VIN = "LSVAU2182N2183290"
ALL_PASSED = {"exterior": True, "interior": True, "fuel": True, "accessories": True, "documents": True, "keys": True}
RESERVED = {"vin": VIN, "model": "Aurora", "trim": "2.0T Luxury", "color": "white", "at": "2026-11-22T10:00:00+00:00"}
ORDER = {"customer": {"name": "Wang Lei", "phone": "13812345678", "id_number": "110101199003074514"},
         "vehicle": {"model": "Aurora", "trim": "2.0T Luxury", "color": "white"}, "msrp": "199900.00",
         "price": "189900.00", "deposit": "5000.00", "payment_method": "cash"}
BALANCE = {"amount": "184900.00", "method": "bank_transfer", "kind": "balance"}
CAR = {"model": "Aurora", "trim": "2.0T Luxury", "color": "white", "msrp": "199900.00", "cost": "171000.00",
       "kind": "stock", "location": "main"}


def deliver_paid_in_full(order_id: str, manager: Any, pay_off: Any) -> Any:
    """Contract approved, insured, balance paid, checklist passed: the delivery's answer."""
    pay_off(order_id)
    return manager.post(f"/api/v1/orders/{order_id}/deliver", json={"checklist": ALL_PASSED})


def test_the_reserved_cars_class_is_kept_on_the_order_and_goes_out_with_its_delivery(
        place, inventory_says, consultant, manager, pay_off, published) -> None:
    order_id = place()["id"]
    assert consultant.get(f"/api/v1/orders/{order_id}").get_json()["model_class"] is None  # no car yet
    inventory_says("inventory.vehicle.reserved", order_id, **RESERVED, model_class="SUV")
    assert consultant.get(f"/api/v1/orders/{order_id}").get_json()["model_class"] == "SUV"
    delivered = deliver_paid_in_full(order_id, manager, pay_off)
    assert delivered.status_code == 200 and delivered.get_json()["model_class"] == "SUV"
    [event] = published("orders.order.delivered")
    assert event["data"]["model_class"] == "SUV" and contract_errors(event) == []


def test_an_order_whose_car_inventory_had_not_classed_is_delivered_with_a_null_class(
        place, inventory_says, manager, pay_off, published) -> None:
    order_id = place()["id"]
    inventory_says("inventory.vehicle.reserved", order_id, **RESERVED)  # an inventory without classes says none
    assert deliver_paid_in_full(order_id, manager, pay_off).get_json()["model_class"] is None
    [event] = published("orders.order.delivered")
    assert event["data"]["model_class"] is None and contract_errors(event) == []


@contextmanager
def listening(routing_key: str) -> Iterator[Any]:
    """A queue of this test's own bound to the events exchange, as an outside subscriber binds one."""
    settings = load_settings("orders")
    conn = broker.connect(settings.amqp_url, heartbeat=0)
    try:
        channel = broker.raw_channel(conn)
        broker.declare_exchange(channel, settings)
        queue, _, _ = channel.queue_declare("", exclusive=True, auto_delete=True)
        channel.queue_bind(queue, settings.exchange, routing_key)
        yield lambda: channel.basic_get(queue, no_ack=True)
    finally:
        conn.close()


def compulsory_policy() -> dict[str, str]:
    """A compulsory policy (交强险) from yesterday for a year: it covers today's delivery."""
    today = date.today()
    return {"insurer": "PICC", "policy_no": "JQX-MPV-0001", "kind": "compulsory", "premium": "950.00",
            "starts_on": (today - timedelta(days=1)).isoformat(), "ends_on": (today + timedelta(days=364)).isoformat()}


def test_the_delivered_orders_event_on_the_broker_carries_the_class_inventory_gave_the_car(
        database_url, start_service) -> None:
    inventory, orders = start_service("inventory"), start_service("orders", database_url)
    clerk = token("inventory_clerk", "k1")
    assert requests.put(f"{inventory.url}/api/v1/models/Aurora", json={"model_class": "MPV"}, headers=clerk,
                        timeout=5).status_code == 200
    assert requests.post(f"{inventory.url}/api/v1/vehicles", json={**CAR, "vin": VIN}, headers=clerk, timeout=5).ok
    assert requests.post(f"{inventory.url}/api/v1/vehicles/{VIN}/inspection", json={"passed": True},
                         headers=clerk, timeout=5).ok
    with listening("orders.order.delivered") as next_message:
        order_id = call(orders.url, "/api/v1/orders", ORDER)["id"]
        path = f"/api/v1/orders/{order_id}"
        reserved = wait_for(lambda: (found := call(orders.url, path))["status"] == "reserved" and found,
                            timeout=30, interval=0.2, message="inventory to reserve the car")
        assert reserved["model_class"] == "MPV"
        # the back office reviews, another manager approves (m1 placed it; 10000.00 off is over the limit)
        for step, body, caller in (("contract", {}, ("sales_manager", "m1")),
                                   ("contract/review", {"passed": True}, ("back_office", "b1")),
                                   ("contract/approve", {}, ("sales_manager", "m2")),
                                   ("insurance", compulsory_policy(), ("back_office", "b1")),
                                   ("payments", BALANCE, ("back_office", "b1")),
                                   ("deliver", {"checklist": ALL_PASSED}, ("sales_manager", "m1"))):
            call(orders.url, f"{path}/{step}", body, caller)
        message = wait_for(next_message, timeout=30, interval=0.2, message="orders.order.delivered on the broker")
    event = json.loads(message.body)
    assert (event["subject"], event["data"]["vin"], event["data"]["model_class"]) == (order_id, VIN, "MPV")
    assert contract_errors(event) == []


def call(base_url: str, path: str, body: dict[str, Any] | None = None,
         caller: tuple[str, str] = ("sales_manager", "m1")) -> Any:
    """A caller (the manager m1 by default) calls a running orders service: GET, or POST with a body; a failure
    fails the test."""
    headers = token(*caller)
    if body is None:
        response = requests.get(f"{base_url}{path}", headers=headers, timeout=10)
    else:
        response = requests.post(f"{base_url}{path}", json=body, headers=headers, timeout=30)
    assert response.ok, response.text
    return json_of(response)

"""Orders arriving together at two competing workers never get the same car (real processes, real broker)."""
from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime, timedelta

import requests

from dealer_testing import json_of, token, wait_for
from inventory.consumers import HANDLERS
from shared import broker
from shared.config import load_settings
from shared.envelope import make_event
from shared.publisher import ConfirmingPublisher, Outgoing

CARS, ORDERS = 5, 24


def publish_orders_placed(count: int) -> list[str]:
    """Publish ``count`` orders for the same white Aurora at once, as the orders service would."""
    settings = load_settings("inventory")
    conn = broker.connect(settings.amqp_url)
    try:
        broker.declare_consumer_queues(broker.raw_channel(conn), settings, sorted(HANDLERS))
    finally:
        conn.close()
    start, messages = datetime.now(UTC), []
    for n in range(count):
        order_id = f"O-{n:03d}"
        data = {"order_id": order_id, "lead_id": None, "consultant_id": "c1", "model": "Aurora",
                "trim": "2.0T Luxury", "color": "white", "vin": None, "msrp": "199900.00", "price": "189900.00",
                "deposit": "5000.00", "payment_method": "cash", "customer_phone_masked": "138****5678",
                "placed_at": (start + timedelta(milliseconds=n)).isoformat()}
        body = json.dumps(make_event("orders", "orders.order.placed", order_id, data)).encode()
        messages.append(Outgoing(settings.exchange, "orders.order.placed", body, {"delivery_mode": 2}))
    publisher = ConfirmingPublisher(settings.amqp_url)
    try:
        assert all(publisher.publish(messages))
    finally:
        publisher.close()
    return [f"O-{n:03d}" for n in range(count)]


def saga_answers(url: str) -> list[dict]:
    response = requests.get(f"{url}/api/v1/events?limit=1000", headers=token("service", "orders"), timeout=5)
    return [e for e in json_of(response)["items"]
            if e["type"].split(".")[2:4] in (["vehicle", "reserved"], ["reservation", "failed"])]


def test_orders_placed_at_once_on_two_workers_never_share_a_car(database_url, start_service, new_vin) -> None:
    inventory = start_service("inventory", database_url)
    inventory.start_worker()  # a second worker competing for the same queue
    clerk = token("inventory_clerk", "k1")
    for _ in range(CARS):
        vin = new_vin()
        car = {"vin": vin, "model": "Aurora", "trim": "2.0T Luxury", "color": "white", "msrp": "199900.00",
               "cost": "171000.00", "kind": "stock", "location": "main"}
        assert requests.post(f"{inventory.url}/api/v1/vehicles", json=car, headers=clerk, timeout=5).ok
        assert requests.post(f"{inventory.url}/api/v1/vehicles/{vin}/inspection", json={"passed": True},
                             headers=clerk, timeout=5).ok
    orders = publish_orders_placed(ORDERS)
    answers = wait_for(lambda: (found := saga_answers(inventory.url)) and len(found) >= ORDERS and found,
                       timeout=45, interval=0.5, message="an answer to every order")
    reserved = [e["data"] for e in answers if e["type"].endswith("vehicle.reserved.v1")]
    assert len(answers) == ORDERS and len({e["data"]["order_id"] for e in answers}) == ORDERS
    assert len(reserved) == CARS
    assert Counter(r["vin"] for r in reserved).most_common(1)[0][1] == 1
    listed = requests.get(f"{inventory.url}/api/v1/vehicles?status=reserved", headers=clerk, timeout=5).json()
    assert {c["reserved_for_order_id"] for c in listed["items"]} == {r["order_id"] for r in reserved}
    assert set(orders) >= {r["order_id"] for r in reserved}

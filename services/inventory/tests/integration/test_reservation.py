"""Inventory's half of the order saga: reserve, wait, serve, release, deliver (handlers on the real database)."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from contracts import contract_errors
from shared.domain import DomainError

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def car(clerk, vin: str) -> dict:
    return clerk.get(f"/api/v1/vehicles/{vin}").get_json()


def test_an_order_gets_the_oldest_matching_available_stock_car(receive, place, clerk, published) -> None:
    now = datetime.now(UTC)
    receive(kind="test_drive", arrived_at=(now - timedelta(days=90)).isoformat())
    receive(color="black", arrived_at=(now - timedelta(days=80)).isoformat())
    oldest = receive(arrived_at=(now - timedelta(days=30)).isoformat())
    receive(arrived_at=(now - timedelta(days=3)).isoformat())
    place("O-1")
    [reserved] = published("inventory.vehicle.reserved")
    assert reserved["subject"] == oldest["vin"] and reserved["data"]["order_id"] == "O-1"
    assert car(clerk, oldest["vin"])["status"] == "reserved"
    assert car(clerk, oldest["vin"])["reserved_for_order_id"] == "O-1"


def test_no_matching_car_fails_the_reservation_with_the_reason(receive, place, published) -> None:
    receive(color="black")
    receive(inspect=False)  # a white one, still waiting for its inspection: not for sale yet
    place("O-1")
    [failed] = published("inventory.reservation.failed")
    assert failed["subject"] == "O-1"
    assert failed["data"]["reason"] == "no available stock car matches Aurora / 2.0T Luxury / white"
    assert published("inventory.vehicle.reserved") == []


def test_a_car_that_passes_inspection_goes_to_the_oldest_waiting_order(receive, place, clerk, published) -> None:
    place("O-late", placed_at=T0 + timedelta(hours=2))
    place("O-early", placed_at=T0)
    place("O-black", color="black", placed_at=T0 - timedelta(hours=1))
    vin = receive()["vin"]
    assert car(clerk, vin)["reserved_for_order_id"] == "O-early"
    assert [e["data"]["order_id"] for e in published("inventory.vehicle.reserved")] == ["O-early"]
    second = receive()["vin"]
    assert car(clerk, second)["reserved_for_order_id"] == "O-late"


def test_a_reinspected_car_that_passes_serves_a_waiting_order(receive, place, clerk) -> None:
    place("O-1")
    vin = receive(inspect=False)["vin"]
    clerk.post(f"/api/v1/vehicles/{vin}/inspection", json={"passed": False, "notes": "dent"})
    assert car(clerk, vin)["status"] == "on_hold"
    clerk.post(f"/api/v1/vehicles/{vin}/inspection", json={"passed": True})
    assert car(clerk, vin)["reserved_for_order_id"] == "O-1"


def test_a_cancelled_order_frees_its_car_for_the_next_backorder(receive, place, deliver_event, clerk,
                                                                published) -> None:
    vin = receive()["vin"]
    place("O-1", placed_at=T0)
    place("O-2", placed_at=T0 + timedelta(minutes=1))
    deliver_event("orders.order.cancelled", "O-1", vin=vin, reason="changed mind")
    [released] = published("inventory.vehicle.released")
    assert released["data"] == {"vin": vin, "order_id": "O-1", "model_class": None, "at": released["data"]["at"]}
    assert car(clerk, vin)["reserved_for_order_id"] == "O-2"


def test_a_cancelled_waiting_order_leaves_the_waiting_list(receive, place, deliver_event, clerk) -> None:
    place("O-1", placed_at=T0)
    place("O-2", placed_at=T0 + timedelta(minutes=1))
    deliver_event("orders.order.cancelled", "O-1", vin=None, reason="bought elsewhere")
    assert car(clerk, receive()["vin"])["reserved_for_order_id"] == "O-2"


def test_a_cancellation_that_overtakes_its_order_is_remembered(receive, place, deliver_event, clerk,
                                                               published) -> None:
    vin = receive()["vin"]
    deliver_event("orders.order.cancelled", "O-1", vin=None, reason="changed mind")
    place("O-1")
    assert car(clerk, vin)["status"] == "available"
    assert published("inventory.vehicle.reserved") == published("inventory.reservation.failed") == []


def test_a_cancellation_without_a_vin_still_releases_the_car_inventory_holds(receive, place, deliver_event,
                                                                             clerk) -> None:
    vin = receive()["vin"]
    place("O-1")
    deliver_event("orders.order.cancelled", "O-1", vin=None, reason="cancelled before the answer arrived")
    assert car(clerk, vin)["status"] == "available"


def test_an_order_naming_a_vin_gets_that_car_or_waits_for_it(receive, place, clerk, published, new_vin) -> None:
    older, wanted = receive()["vin"], receive()["vin"]
    place("O-1", model="", trim="", color="", vin=wanted)
    assert car(clerk, wanted)["reserved_for_order_id"] == "O-1" and car(clerk, older)["status"] == "available"
    expected = new_vin()
    place("O-2", model="", trim="", color="", vin=expected)
    [failed] = published("inventory.reservation.failed")
    assert failed["data"]["reason"] == f"no car with VIN {expected} has arrived yet"
    receive(vin=expected)
    assert car(clerk, expected)["reserved_for_order_id"] == "O-2"
    assert car(clerk, older)["status"] == "available"


def test_delivery_takes_the_car_out_of_stock_and_its_keys_go_with_it(receive, place, deliver_event, clerk,
                                                                     as_role, published) -> None:
    vin = receive()["vin"]
    place("O-1")
    clerk.post(f"/api/v1/vehicles/{vin}/keys", json={"action": "issue", "holder": "c1", "purpose": "handover"})
    deliver_event("orders.order.delivered", "O-1", vin=vin)
    deliver_event("orders.order.delivered", "O-1", vin=vin)  # a second copy changes nothing
    seen = car(clerk, vin)
    assert seen["status"] == "delivered" and seen["key_holder"] is None and seen["delivered_at"]
    assert len(published("inventory.vehicle.delivered")) == 1
    keys = as_role("back_office", "b1").post(f"/api/v1/vehicles/{vin}/keys", json={"action": "issue", "holder": "c1"})
    assert keys.status_code == 409 and "delivered" in keys.get_json()["detail"]
    assert clerk.get("/api/v1/stock").get_json()["totals"]["on_hand"] == 0


def test_a_delivery_of_a_car_not_reserved_for_the_order_is_refused(receive, place, deliver_event) -> None:
    vin = receive()["vin"]
    with pytest.raises(DomainError, match="not reserved"):
        deliver_event("orders.order.delivered", "O-9", vin=vin)


def test_test_drive_and_demo_cars_are_never_sold(receive, place, published) -> None:
    receive(kind="test_drive")
    receive(kind="demo")
    place("O-1")
    assert len(published("inventory.reservation.failed")) == 1


def test_every_saga_event_conforms_to_the_contract(receive, place, deliver_event, published, new_vin) -> None:
    vin = receive()["vin"]
    place("O-1")
    place("O-2")
    place("O-3", model="", trim="", color="", vin=new_vin())
    deliver_event("orders.order.cancelled", "O-1", vin=vin, reason="changed mind")
    deliver_event("orders.order.delivered", "O-2", vin=vin)
    kinds = {e["type"] for e in published()}
    assert {"dealer.inventory.vehicle.reserved.v1", "dealer.inventory.reservation.failed.v1",
            "dealer.inventory.vehicle.released.v1", "dealer.inventory.vehicle.delivered.v1"} <= kinds
    for event in published():
        assert contract_errors(event) == [], event

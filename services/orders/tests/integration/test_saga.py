"""Orders' half of the saga: inventory's answers move the order, late or out-of-order answers are harmless."""
from __future__ import annotations

from contracts import contract_errors

VIN = "LSVAU2182N2183290"
RESERVED = {"vin": VIN, "model": "Aurora", "trim": "2.0T Luxury", "color": "white", "at": "2026-11-22T10:00:00+00:00"}
FAILED = {"model": "Aurora", "trim": "2.0T Luxury", "color": "white", "vin": None,
          "reason": "no available stock car matches Aurora / 2.0T Luxury / white", "at": "2026-11-22T10:00:00+00:00"}


def test_a_reserved_car_makes_the_order_reserved_and_confirmed(place, inventory_says, consultant,
                                                               published) -> None:
    order_id = place()["id"]
    inventory_says("inventory.vehicle.reserved", order_id, **RESERVED)
    order = consultant.get(f"/api/v1/orders/{order_id}").get_json()
    assert (order["status"], order["vin"]) == ("reserved", VIN) and order["reserved_at"]
    [confirmed] = published("orders.order.confirmed")
    assert confirmed["data"]["vin"] == VIN and confirmed["data"]["status"] == "reserved"


def test_a_failed_reservation_backorders_the_order_with_the_reason(place, inventory_says, consultant,
                                                                   published) -> None:
    order_id = place()["id"]
    inventory_says("inventory.reservation.failed", order_id, **FAILED)
    order = consultant.get(f"/api/v1/orders/{order_id}").get_json()
    assert order["status"] == "backordered" and order["backorder_reason"] == FAILED["reason"]
    assert published("orders.order.backordered")[0]["data"]["reason"] == FAILED["reason"]


def test_a_backordered_order_with_an_approved_contract_is_contracted_when_its_car_arrives(
        place, inventory_says, manager, approve) -> None:
    order_id = place()["id"]
    inventory_says("inventory.reservation.failed", order_id, **FAILED)
    assert approve(order_id)["order_status"] == "backordered"
    inventory_says("inventory.vehicle.reserved", order_id, **RESERVED)
    assert manager.get(f"/api/v1/orders/{order_id}").get_json()["status"] == "contracted"


def test_answers_that_overtake_each_other_leave_the_order_reserved(place, inventory_says, consultant,
                                                                   published) -> None:
    order_id = place()["id"]
    inventory_says("inventory.vehicle.reserved", order_id, **RESERVED)
    inventory_says("inventory.reservation.failed", order_id, **FAILED)
    inventory_says("inventory.vehicle.reserved", order_id, **RESERVED)
    assert consultant.get(f"/api/v1/orders/{order_id}").get_json()["status"] == "reserved"
    assert len(published("orders.order.confirmed")) == 1 and published("orders.order.backordered") == []


def test_a_car_reserved_for_an_order_already_cancelled_is_ignored(place, inventory_says, consultant) -> None:
    order_id = place()["id"]
    consultant.post(f"/api/v1/orders/{order_id}/cancel", json={"reason": "changed mind"})
    inventory_says("inventory.vehicle.reserved", order_id, **RESERVED)
    order = consultant.get(f"/api/v1/orders/{order_id}").get_json()
    assert (order["status"], order["vin"]) == ("cancelled", None)


def test_an_order_naming_only_a_vin_learns_its_model_from_the_car(place, inventory_says, consultant) -> None:
    order_id = place(vehicle=None, vin=VIN)["id"]
    inventory_says("inventory.vehicle.reserved", order_id, **RESERVED)
    order = consultant.get(f"/api/v1/orders/{order_id}").get_json()
    assert order["vehicle"] == {"model": "Aurora", "trim": "2.0T Luxury", "color": "white"}


def test_an_answer_for_an_unknown_order_is_ignored(inventory_says, published) -> None:
    inventory_says("inventory.vehicle.reserved", "no-such-order", **RESERVED)
    assert published() == []


def test_saga_events_conform_to_the_contract(place, inventory_says, published) -> None:
    inventory_says("inventory.vehicle.reserved", place()["id"], **RESERVED)
    inventory_says("inventory.reservation.failed", place(lead_id=None)["id"], **FAILED)
    for event in published():
        assert contract_errors(event) == [], event

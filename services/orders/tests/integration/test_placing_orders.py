"""Placing an order: what it records, what it refuses, who sees what."""
from __future__ import annotations

import pytest

from contracts import contract_errors


def test_an_order_is_placed_pending_with_its_deposit_recorded_as_paid(place, published) -> None:
    order = place()
    assert order["status"] == "pending" and order["vin"] is None and order["consultant_id"] == "c1"
    assert (order["price"], order["discount"], order["deposit"]) == ("189900.00", "10000.00", "5000.00")
    assert (order["paid_total"], order["outstanding"]) == ("5000.00", "184900.00")
    [deposit] = order["payments"]
    assert (deposit["kind"], deposit["amount"], deposit["method"]) == ("deposit", "5000.00", "cash")
    [placed] = published("orders.order.placed")
    assert placed["subject"] == order["id"] and placed["data"]["lead_id"] == "L-1"
    assert placed["data"]["customer_phone_masked"] == "138****5678" and placed["data"]["vin"] is None
    assert published("orders.payment.received")[0]["data"]["paid_total"] == "5000.00"


def test_a_deposit_agreed_but_not_yet_paid_is_not_counted(place, back_office) -> None:
    order = place(deposit_paid=False)
    assert order["paid_total"] == "0.00" and order["payments"] == []
    paid = back_office.post(f"/api/v1/orders/{order['id']}/payments",
                            json={"amount": "5000.00", "method": "wechat_pay", "kind": "deposit"})
    assert paid.status_code == 201 and paid.get_json()["paid_total"] == "5000.00"


def test_an_order_may_name_a_vin_instead_of_a_configuration(place, published) -> None:
    order = place(vehicle=None, vin="lsvau2182n2183290")
    assert order["requested_vin"] == "LSVAU2182N2183290" and order["vehicle"]["model"] == ""
    assert published("orders.order.placed")[0]["data"]["vin"] == "LSVAU2182N2183290"


@pytest.mark.parametrize(("change", "field"), [
    ({"vehicle": None}, "vehicle"),
    ({"vehicle": None, "vin": "LSVAU2182N218329O"}, "vin"),
    ({"price": 189900.0}, "price"),
    ({"deposit": "5000.001"}, "deposit"),
    ({"payment_method": "barter"}, "payment_method"),
    ({"customer": {"name": "Wang", "phone": "12345", "id_number": "110101199003074514"}}, "customer.phone"),
    ({"customer": {"name": "Wang", "phone": "13812345678", "id_number": "110101199003074515"}},
     "customer.id_number"),
    ({"deposit": "190000.00"}, "deposit"),
    ({"price": "0.00", "deposit": "0.00"}, "price"),
])
def test_bad_input_is_422_naming_the_field_and_no_order_is_made(consultant, body, change, field) -> None:
    response = consultant.post("/api/v1/orders", json=body(**change))
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    assert field in response.get_json()["errors"], response.get_json()
    assert consultant.get("/api/v1/orders").get_json()["total"] == 0


def test_the_customers_phone_and_id_are_full_for_the_consultant_managers_and_back_office_only(
        place, as_role) -> None:
    url = f"/api/v1/orders/{place()['id']}"
    for role, sub in (("consultant", "c1"), ("sales_manager", "m1"), ("back_office", "b1")):
        customer = as_role(role, sub).get(url).get_json()["customer"]
        assert customer == {"name": "Wang Lei", "phone": "13812345678", "id_number": "110101199003074514"}
    for role, sub in (("consultant", "c2"), ("service", "after_sales")):
        customer = as_role(role, sub).get(url).get_json()["customer"]
        assert customer["phone"] == "138****5678" and customer["id_number"] == "110101********4514"


def test_only_sales_place_orders_and_a_manager_may_place_one_for_a_consultant(as_role, body) -> None:
    assert as_role("inventory_clerk", "k1").post("/api/v1/orders", json=body()).status_code == 403
    placed = as_role("sales_manager", "m1").post("/api/v1/orders", json=body(consultant_id="c7"))
    assert placed.status_code == 201 and placed.get_json()["consultant_id"] == "c7"


def test_orders_are_listed_newest_first_and_filtered(place, consultant) -> None:
    first, second = place(), place(lead_id="L-2")
    listed = consultant.get("/api/v1/orders").get_json()
    assert [o["id"] for o in listed["items"]] == [second["id"], first["id"]] and listed["total"] == 2
    assert consultant.get("/api/v1/orders?lead_id=L-2").get_json()["items"][0]["id"] == second["id"]
    assert consultant.get("/api/v1/orders?status=shipped").status_code == 422
    assert consultant.get("/api/v1/orders/nope").status_code == 404


def test_placing_events_conform_to_the_contract(place, published) -> None:
    place()
    place(vehicle=None, vin="LSVAU2182N2183290", lead_id=None, deposit="0.00")
    for event in published():
        assert contract_errors(event) == [], event

"""Past paper records (补录): ``occurred_at`` dates each step of an order and its event; omitted means now."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from contracts import contract_errors

ALL_PASSED = {"exterior": True, "interior": True, "fuel": True, "accessories": True, "documents": True, "keys": True}


def ago(days: float) -> str:
    return (datetime.now(UTC) - timedelta(days=days)).isoformat()


def at(raw: str) -> datetime:
    return datetime.fromisoformat(raw).astimezone(UTC)


def test_a_sale_from_the_paper_file_keeps_each_steps_date_in_the_order_and_its_events(
        place, inventory_says, consultant, manager, back_office, insure, published) -> None:
    placed_on, drafted_on, approved_on, paid_on, delivered_on = ago(20), ago(18), ago(17), ago(15), ago(12)
    reviewed_on = ago(17.5)
    order_id = place(occurred_at=placed_on)["id"]
    inventory_says("inventory.vehicle.reserved", order_id, vin="LSVAU2182N2183290", at=ago(20))
    assert consultant.post(f"/api/v1/orders/{order_id}/contract", json={"occurred_at": drafted_on}).status_code == 201
    assert back_office.post(f"/api/v1/orders/{order_id}/contract/review",
                            json={"passed": True, "occurred_at": reviewed_on}).status_code == 200
    insure(order_id)  # cover from 30 days back: the delivery 12 days ago is inside it
    approved = manager.post(f"/api/v1/orders/{order_id}/contract/approve", json={"occurred_at": approved_on})
    balance = back_office.post(f"/api/v1/orders/{order_id}/payments", json={
        "amount": "184900.00", "method": "bank_transfer", "kind": "balance", "occurred_at": paid_on})
    delivered = consultant.post(f"/api/v1/orders/{order_id}/deliver",
                                json={"checklist": ALL_PASSED, "occurred_at": delivered_on})
    assert approved.status_code == 200 and balance.status_code == 201 and delivered.status_code == 200
    order = delivered.get_json()
    assert at(order["placed_at"]) == at(placed_on) and at(order["delivered_at"]) == at(delivered_on)
    assert at(order["contract"]["drafted_at"]) == at(drafted_on)
    assert [at(p["at"]) for p in order["payments"]] == [at(placed_on), at(paid_on)]  # the deposit with the order
    expected = {"orders.order.placed": ("placed_at", placed_on), "orders.contract.approved": ("at", approved_on),
                "orders.contract.reviewed": ("reviewed_at", reviewed_on),
                "orders.order.delivered": ("delivered_at", delivered_on)}
    for key, (field, when) in expected.items():
        [event] = published(key)
        assert at(event["data"][field]) == at(when) and at(event["time"]) > at(when), key
        assert contract_errors(event) == []
    assert sorted(at(e["data"]["at"]) for e in published("orders.payment.received")) == [at(placed_on), at(paid_on)]


def test_a_contract_step_without_a_body_still_happens_now(reserved, consultant) -> None:
    order_id = reserved()
    drafted = consultant.post(f"/api/v1/orders/{order_id}/contract")
    assert drafted.status_code == 201
    assert abs(at(drafted.get_json()["drafted_at"]) - datetime.now(UTC)) < timedelta(minutes=1)


def test_a_step_dated_before_the_order_was_placed_is_refused_and_nothing_changes(place, back_office) -> None:
    order_id = place(occurred_at=ago(10))["id"]
    refused = back_office.post(f"/api/v1/orders/{order_id}/payments", json={
        "amount": "1000.00", "method": "cash", "kind": "balance", "occurred_at": ago(11)})
    assert refused.status_code == 422 and "occurred_at" in refused.get_json()["errors"]
    assert back_office.get(f"/api/v1/orders/{order_id}").get_json()["paid_total"] == "5000.00"


def test_an_order_dated_in_the_future_or_over_a_year_back_is_refused_naming_the_field(consultant, body) -> None:
    for when in (ago(-1), ago(400)):
        refused = consultant.post("/api/v1/orders", json=body(occurred_at=when))
        assert refused.status_code == 422 and "occurred_at" in refused.get_json()["errors"], when
    assert consultant.get("/api/v1/orders").get_json()["total"] == 0


def test_a_cancellation_from_the_paper_file_is_dated_in_its_event(place, consultant, published) -> None:
    order_id = place(occurred_at=ago(6))["id"]
    cancelled = consultant.post(f"/api/v1/orders/{order_id}/cancel",
                                json={"reason": "changed mind", "occurred_at": ago(4)})
    assert cancelled.status_code == 200
    [event] = published("orders.order.cancelled")
    assert at(event["data"]["cancelled_at"]) == at(cancelled.get_json()["cancelled_at"]) < at(ago(3.9))


def test_the_order_is_reserved_as_of_the_time_inventory_says_never_before_it_was_placed(
        place, inventory_says, manager) -> None:
    first, second = place(occurred_at=ago(10))["id"], place(occurred_at=ago(10))["id"]
    inventory_says("inventory.vehicle.reserved", first, vin="LSVAU2182N2183290", at=ago(9))
    inventory_says("inventory.vehicle.reserved", second, vin="LSVAU2182N2183291", at=ago(30))
    assert at(manager.get(f"/api/v1/orders/{first}").get_json()["reserved_at"]) < at(ago(8.9))
    reserved, placed = (manager.get(f"/api/v1/orders/{second}").get_json()[k] for k in ("reserved_at", "placed_at"))
    assert at(reserved) == at(placed)

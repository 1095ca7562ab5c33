"""Past paper records (补录): an inspection sheet keyed in late keeps its date; omitted means now."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from contracts import contract_errors


def ago(days: float) -> str:
    return (datetime.now(UTC) - timedelta(days=days)).isoformat()


def at(raw: str) -> datetime:
    return datetime.fromisoformat(raw).astimezone(UTC)


def test_a_failed_then_passed_inspection_from_the_sheets_keeps_both_dates(receive, clerk, published) -> None:
    arrived, failed_on, passed_on = ago(30), ago(29), ago(27)
    car = receive(inspect=False, arrived_at=arrived)
    failed = clerk.post(f"/api/v1/vehicles/{car['vin']}/inspection",
                        json={"passed": False, "notes": "scratch on the left door", "occurred_at": failed_on})
    passed = clerk.post(f"/api/v1/vehicles/{car['vin']}/inspection", json={"passed": True, "occurred_at": passed_on})
    assert failed.get_json()["status"] == "on_hold" and passed.get_json()["status"] == "available"
    assert at(passed.get_json()["inspected_at"]) == at(passed_on)
    events = published("inventory.vehicle.inspected")
    assert [at(e["data"]["at"]) for e in events] == [at(failed_on), at(passed_on)]
    assert all(contract_errors(e) == [] and at(e["time"]) > at(e["data"]["at"]) for e in events)


def test_an_inspection_dated_before_the_cars_arrival_is_refused_and_the_car_still_waits(receive, clerk) -> None:
    car = receive(inspect=False, arrived_at=ago(5))
    refused = clerk.post(f"/api/v1/vehicles/{car['vin']}/inspection", json={"passed": True, "occurred_at": ago(6)})
    assert refused.status_code == 422 and "occurred_at" in refused.get_json()["errors"]
    assert clerk.get(f"/api/v1/vehicles/{car['vin']}").get_json()["status"] == "pending_inspection"


def test_an_inspection_dated_in_the_future_is_refused_naming_the_field(receive, clerk) -> None:
    car = receive(inspect=False)
    refused = clerk.post(f"/api/v1/vehicles/{car['vin']}/inspection", json={"passed": True, "occurred_at": ago(-1)})
    assert refused.status_code == 422 and "occurred_at" in refused.get_json()["errors"]


def in_stock_since(receive, clerk, days: float) -> dict:
    """A car that arrived and passed its inspection ``days`` ago."""
    car = receive(inspect=False, arrived_at=ago(days))
    passed = clerk.post(f"/api/v1/vehicles/{car['vin']}/inspection", json={"passed": True, "occurred_at": ago(days)})
    assert passed.status_code == 200
    return car


def test_an_order_keyed_in_late_holds_its_car_from_its_own_date_and_leaves_on_its_delivery_date(
        receive, place, deliver_event, clerk, published) -> None:
    car = in_stock_since(receive, clerk, 40)
    placed, delivered = datetime.now(UTC) - timedelta(days=20), ago(10)
    place("O-1", placed_at=placed)
    deliver_event("orders.order.delivered", "O-1", vin=car["vin"], delivered_at=delivered)
    seen = clerk.get(f"/api/v1/vehicles/{car['vin']}").get_json()
    assert at(seen["reserved_at"]) == placed and at(seen["delivered_at"]) == at(delivered)
    [reserved] = published("inventory.vehicle.reserved")
    [left] = published("inventory.vehicle.delivered")
    assert at(reserved["data"]["at"]) == placed and at(left["data"]["at"]) == at(delivered)


def test_a_car_given_back_by_a_late_keyed_cancellation_is_released_on_that_date(receive, place, deliver_event,
                                                                             clerk, published) -> None:
    in_stock_since(receive, clerk, 40)
    place("O-1", placed_at=datetime.now(UTC) - timedelta(days=20))
    cancelled = ago(15)
    deliver_event("orders.order.cancelled", "O-1", cancelled_at=cancelled, reason="changed mind")
    [released] = published("inventory.vehicle.released")
    assert at(released["data"]["at"]) == at(cancelled)


def test_a_reservation_is_never_dated_before_the_car_passed_inspection(receive, place, clerk) -> None:
    car = receive(inspect=False, arrived_at=ago(30))
    place("O-1", placed_at=datetime.now(UTC) - timedelta(days=25))  # waits: the car is not inspected yet
    passed = ago(22)
    clerk.post(f"/api/v1/vehicles/{car['vin']}/inspection", json={"passed": True, "occurred_at": passed})
    assert at(clerk.get(f"/api/v1/vehicles/{car['vin']}").get_json()["reserved_at"]) == at(passed)

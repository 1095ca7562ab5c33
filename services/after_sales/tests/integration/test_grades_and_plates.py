"""Grades (客户等级) follow the last 12 months' spend, regraded daily; plates (车牌号) come from orders'
registration."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import pytest

from after_sales.consumers import vehicle_registered
from after_sales.domain import add_months
from after_sales.grades.services import regrade_everyone
from after_sales.policy import load_policy
from contracts import contract_errors
from shared.domain import InvalidInput
from shared.envelope import make_event

BEIJING = timezone(timedelta(hours=8))
VIN = "LSVAU2182N2183290"


def today() -> date:
    return datetime.now(BEIJING).date()


def grade_all(app, on: date) -> int:
    with app.extensions["dealer"].sessions() as session:
        return regrade_everyone(session, load_policy(), on)


def graded(outbox) -> list[dict]:
    return [e for e in outbox() if e["type"] == "dealer.after_sales.customer.graded.v1"]


def test_the_daily_grading_lowers_a_grade_when_the_sale_leaves_the_12_months_and_only_then(app, as_role, deliver,
                                                                                           outbox) -> None:
    delivered_on = today() - timedelta(days=300)
    deliver(price="189900.00", delivered_at=datetime.combine(delivered_on, time(10), BEIJING))
    coordinator = as_role("after_sales", "a1")
    assert coordinator.get("/api/v1/customers").get_json()["items"][0]["grade"] == "second"  # 150,000 and over
    assert grade_all(app, today()) == 0 and graded(outbox) == []
    assert grade_all(app, today()) == 0  # a second run the same day changes nothing
    # The last 12 months of day D run from D - 12 months + 1 day to D: the day before the delivery's
    # anniversary still holds the sale; on the anniversary it has left.
    a_year_on = add_months(delivered_on, 12)
    assert grade_all(app, a_year_on - timedelta(days=1)) == 0
    assert grade_all(app, a_year_on) == 1
    assert grade_all(app, a_year_on) == 0
    [event] = graded(outbox)
    assert (event["data"]["grade"], event["data"]["previous_grade"], event["data"]["spend_12m"]) == (
        "other", "second", "0.00")
    assert event["data"]["graded_on"] == a_year_on.isoformat() and contract_errors(event) == []
    customer = coordinator.get("/api/v1/customers").get_json()["items"][0]
    assert (customer["grade"], customer["spend_12m"], customer["total_spent"]) == ("other", "0.00", "189900.00")


def test_services_within_the_12_months_count_towards_the_grade(app, as_role, deliver, outbox) -> None:
    deliver(price="148000.00", delivered_at=datetime.combine(today() - timedelta(days=100), time(10), BEIJING))
    coordinator = as_role("after_sales", "a1")
    assert coordinator.post("/api/v1/service-records", json={
        "vin": VIN, "mileage_km": 3000, "items": ["repair"], "cost": "2500.00"}).status_code == 201
    # 148,000.00 + 2,500.00 = 150,500.00: second grade, announced as a change from "other".
    assert coordinator.get("/api/v1/customers").get_json()["items"][0]["grade"] == "second"
    assert [(e["data"]["previous_grade"], e["data"]["grade"], e["data"]["spend_12m"]) for e in graded(outbox)] == [
        ("other", "second", "150500.00")]


def registration(vin: str = VIN, plate: str = "沪A12345", order_id: str = "o-1") -> dict:
    return make_event("orders", "orders.vehicle.registered", order_id, {
        "order_id": order_id, "vin": vin, "plate_no": plate, "registered_on": "2026-12-01", "by": "store",
        "registration_fee": "500.00"})  # a field after-sales does not read


def apply(app, event: dict) -> None:
    with app.extensions["dealer"].sessions() as session, session.begin():
        vehicle_registered(session, event)


def plate_on_file(as_role) -> str | None:
    return as_role("after_sales", "a1").get("/api/v1/customers").get_json()["items"][0]["vehicles"][0]["plate"]


def test_a_plate_registered_by_orders_goes_on_the_cars_file_once(app, as_role, deliver, outbox) -> None:
    deliver(order_id="o-1")
    apply(app, registration())
    apply(app, registration())  # redelivered under a new envelope: nothing changes
    assert plate_on_file(as_role) == "沪A12345"
    [event] = [e for e in outbox() if e["type"] == "dealer.after_sales.vehicle.plate_set.v1"]
    assert (event["data"]["vin"], event["data"]["plate_no"]) == (VIN, "沪A12345") and contract_errors(event) == []


def test_a_plate_registered_before_the_delivery_goes_on_when_the_file_opens(app, as_role, deliver, outbox) -> None:
    apply(app, registration(plate="沪B 54321"))
    deliver(order_id="o-1")
    assert plate_on_file(as_role) == "沪B54321"
    [created] = [e for e in outbox() if e["type"] == "dealer.after_sales.customer.created.v1"]
    assert created["data"]["plate"] == "沪B54321"


def test_a_registration_with_a_malformed_plate_is_refused_whole_so_ops_can_replay_it(app, as_role, deliver,
                                                                                     outbox) -> None:
    deliver(order_id="o-1")
    with pytest.raises(InvalidInput) as caught:
        apply(app, registration(plate="12345"))
    assert caught.value.field == "plate" and plate_on_file(as_role) is None
    event = registration()
    event["data"].pop("plate_no")
    with pytest.raises(InvalidInput) as missing:
        apply(app, event)
    assert missing.value.field == "plate_no"

"""Customer files for cars bought elsewhere (外购车): one phone, one file; the address kept private."""
from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone

import pytest

from after_sales.domain import add_months
from contracts import contract_errors

BEIJING = timezone(timedelta(hours=8))
COORDINATOR = ("after_sales", "a1")
ADDRESS = "上海市浦东新区世纪大道100号"


def today():
    return datetime.now(BEIJING).date()


def test_a_car_bought_elsewhere_opens_a_walk_in_file_with_its_address_car_and_plate(as_role, walk_in,
                                                                                     outbox) -> None:
    response = as_role(*COORDINATOR).post("/api/v1/customers", json=walk_in())
    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    assert (created["source"], created["grade"], created["phone"]) == ("walk_in", "other", "13900001111")
    [car] = created["vehicles"]
    assert (car["vin"], car["model"], car["plate"], car["source"]) == ("LSVWALK0000000001", "Corolla", "沪A12345",
                                                                       "walk_in")
    assert car["order_id"] is None and car["price"] is None and car["warranty_until"] is None
    # No plan of its own: the store's regular interval, 6 months or 5,000 km from the reading at filing.
    assert (car["next_due_on"], car["next_due_km"]) == (add_months(today(), 6).isoformat(), 42000 + 5000)
    detail = as_role(*COORDINATOR).get(f"/api/v1/customers/{created['id']}").get_json()
    assert detail["address"] == ADDRESS
    [event] = [e for e in outbox() if e["type"] == "dealer.after_sales.customer.created.v1"]
    assert event["data"]["source"] == "walk_in" and "order_id" not in event["data"]
    assert contract_errors(event) == [] and ADDRESS not in str(event) and "13900001111" not in str(event)


def test_a_second_filing_with_the_same_phone_adds_the_car_to_the_same_file(as_role, walk_in, outbox) -> None:
    coordinator = as_role(*COORDINATOR)
    first = coordinator.post("/api/v1/customers", json=walk_in()).get_json()
    again = coordinator.post("/api/v1/customers", json=walk_in(
        name="Zhao M.", phone="+86 139-0000-1111", address="北京市朝阳区建国路1号",
        vehicle={"vin": "LSVWALK0000000002", "plate": None}))
    assert again.status_code == 200 and again.get_json()["id"] == first["id"]  # one phone, one file
    detail = coordinator.get(f"/api/v1/customers/{first['id']}").get_json()
    assert (detail["name"], detail["address"]) == ("Zhao Min", ADDRESS)  # the file keeps what was first filed
    assert [v["vin"] for v in detail["vehicles"]] == ["LSVWALK0000000001", "LSVWALK0000000002"]
    assert coordinator.get("/api/v1/customers").get_json()["total"] == 1
    added = [e for e in outbox() if e["type"] == "dealer.after_sales.vehicle.added.v1"]
    assert [e["data"]["vin"] for e in added] == ["LSVWALK0000000002"] and contract_errors(added[0]) == []


def test_a_car_already_on_a_file_or_a_plate_another_car_holds_is_409_naming_the_field(as_role, walk_in) -> None:
    coordinator = as_role(*COORDINATOR)
    assert coordinator.post("/api/v1/customers", json=walk_in()).status_code == 201
    same_car = coordinator.post("/api/v1/customers", json=walk_in(phone="13900002222"))
    assert same_car.status_code == 409 and "vehicle.vin" in same_car.get_json()["errors"]
    same_plate = coordinator.post("/api/v1/customers", json=walk_in(
        phone="13900002222", vehicle={"vin": "LSVWALK0000000009", "plate": "沪A12345"}))
    assert same_plate.status_code == 409 and "vehicle.plate" in same_plate.get_json()["errors"]


def test_a_later_sale_to_the_same_phone_joins_the_walk_in_file(as_role, walk_in, deliver) -> None:
    coordinator = as_role(*COORDINATOR)
    filed = coordinator.post("/api/v1/customers", json=walk_in()).get_json()
    deliver(order_id="o-9", phone="13900001111", vin="LSVTEST0000000009", name="Zhao Min", consultant_id="c3")
    page = coordinator.get("/api/v1/customers").get_json()
    assert page["total"] == 1 and page["items"][0]["id"] == filed["id"]
    cars = {v["vin"]: (v["source"], v["order_id"], v["consultant_id"]) for v in page["items"][0]["vehicles"]}
    assert cars == {"LSVWALK0000000001": ("walk_in", None, None), "LSVTEST0000000009": ("sale", "o-9", "c3")}
    # The sale's 189,900.00 is the file's first spend here: second grade (150,000 and over).
    assert (page["items"][0]["grade"], page["items"][0]["spend_12m"]) == ("second", "189900.00")


@pytest.mark.parametrize(("role", "full"), [("after_sales", True), ("sales_manager", True), ("consultant", False),
                                            ("ops", False)])
def test_the_address_is_shown_only_to_after_sales_and_managers(as_role, walk_in, role: str, full: bool) -> None:
    created = as_role(*COORDINATOR).post("/api/v1/customers", json=walk_in()).get_json()
    assert created["address"] == "上海市浦东新区****"  # the answer to the filing may be stored for replays
    caller = as_role(role, "u9")
    listed = caller.get("/api/v1/customers").get_json()["items"][0]
    detail = caller.get(f"/api/v1/customers/{created['id']}").get_json()
    for view in (listed, detail):
        assert view["address"] == (ADDRESS if full else "上海市浦东新区****")
        assert view["phone"] == ("13900001111" if full else "139****1111")


def test_no_address_or_full_phone_reaches_the_logs_or_the_stored_reply(as_role, walk_in, caplog, app) -> None:
    caplog.set_level(logging.DEBUG)
    coordinator = as_role(*COORDINATOR)
    for _ in range(2):
        replay = coordinator.post("/api/v1/customers", json=walk_in(), headers={"Idempotency-Key": "walk-in-1"})
        assert replay.status_code == 201
    assert replay.headers.get("Idempotent-Replayed") == "true"
    assert ADDRESS not in replay.get_data(as_text=True) and "13900001111" not in replay.get_data(as_text=True)
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "LSVWALK0000000001" in logged  # the filing was logged, by its car
    assert ADDRESS not in logged and "世纪大道" not in logged and "13900001111" not in logged


def test_bad_walk_in_filings_are_422_naming_the_field(as_role, walk_in) -> None:
    coordinator = as_role(*COORDINATOR)
    cases = [({"phone": "12345"}, "phone"), ({"address": ""}, "address"), ({"name": ""}, "name"),
             ({"vehicle": {"vin": "SHORT"}}, "vehicle.vin"),
             ({"vehicle": {"vin": "LSVWALKO000000001"}}, "vehicle.vin"),  # an O is never in a VIN
             ({"vehicle": {"plate": "ABC"}}, "vehicle.plate"),
             ({"vehicle": {"mileage_km": -1}}, "vehicle.mileage_km"),
             ({"vehicle": {"mileage_km": "5"}}, "vehicle.mileage_km")]
    for fields, field in cases:
        response = coordinator.post("/api/v1/customers", json=walk_in(**fields))
        assert response.status_code == 422 and field in response.get_json()["errors"], (fields, response.get_json())
        assert response.mimetype == "application/problem+json"
    missing = {key: value for key, value in walk_in().items() if key != "address"}
    assert "address" in coordinator.post("/api/v1/customers", json=missing).get_json()["errors"]
    assert as_role("consultant", "c1").post("/api/v1/customers", json=walk_in()).status_code == 403


def test_a_paper_file_keyed_in_late_is_filed_on_its_own_day(as_role, walk_in) -> None:
    filed = datetime.now(BEIJING) - timedelta(days=40)
    created = as_role(*COORDINATOR).post("/api/v1/customers", json=walk_in(occurred_at=filed.isoformat()))
    [car] = created.get_json()["vehicles"]
    # Due 6 months after the day it was filed at 42,000 km: not after today.
    assert car["delivered_on"] == filed.date().isoformat()
    assert car["next_due_on"] == add_months(filed.date(), 6).isoformat()
    reminders = as_role(*COORDINATOR).get("/api/v1/reminders", query_string={
        "vin": "LSVWALK0000000001", "to": "2100-01-01"}).get_json()["items"]
    assert [r["next_due_km"] for r in reminders] == [47000]

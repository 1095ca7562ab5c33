"""Each car's maintenance plan (保养计划): months and km, whichever first; the reminder follows the projection."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from after_sales.domain import add_months
from contracts import contract_errors

BEIJING = timezone(timedelta(hours=8))
VIN = "LSVAU2182N2183290"


def today() -> date:
    return datetime.now(BEIJING).date()


def at_ten(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 10, 0, tzinfo=BEIJING)


def plan(caller, months, km, vin: str = VIN):
    return caller.put(f"/api/v1/vehicles/{vin}/maintenance-plan", json={"interval_months": months, "interval_km": km})


def car_of(caller) -> dict:
    return caller.get("/api/v1/customers", query_string={"vin": VIN}).get_json()["items"][0]["vehicles"][0]


def test_a_cars_own_plan_replaces_the_store_default_for_its_first_service(as_role, deliver, outbox) -> None:
    delivered_on = today() - timedelta(days=20)
    deliver(delivered_at=at_ten(delivered_on))
    coordinator = as_role("after_sales", "a1")
    # The store's first service (首保): 6 months or 5,000 km after delivery (0 km).
    assert (car_of(coordinator)["next_due_on"], car_of(coordinator)["next_due_km"]) == (
        add_months(delivered_on, 6).isoformat(), 5000)
    response = plan(coordinator, 3, 3000)
    assert response.status_code == 200, response.get_json()
    car = response.get_json()
    assert (car["interval_months"], car["interval_km"]) == (3, 3000)
    assert (car["next_due_on"], car["next_due_km"]) == (add_months(delivered_on, 3).isoformat(), 0 + 3000)
    [event] = [e for e in outbox() if e["type"] == "dealer.after_sales.maintenance_plan.set.v1"]
    assert event["data"] == {"vin": VIN, "interval_months": 3, "interval_km": 3000,
                             "next_due_on": add_months(delivered_on, 3).isoformat(), "next_due_km": 3000}
    assert contract_errors(event) == []


def test_a_service_record_sets_the_next_due_by_the_cars_plan(as_role, deliver) -> None:
    deliver(delivered_at=at_ten(today() - timedelta(days=200)))
    coordinator = as_role("after_sales", "a1")
    assert plan(coordinator, 4, 8000).status_code == 200
    serviced_on = today() - timedelta(days=5)
    record = coordinator.post("/api/v1/service-records", json={
        "vin": VIN, "service_date": serviced_on.isoformat(), "mileage_km": 6000, "items": ["oil"], "cost": "400.00"})
    assert record.status_code == 201, record.get_json()
    # 4 months after the service, or at 6,000 + 8,000 = 14,000 km.
    assert (record.get_json()["next_due_on"], record.get_json()["next_due_km"]) == (
        add_months(serviced_on, 4).isoformat(), 14000)


def test_the_reminder_comes_when_the_projected_mileage_reaches_the_due_km_if_that_is_earlier(as_role,
                                                                                            deliver) -> None:
    deliver(delivered_at=at_ten(today() - timedelta(days=40)))  # a new car: 0 km on delivery
    coordinator = as_role("after_sales", "a1")
    serviced_on = today() - timedelta(days=20)
    assert coordinator.post("/api/v1/service-records", json={
        "vin": VIN, "service_date": serviced_on.isoformat(), "mileage_km": 4000, "items": ["first service"],
        "cost": "0.00"}).status_code == 201
    # 4,000 km in the 20 days since delivery: 200 km a day. Due at 4,000 + 5,000 = 9,000 km, reached
    # 5,000 / 200 = 25 days after the service: 5 days from today, long before the 6 months.
    assert coordinator.get("/api/v1/reminders", query_string={"within_days": 4}).get_json()["items"] == []
    [due] = coordinator.get("/api/v1/reminders", query_string={"within_days": 5}).get_json()["items"]
    assert due["remind_on"] == (serviced_on + timedelta(days=25)).isoformat()
    assert due["remind_on"] == (today() + timedelta(days=5)).isoformat()
    assert (due["next_due_on"], due["next_due_km"]) == (add_months(serviced_on, 6).isoformat(), 9000)
    assert due["due_by"] == "projected_mileage" and due["days_overdue"] == -5


def test_a_plan_a_workshop_could_not_follow_is_422_naming_the_field(as_role, deliver) -> None:
    deliver()
    coordinator = as_role("after_sales", "a1")
    for months, km, field in ((0, 5000, "interval_months"), (37, 5000, "interval_months"),
                              (6, 999, "interval_km"), (6, 100001, "interval_km"), ("6", 5000, "interval_months"),
                              (6, None, "interval_km")):
        response = plan(coordinator, months, km)
        assert response.status_code == 422 and field in response.get_json()["errors"], (months, km)
    assert plan(coordinator, 6, 5000, vin="LSVTEST0000000404").status_code == 404
    assert plan(as_role("consultant", "c1"), 6, 5000).status_code == 403

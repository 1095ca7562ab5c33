"""Maintenance (保养): service records set the next due date; reminders list what is due."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from after_sales.domain import add_months
from contracts import contract_errors

BEIJING = timezone(timedelta(hours=8))
VIN = "LSVAU2182N2183290"


def vin_for(number: int) -> str:
    return f"LSVTEST{number:010d}"


def today() -> date:
    return datetime.now(BEIJING).date()


def at_ten(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 10, 0, tzinfo=BEIJING)


def reminders(caller, **params) -> list[dict]:
    response = caller.get("/api/v1/reminders", query_string=params)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["items"]


def service(caller, vin: str = VIN, **fields):
    body = {"vin": vin, "mileage_km": 4800, "items": ["oil change", "oil filter"], "cost": "680.00", **fields}
    return caller.post("/api/v1/service-records", json=body)


def test_a_car_delivered_six_months_ago_without_service_is_due_until_a_service_is_recorded(as_role, deliver) -> None:
    delivered_on = add_months(today(), -6)
    deliver(delivered_at=at_ten(delivered_on))
    caller = as_role("after_sales", "a1")
    [due] = reminders(caller)
    due_on = add_months(delivered_on, 6)  # today, or a day or two before at the end of a month
    assert due["vin"] == VIN and due["next_due_on"] == due_on.isoformat()
    assert due["days_overdue"] == (today() - due_on).days
    assert due["phone"] == "13812345678" and due["due_by"] == "date"
    assert service(caller).status_code == 201
    assert reminders(caller) == []


def test_a_service_record_sets_the_next_due_six_months_or_5000_km_later(as_role, deliver, outbox) -> None:
    deliver(delivered_at=at_ten(today() - timedelta(days=200)))
    caller = as_role("after_sales", "a1")
    serviced_on = today() - timedelta(days=10)
    response = service(caller, service_date=serviced_on.isoformat(), mileage_km=5200)
    assert response.status_code == 201, response.get_json()
    record = response.get_json()
    assert record["next_due_on"] == add_months(serviced_on, 6).isoformat() and record["next_due_km"] == 10200
    assert record["cost"] == "680.00" and record["items"] == ["oil change", "oil filter"]
    customer = caller.get("/api/v1/customers", query_string={"vin": VIN}).get_json()["items"][0]
    detail = caller.get(f"/api/v1/customers/{customer['id']}").get_json()
    [car] = detail["vehicles"]
    assert (car["next_due_on"], car["next_due_km"], car["last_mileage_km"]) == (record["next_due_on"], 10200, 5200)
    assert [s["id"] for s in car["services"]] == [record["id"]]
    recorded = [e for e in outbox() if e["type"] == "dealer.after_sales.service.recorded.v1"]
    assert len(recorded) == 1 and contract_errors(recorded[0]) == []
    assert recorded[0]["data"]["next_due_on"] == record["next_due_on"]


def test_reminders_list_the_oldest_due_first_within_the_window(as_role, deliver) -> None:
    deliver(phone="13800000001", vin=vin_for(1), delivered_at=at_ten(add_months(today(), -6) + timedelta(days=20)))
    deliver(phone="13800000002", vin=vin_for(2), delivered_at=at_ten(add_months(today(), -7)))
    deliver(phone="13800000003", vin=vin_for(3), delivered_at=at_ten(add_months(today(), -6) + timedelta(days=5)))
    deliver(phone="13800000004", vin=vin_for(4), delivered_at=at_ten(today()))
    caller = as_role("ops", "o1")
    assert [r["vin"] for r in reminders(caller)] == [vin_for(2), vin_for(3), vin_for(1)]
    assert [r["vin"] for r in reminders(caller, within_days=7)] == [vin_for(2), vin_for(3)]
    assert [r["vin"] for r in reminders(caller, within_days=0)] == [vin_for(2)]
    window = {"from": today().isoformat(), "to": (today() + timedelta(days=10)).isoformat()}
    assert [r["vin"] for r in reminders(caller, **window)] == [vin_for(3)]
    assert reminders(caller)[0]["phone"] == "138****0002"  # ops sees phones masked


def test_a_mileage_reading_past_the_due_km_makes_the_service_due_before_its_date(as_role, deliver) -> None:
    deliver(delivered_at=at_ten(today() - timedelta(days=30)))
    caller = as_role("after_sales", "a1")
    assert reminders(caller, within_days=0) == []
    claim = caller.post("/api/v1/warranty-claims", json={"kind": "insurance", "vin": VIN, "mileage_km": 5300,
                                                          "description": "scratched bumper"})
    assert claim.status_code == 201, claim.get_json()
    [due] = reminders(caller, within_days=0)
    assert due["due_by"] == "mileage" and due["last_mileage_km"] == 5300


def test_reminder_windows_that_make_no_sense_are_422(as_role) -> None:
    caller = as_role("after_sales", "a1")
    for params, field in (({"within_days": -1}, "within_days"), ({"to": "2025-01-01", "within_days": 3}, "within_days"),
                          ({"from": "2025-02-01", "to": "2025-01-01"}, "to"), ({"to": "yesterday"}, "to")):
        response = caller.get("/api/v1/reminders", query_string=params)
        assert response.status_code == 422 and field in response.get_json()["errors"], params


def test_a_service_record_that_does_not_fit_the_cars_history_is_422_naming_the_field(as_role, deliver) -> None:
    deliver(delivered_at=at_ten(today() - timedelta(days=100)))
    caller = as_role("after_sales", "a1")
    assert service(caller, service_date=(today() - timedelta(days=5)).isoformat(), mileage_km=3000).status_code == 201
    cases = [({"vin": vin_for(9)}, "vin"),
             ({"service_date": (today() + timedelta(days=1)).isoformat()}, "service_date"),
             ({"service_date": (today() - timedelta(days=101)).isoformat()}, "service_date"),
             ({"service_date": (today() - timedelta(days=6)).isoformat()}, "service_date"),
             ({"mileage_km": 2999}, "mileage_km"), ({"mileage_km": -1}, "mileage_km"),
             ({"cost": 680.0}, "cost"), ({"cost": "-1.00"}, "cost"), ({"items": []}, "items"),
             ({"mileage_km": "5000"}, "mileage_km")]
    for fields, field in cases:
        response = service(caller, **fields)
        assert response.status_code == 422 and field in response.get_json()["errors"], (fields, response.get_json())


def test_service_spending_raises_the_customers_grade(as_role, deliver, outbox) -> None:
    deliver(price="145000.00", delivered_at=at_ten(today() - timedelta(days=60)))
    caller = as_role("sales_manager", "m1")
    assert caller.get("/api/v1/customers").get_json()["items"][0]["grade"] == "other"
    assert service(caller, cost="5000.00").status_code == 201
    customer = caller.get("/api/v1/customers").get_json()["items"][0]
    assert (customer["grade"], customer["total_spent"]) == ("second", "150000.00")
    recorded = [e for e in outbox() if e["type"] == "dealer.after_sales.service.recorded.v1"]
    assert recorded[0]["data"]["grade"] == "second"


def test_first_service_terms_follow_the_stores_configuration(as_role, deliver, monkeypatch) -> None:
    monkeypatch.setenv("AFTER_SALES_FIRST_SERVICE_MONTHS", "3")
    monkeypatch.setenv("AFTER_SALES_FIRST_SERVICE_KM", "3000")
    deliver(delivered_at=at_ten(date(2025, 1, 10)))
    [car] = as_role("after_sales", "a1").get("/api/v1/customers").get_json()["items"][0]["vehicles"]
    assert (car["next_due_on"], car["next_due_km"]) == ("2025-04-10", 3000)


def test_only_after_sales_and_managers_record_services_and_consultants_do_not_see_reminders(as_role, deliver) -> None:
    deliver(delivered_at=at_ten(today() - timedelta(days=10)))
    assert service(as_role("ops", "o1")).status_code == 403
    assert service(as_role("consultant", "c1")).status_code == 403
    assert as_role("consultant", "c1").get("/api/v1/reminders").status_code == 403
    assert as_role("ops", "o1").get("/api/v1/service-records", query_string={"vin": VIN}).status_code == 200

"""The stock desk over HTTP: stock age (库龄) in store days from the first arrival at the group, what leaves
the ageing figures, and the fleet (试驾车, 展车) on lines of its own in ``GET /stock``."""
from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest
from flask import Flask

from contracts import contract_errors

EMPTY = {"0-30": 0, "31-60": 0, "61-90": 0, "over_90": 0}


def days_ago(days: int, now: datetime | None = None) -> str:
    return ((now or datetime.now(UTC)) - timedelta(days=days)).isoformat()


def line(report: dict[str, Any], kind: str, color: str = "white") -> dict[str, Any]:
    [found] = [item for item in report["items"] if (item["kind"], item["color"]) == (kind, color)]
    return found


def test_a_car_in_45_days_ago_and_moved_10_days_ago_is_45_days_old_and_sits_in_31_60(
        receive, clerk, published, monkeypatch: pytest.MonkeyPatch) -> None:
    now = datetime.now(UTC)
    vin = receive(arrived_at=days_ago(45, now))["vin"]
    monkeypatch.setattr("inventory.services.utcnow", lambda: now - timedelta(days=10))  # the move, 10 days back
    assert clerk.post(f"/api/v1/vehicles/{vin}/transfers", json={"to_location": "east"}).status_code == 201
    monkeypatch.undo()
    # 45 days back at the same clock time is 45 store days (Shanghai keeps no summer time); the move resets nothing
    assert clerk.get(f"/api/v1/vehicles/{vin}").get_json()["stock_age_days"] == 45
    east = clerk.get("/api/v1/stock?location=east").get_json()
    assert line(east, "stock")["ageing"] == {**EMPTY, "31-60": 1}
    [moved] = published("inventory.vehicle.transferred")
    assert datetime.fromisoformat(moved["data"]["arrived_at"]) == now - timedelta(days=45)
    assert contract_errors(moved) == []


def test_a_car_transferred_out_leaves_the_stores_figures_and_joins_the_others(receive, clerk) -> None:
    vin = receive(arrived_at=days_ago(70))["vin"]
    receive(arrived_at=days_ago(5))
    clerk.post(f"/api/v1/vehicles/{vin}/transfers", json={"to_location": "east"})
    main = clerk.get("/api/v1/stock?location=main").get_json()
    assert main["totals"]["on_hand"] == 1 and main["totals"]["ageing"] == {**EMPTY, "0-30": 1}  # the 5-day car
    east = clerk.get("/api/v1/stock?location=east").get_json()
    assert east["totals"]["on_hand"] == 1 and east["totals"]["ageing"] == {**EMPTY, "61-90": 1}  # 70 days


def test_a_car_in_at_23_59_yesterday_store_time_is_one_day_old_today(app: Flask, receive) -> None:
    zone = app.extensions["dealer"].settings.timezone
    late = datetime.combine(datetime.now(zone).date() - timedelta(days=1), time(23, 59), tzinfo=zone)
    # yesterday's date to today's is one store day, however few hours have passed since 23:59
    assert receive(arrived_at=late.isoformat())["stock_age_days"] == 1


def test_the_report_bands_cars_by_store_day_not_by_hours_elapsed(app: Flask, receive, clerk) -> None:
    zone = app.extensions["dealer"].settings.timezone
    today = datetime.now(zone).date()
    receive(arrived_at=datetime.combine(today - timedelta(days=30), time(0, 0), tzinfo=zone).isoformat())
    receive(arrived_at=datetime.combine(today - timedelta(days=31), time(23, 59), tzinfo=zone).isoformat(),
            color="black")
    report = clerk.get("/api/v1/stock?kind=stock").get_json()
    # in at midnight 30 store days ago: 30 days, 0-30. In at 23:59 31 store days ago: 31 days, 31-60,
    # though fewer than 31 x 24 hours may have passed since (at 10:00 today: 30 days and 10 hours)
    assert line(report, "stock", "white")["ageing"] == {**EMPTY, "0-30": 1}
    assert line(report, "stock", "black")["ageing"] == {**EMPTY, "31-60": 1}


def test_a_delivered_car_leaves_the_ageing_and_keeps_the_age_it_left_stock_at(
        receive, clerk, place, deliver_event) -> None:
    now = datetime.now(UTC)
    vin = receive(arrived_at=days_ago(100, now), inspect=False)["vin"]
    clerk.post(f"/api/v1/vehicles/{vin}/inspection", json={"passed": True, "occurred_at": days_ago(99, now)})
    place("O-1", placed_at=now - timedelta(days=30))
    deliver_event("orders.order.delivered", "O-1", vin=vin, delivered_at=days_ago(30, now))
    # in 100 days ago, out 30 days ago: 100 - 30 = 70 days in stock, and no longer counting
    assert clerk.get(f"/api/v1/vehicles/{vin}").get_json()["stock_age_days"] == 70
    report = clerk.get("/api/v1/stock").get_json()
    assert report["totals"]["on_hand"] == 0 and report["totals"]["ageing"] == EMPTY
    assert report["totals"]["by_status"]["delivered"] == 1
    assert clerk.get("/api/v1/vehicles?min_age_days=0").get_json()["total"] == 0
    assert clerk.get("/api/v1/vehicles?status=delivered").get_json()["total"] == 1


def test_the_test_drive_and_demo_fleet_are_rows_of_their_own_never_in_the_sale_stock(receive, clerk) -> None:
    receive(arrived_at=days_ago(10))
    receive(arrived_at=days_ago(95))
    receive(kind="test_drive", arrived_at=days_ago(200))
    receive(kind="test_drive", arrived_at=days_ago(20))
    receive(kind="demo", arrived_at=days_ago(40))
    report = clerk.get("/api/v1/stock").get_json()
    assert [item["kind"] for item in report["items"]] == ["stock", "test_drive", "demo"]
    # sale stock: 10 days (0-30) and 95 days (over_90); the three fleet cars are not in it
    assert report["totals"]["on_hand"] == 2 and report["totals"]["ageing"] == {**EMPTY, "0-30": 1, "over_90": 1}
    assert report["by_kind"]["test_drive"]["ageing"] == {**EMPTY, "0-30": 1, "over_90": 1}  # 20 and 200 days
    assert line(report, "demo")["ageing"] == {**EMPTY, "31-60": 1}  # 40 days
    only_demo = clerk.get("/api/v1/stock?kind=demo").get_json()
    assert only_demo["kind"] == "demo" and only_demo["totals"]["on_hand"] == 1 and len(only_demo["items"]) == 1


def test_the_report_says_the_store_day_it_counts_ages_to(app: Flask, clerk) -> None:
    zone = app.extensions["dealer"].settings.timezone
    report = clerk.get("/api/v1/stock").get_json()
    assert report["as_of_date"] == datetime.now(zone).date().isoformat() and report["kind"] == "all"


@pytest.mark.parametrize("query, field", [("kind=rental", "kind"), ("format=xlsx", "format"),
                                          ("location=" + "x" * 101, "location"), ("location=%00", "location")])
def test_a_bad_stock_filter_is_a_problem_naming_the_field(clerk, query: str, field: str) -> None:
    response = clerk.get(f"/api/v1/stock?{query}")
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    assert list(response.get_json()["errors"]) == [field]

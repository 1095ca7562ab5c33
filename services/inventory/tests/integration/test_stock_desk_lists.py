"""The stock desk's lists over HTTP: ``GET /vehicles`` by stock age, arrival and the rest, bad filters as
problems naming the field, and both lists as CSV downloads that no spreadsheet runs as formulas."""
from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask

from inventory.schemas import MAX_AGE_DAYS


def days_ago(days: int, now: datetime) -> str:
    return (now - timedelta(days=days)).isoformat()


@pytest.fixture
def yard(receive) -> dict[int, str]:
    """Four white stock Auroras in 10, 40, 75 and 120 days ago, at this clock time: VIN by age in days."""
    now = datetime.now(UTC)
    return {days: receive(arrived_at=days_ago(days, now))["vin"] for days in (10, 40, 75, 120)}


def vins(clerk, query: str) -> list[str]:
    answer = clerk.get(f"/api/v1/vehicles?{query}")
    assert answer.status_code == 200, answer.get_json()
    return [car["vin"] for car in answer.get_json()["items"]]


def rows_of(response) -> list[list[str]]:
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


def test_min_age_days_keeps_the_cars_at_least_that_old_oldest_first(yard, clerk) -> None:
    assert vins(clerk, "min_age_days=40") == [yard[120], yard[75], yard[40]]  # 40 itself is in


def test_max_age_days_keeps_the_cars_at_most_that_old(yard, clerk) -> None:
    assert vins(clerk, "max_age_days=40") == [yard[40], yard[10]]


def test_an_age_band_31_to_60_finds_the_40_day_car(yard, clerk) -> None:
    assert vins(clerk, "min_age_days=31&max_age_days=60") == [yard[40]]
    assert vins(clerk, "min_age_days=91") == [yard[120]]  # the over-90 band


def test_arrival_dates_are_store_dates_with_both_ends_included(app: Flask, yard, clerk) -> None:
    zone = app.extensions["dealer"].settings.timezone
    today = datetime.now(zone).date()
    first, last = today - timedelta(days=75), today - timedelta(days=40)
    assert vins(clerk, f"arrived_from={first}&arrived_to={last}") == [yard[75], yard[40]]
    assert vins(clerk, f"arrived_to={today - timedelta(days=121)}") == []


def test_status_kind_model_trim_and_colour_filters_each_narrow_the_list(receive, clerk) -> None:
    pending = receive(inspect=False)["vin"]
    fleet = receive(kind="test_drive")["vin"]
    demo = receive(kind="demo", model="Borealis", trim="1.5T", color="red")["vin"]
    assert vins(clerk, "status=pending_inspection") == [pending]
    assert vins(clerk, "kind=test_drive") == [fleet]
    assert vins(clerk, "kind=demo") == vins(clerk, "model=Borealis") == vins(clerk, "trim=1.5T") == [demo]
    assert vins(clerk, "color=red&min_age_days=0") == [demo]
    assert vins(clerk, "kind=stock&status=available") == []


@pytest.mark.parametrize("query, field", [
    ("min_age_days=-1", "min_age_days"),
    ("max_age_days=-30", "max_age_days"),
    ("min_age_days=ten", "min_age_days"),
    (f"max_age_days={MAX_AGE_DAYS + 1}", "max_age_days"),
    ("min_age_days=61&max_age_days=30", "max_age_days"),
    ("arrived_from=2026-11-30&arrived_to=2026-11-01", "arrived_to"),
    ("arrived_from=2026-13-01", "arrived_from"),
    ("arrived_from=0001-01-01", "arrived_from"),
    ("arrived_to=9999-12-31", "arrived_to"),
    ("status=sold", "status"),
    ("kind=rental", "kind"),
    ("format=xlsx", "format"),
    ("model=%00", "model"),  # PostgreSQL refuses a NUL: it must be a 422, not a 500
    ("format=csv&color=a%0Db", "color"),
])
def test_a_bad_vehicle_filter_is_a_422_problem_naming_the_field(clerk, query: str, field: str) -> None:
    response = clerk.get(f"/api/v1/vehicles?{query}")
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    assert list(response.get_json()["errors"]) == [field]


def test_the_vehicle_csv_has_every_matching_car_whatever_the_page(yard, clerk) -> None:
    header, *rows = rows_of(clerk.get("/api/v1/vehicles?format=csv&min_age_days=40&page_size=1"))
    assert header == ["vin", "model", "trim", "color", "kind", "model_class", "status", "location", "arrived_on",
                      "stock_age_days", "msrp", "cost", "reserved_for_order_id", "delivered_on", "key_holder"]
    assert [(row[0], row[9]) for row in rows] == [(yard[120], "120"), (yard[75], "75"), (yard[40], "40")]
    assert rows[0][10:12] == ["199900.00", "171000.00"] and rows[0][6] == "available"


def test_formula_like_text_in_the_csv_is_quoted_so_no_spreadsheet_runs_it(receive, clerk) -> None:
    receive(color='=HYPERLINK("http://x.example","w")', model="@Aurora")
    [_, car] = rows_of(clerk.get("/api/v1/vehicles?format=csv"))
    assert car[1] == "'@Aurora" and car[3] == '\'=HYPERLINK("http://x.example","w")'
    header, stock_line, total = rows_of(clerk.get("/api/v1/stock?format=csv&kind=stock"))
    assert stock_line[:4] == ["stock", "'@Aurora", "2.0T Luxury", '\'=HYPERLINK("http://x.example","w")']


def test_the_stock_csv_has_a_row_per_line_and_a_total_per_kind(receive, clerk) -> None:
    now = datetime.now(UTC)
    receive(arrived_at=days_ago(45, now))
    receive(arrived_at=days_ago(95, now))
    receive(kind="test_drive", arrived_at=days_ago(3, now))
    header, *rows = rows_of(clerk.get("/api/v1/stock?format=csv"))
    assert header == ["kind", "model", "trim", "color", "on_hand", "in_transit", "pending_inspection", "available",
                      "on_hold", "reserved", "delivered", "age_0-30", "age_31-60", "age_61-90", "age_over_90"]
    expected: list[list[Any]] = [
        ["stock", "Aurora", "2.0T Luxury", "white", 2, 0, 0, 2, 0, 0, 0, 0, 1, 0, 1],  # 45 and 95 days
        ["test_drive", "Aurora", "2.0T Luxury", "white", 1, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0],  # 3 days
        ["stock", "total", "", "", 2, 0, 0, 2, 0, 0, 0, 0, 1, 0, 1],
        ["test_drive", "total", "", "", 1, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0],
        ["demo", "total", "", "", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    ]
    assert rows == [[str(cell) for cell in row] for row in expected]

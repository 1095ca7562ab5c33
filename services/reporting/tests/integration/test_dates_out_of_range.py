"""Months and dates outside 2000-2100 are 422 naming the parameter, never a 500 (found by generated requests)."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # input checks, not storage


@pytest.mark.parametrize(("url", "field"), [
    ("/api/v1/reports/consultants?month=0000-01", "month"),
    ("/api/v1/reports/consultants?month=9999-12&format=csv", "month"),
    ("/api/v1/reports/sales?period=month&date=0000-12", "date"),
    ("/api/v1/targets/0000-01", "month"),
    ("/api/v1/reports/sales/daily?to=0001-01-01", "to"),
])
def test_a_month_or_day_outside_the_supported_years_is_422_naming_it(as_role, url: str, field: str) -> None:
    response = as_role("sales_manager", "m1").get(url)
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    assert field in response.get_json()["errors"]

"""Text a user typed (a consultant id, a car's model or colour) starting like a formula never runs in a CSV report."""
from __future__ import annotations

from datetime import date

import pytest

DAY = date(2026, 10, 14)
CONSULTANT = "=cmd|' /C calc'!A0"  # the classic DDE payload, as a consultant's user id


@pytest.fixture
def formula_sale(events, consume) -> None:
    """A lead and a delivery by a consultant whose id starts with '=', of an '@...' model in a '-...' colour."""
    lead = events.lead(events.at(DAY), CONSULTANT)
    consume([lead, events.delivered(events.at(DAY, 15), events.new_id(), lead["data"]["lead_id"], CONSULTANT,
                                    model="@SUM(1+1)", color="-2+3", price="189900.00")])


def test_a_consultant_id_starting_with_equals_is_quoted_in_the_consultants_csv(formula_sale, as_role) -> None:
    answer = as_role("sales_manager", "m1").get("/api/v1/reports/consultants?month=2026-10&format=csv")
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    # ... then name (none on the directory), completion's parts (1 unit, no target), units and target per class
    assert answer.get_data(as_text=True).splitlines()[1:] == ["1,'=cmd|' /C calc'!A0,1,0,0,0,1,,,,1,,1,"]


def test_formula_like_model_colour_and_consultant_are_quoted_and_money_stays_a_number_in_the_sales_csv(
        formula_sale, as_role) -> None:
    answer = as_role("sales_manager", "m1").get(f"/api/v1/reports/sales?date={DAY}&format=csv")
    lines = answer.get_data(as_text=True).splitlines()
    assert lines[0] == "dimension,value,units,revenue,share,name"  # name: the consultant's, from the directory
    assert "total,,1,189900.00,1.0," in lines
    assert "model,'@SUM(1+1),1,189900.00,1.0," in lines
    assert "color,'-2+3,1,189900.00,1.0," in lines
    assert "consultant,'=cmd|' /C calc'!A0,1,189900.00,1.0," in lines
    assert not [line for line in lines if line.split(",")[1][:1] in ("=", "+", "-", "@")]

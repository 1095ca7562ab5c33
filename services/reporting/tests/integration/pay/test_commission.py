"""Commission (提成), DOMAIN.md "Groups, targets, scorecards and pay": each unit a member delivers earns CNY 50 when
the group's unit completion is 100% or more, completion × 50 below; for each model class the group reached less
than 90% of, each member loses that class's deduction (200 by default, the month's template sets 100–300); never
below zero. The worked examples below are November 2026 (30 days); every figure is worked out by hand."""
from __future__ import annotations

from datetime import date
from typing import Any

import pytest

NOV = "2026-11"


def d(day: int) -> date:
    return date(2026, 11, day)


@pytest.fixture
def floor(on_staff, clock) -> None:
    """Supervisors s1 (online sales by role) and s2 (a consultant), consultants c1–c3, clerk k1: a supervisor
    (主管) is whoever the group names; a sales manager by role reads every group anyway."""
    on_staff("s1", role="online_sales")
    on_staff("s2", "c1", "c2", "c3")
    on_staff("k1", role="inventory_clerk")
    clock(d(1))


def commissions(as_role: Any, role: str = "sales_manager", sub: str = "m1") -> Any:
    return as_role(role, sub).get(f"/api/v1/commissions?month={NOV}")


def test_a_group_at_100_percent_with_every_class_at_90_percent_or_more_earns_50_a_unit_in_full(
        floor, as_role, consume, deliver, put_group, put_targets, commission_rows) -> None:
    put_group("A", ["c1", "c2"], "s1", d(1))
    # targets: c1 7 (SUV 6), c2 5 (SUV 4): the group's 12 units, SUV 10
    put_targets(NOV, {"c1": (7, {"SUV": 6}), "c2": (5, {"SUV": 4})})
    # c1: 5 SUV + 2 sedan = 7; c2: 4 SUV + 1 sedan = 5; the group 12 of 12 = 100%, SUV 9 of 10 = 90% (not below)
    consume([*(deliver(d(2 + n), "c1", "SUV") for n in range(5)), deliver(d(9), "c1", "sedan"),
             deliver(d(10), "c1", "sedan"), *(deliver(d(11 + n), "c2", "SUV") for n in range(4)),
             deliver(d(16), "c2", "sedan")])
    assert commission_rows(commissions(as_role)) == {
        ("c1", "A"): {"units": 7, "rate_per_unit": "50.00", "gross": "350.00", "deductions": "0.00", "net": "350.00"},
        ("c2", "A"): {"units": 5, "rate_per_unit": "50.00", "gross": "250.00", "deductions": "0.00", "net": "250.00"}}


def test_a_group_at_80_percent_earns_completion_times_50_a_unit(floor, as_role, consume, deliver, put_group,
                                                               put_targets, commission_rows) -> None:
    put_group("A", ["c1", "c2"], "s1", d(1))
    put_targets(NOV, {"c1": (5, {}), "c2": (5, {})})  # 10 units, no class split: no class is checked
    consume([*(deliver(d(3 + n), "c1", "SUV") for n in range(5)), *(deliver(d(3 + n), "c2", "MPV") for n in range(3))])
    # 8 of 10 = 80% -> 0.80 × 50 = CNY 40 a unit: c1 5 × 40 = 200, c2 3 × 40 = 120
    assert commission_rows(commissions(as_role)) == {
        ("c1", "A"): {"units": 5, "rate_per_unit": "40.00", "gross": "200.00", "deductions": "0.00", "net": "200.00"},
        ("c2", "A"): {"units": 3, "rate_per_unit": "40.00", "gross": "120.00", "deductions": "0.00", "net": "120.00"}}


@pytest.fixture
def a_at_120_with_suv_at_85(floor, consume, deliver, put_group, put_targets) -> None:
    """c1 10 (SUV 10), c2 10 (SUV 10), c3 no target: 20 units, SUV 20. c1 delivers 9 SUV + 5 sedan, c2 8 SUV +
    2 sedan, c3 nothing: 24 of 20 = 120%; SUV 17 of 20 = 85%, below 90%; sedan has no target, not checked."""
    put_group("A", ["c1", "c2", "c3"], "s1", d(1))
    put_targets(NOV, {"c1": (10, {"SUV": 10}), "c2": (10, {"SUV": 10})})
    consume([*(deliver(d(1 + n), "c1", "SUV") for n in range(9)),
             *(deliver(d(10 + n), "c1", "sedan") for n in range(5)),
             *(deliver(d(1 + n), "c2", "SUV") for n in range(8)),
             *(deliver(d(20 + n), "c2", "sedan") for n in range(2))])


def test_a_group_at_120_percent_with_one_class_at_85_percent_loses_the_class_deduction_per_member(
        a_at_120_with_suv_at_85, as_role, commission_rows) -> None:
    # 120% is paid as 100%: CNY 50 a unit. SUV short: each member loses 200 (the default). c3: 0 - 200 -> 0, not -200
    assert commission_rows(commissions(as_role)) == {
        ("c1", "A"): {"units": 14, "rate_per_unit": "50.00", "gross": "700.00", "deductions": "200.00",
                      "net": "500.00"},
        ("c2", "A"): {"units": 10, "rate_per_unit": "50.00", "gross": "500.00", "deductions": "200.00",
                      "net": "300.00"},
        ("c3", "A"): {"units": 0, "rate_per_unit": "50.00", "gross": "0.00", "deductions": "200.00", "net": "0.00"}}
    row = commissions(as_role).get_json()["items"][0]
    assert (row["name"], row["group_name"], row["group_completion"], row["classes_below_90"]) == (
        "Staff c1", "Group A", "1.2000", ["SUV"])


def test_the_months_template_sets_each_classs_deduction(a_at_120_with_suv_at_85, as_role, commission_rows) -> None:
    answer = as_role("sales_manager", "m1").put(f"/api/v1/scorecard-template/{NOV}",
                                                json={"class_deductions": {"SUV": "300", "sedan": "100"}})
    assert answer.status_code == 200, answer.get_json()
    # SUV short: 300 each: c1 700 - 300 = 400, c2 500 - 300 = 200; sedan (100) has no target: not taken
    assert {key: row["net"] for key, row in commission_rows(commissions(as_role)).items()} == {
        ("c1", "A"): "400.00", ("c2", "A"): "200.00", ("c3", "A"): "0.00"}


@pytest.fixture
def c2_moves_to_b_on_the_11th(floor, consume, deliver, put_group, put_targets, clock) -> None:
    """A: c1 all month, target 4 (SUV 2); B: c3 all month, target 4 (SUV 2); c2, target 6 (SUV 3), in A on the
    1st–10th (10 days) and in B on the 11th–30th (20 days).

    c1 delivers SUV on the 5th and 12th, sedan on the 20th; c2 SUV on the 3rd and sedan on the 10th (in A), SUV on
    the 11th and 25th and sedan on the 26th (in B); c3 SUV on the 6th, sedan on the 18th and 28th.
    """
    put_group("A", ["c1", "c2"], "s1", d(1))
    put_group("B", ["c3"], "s2", d(1))
    clock(d(11))
    put_group("B", ["c3", "c2"], "s2", d(11))
    clock(d(30))
    put_targets(NOV, {"c1": (4, {"SUV": 2}), "c2": (6, {"SUV": 3}), "c3": (4, {"SUV": 2})})
    consume([deliver(d(5), "c1", "SUV"), deliver(d(12), "c1", "SUV"), deliver(d(20), "c1", "sedan"),
             deliver(d(3), "c2", "SUV"), deliver(d(10), "c2", "sedan"), deliver(d(11), "c2", "SUV"),
             deliver(d(25), "c2", "SUV"), deliver(d(26), "c2", "sedan"),
             deliver(d(6), "c3", "SUV"), deliver(d(18), "c3", "sedan"), deliver(d(28), "c3", "sedan")])


# c2's target split by days: A 6 × 10/30 = 2 (SUV 3 × 10/30 = 1), B 6 × 20/30 = 4 (SUV 2).
# A: target 4 + 2 = 6, SUV 2 + 1 = 3; units c1 3 + c2 2 = 5 -> 5/6, CNY 50 × 5/6 = 41.666.. a unit; SUV c1 2 + c2 1
#    = 3 of 3. c1 3 × 41.666.. = 125.00; c2 2 × 41.666.. = 83.333.. -> 83.33.
# B: target 4 + 4 = 8, SUV 2 + 2 = 4; units c2 3 + c3 3 = 6 -> 6/8 = 75%, CNY 37.50 a unit; SUV c2 2 + c3 1 = 3 of 4
#    = 75% < 90%: 200 off each. c2 3 × 37.50 = 112.50 - 200 -> 0.00; c3 the same. Each row floored on its own.
MOVED = {
    ("c1", "A"): {"units": 3, "rate_per_unit": "41.67", "gross": "125.00", "deductions": "0.00", "net": "125.00"},
    ("c2", "A"): {"units": 2, "rate_per_unit": "41.67", "gross": "83.33", "deductions": "0.00", "net": "83.33"},
    ("c2", "B"): {"units": 3, "rate_per_unit": "37.50", "gross": "112.50", "deductions": "200.00", "net": "0.00"},
    ("c3", "B"): {"units": 3, "rate_per_unit": "37.50", "gross": "112.50", "deductions": "200.00", "net": "0.00"}}


def test_a_consultant_who_moved_mid_month_is_paid_per_group_on_a_target_split_by_days(c2_moves_to_b_on_the_11th,
                                                                                     as_role, commission_rows) -> None:
    assert commission_rows(commissions(as_role)) == MOVED


def test_a_manager_reads_every_row_a_supervisor_their_groups_a_consultant_their_own(c2_moves_to_b_on_the_11th,
                                                                                   as_role, commission_rows) -> None:
    assert set(commission_rows(commissions(as_role, "online_sales", "s1"))) == {("c1", "A"), ("c2", "A")}  # A's
    assert set(commission_rows(commissions(as_role, "consultant", "s2"))) == {("c2", "B"), ("c3", "B")}  # B's
    assert commission_rows(commissions(as_role, "consultant", "c2")) == {k: v for k, v in MOVED.items() if k[0] == "c2"}
    assert commission_rows(commissions(as_role, "consultant", "c9")) == {}  # sells in no group: nothing of anyone's
    for role, sub in (("inventory_clerk", "k1"), ("ops", "o1"), ("back_office", "b1"), ("after_sales", "a1")):
        assert commission_rows(commissions(as_role, role, sub)) == {}, role  # supervise none, sell in none


def test_commission_as_csv_for_payroll_has_one_row_per_consultant_and_group(c2_moves_to_b_on_the_11th,
                                                                          as_role) -> None:
    answer = as_role("sales_manager", "m1").get(f"/api/v1/commissions?month={NOV}&format=csv")
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    assert answer.get_data(as_text=True).splitlines() == [
        "consultant_id,name,group_id,units,rate_per_unit,gross,deductions,net",
        "c1,Staff c1,A,3,41.67,125.00,0.00,125.00", "c2,Staff c2,A,2,41.67,83.33,0.00,83.33",
        "c2,Staff c2,B,3,37.50,112.50,200.00,0.00", "c3,Staff c3,B,3,37.50,112.50,200.00,0.00"]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # input checks, not storage
def test_a_bad_month_or_deduction_is_422_naming_the_field(floor, as_role) -> None:
    manager = as_role("sales_manager", "m1")
    for path, field in (("/api/v1/commissions?month=2026-13", "month"), ("/api/v1/commissions?month=nov", "month"),
                        ("/api/v1/commissions?format=xls", "format")):
        answer = manager.get(path)
        assert answer.status_code == 422 and field in answer.get_json()["errors"], (path, answer.get_json())
    for body, field in (({"class_deductions": {"SUV": "350"}}, "class_deductions"),
                        ({"class_deductions": {"SUV": "99.99"}}, "class_deductions"),
                        ({"class_deductions": {"truck": "200"}}, "class_deductions")):
        answer = manager.put(f"/api/v1/scorecard-template/{NOV}", json=body)
        assert answer.status_code == 422 and answer.mimetype == "application/problem+json", body
        assert [key for key in answer.get_json()["errors"] if key.startswith(field)], (body, answer.get_json())

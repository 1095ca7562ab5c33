"""The groups' month (小组) and the weekly progress report (周销售进度), worked out by hand for November 2026.

A: c1 all month (target 4, SUV 2) and c2 on the 1st–10th; B: c3 all month (target 4, SUV 2) and c2 from the 11th;
c2's target 6 (SUV 3) is split by days: A 6 × 10/30 = 2, B 6 × 20/30 = 4. c4 (target 2) is in no group.
A's target 4 + 2 = 6, B's 4 + 4 = 8, the store's 4 + 6 + 4 + 2 = 16.

Deliveries: c1 on the 5th and 12th (SUV) and 20th (sedan); c2 on the 3rd and 10th (in A), the 11th, 25th and
26th (in B); c3 on the 13th, 18th and 28th; c4 on the 12th. The week 2026-W46 is Monday 9 – Sunday 15 November,
W45 the 2nd–8th. c1 takes two calls from new phones on the 3rd and files one, and one on the 10th, filed.
"""
from __future__ import annotations

from datetime import date
from typing import Any

import pytest


def d(day: int) -> date:
    return date(2026, 11, day)


def phoned(envelope: dict[str, Any], phone: str) -> dict[str, Any]:
    envelope["data"]["phone_masked"] = phone
    return envelope


@pytest.fixture
def november(on_staff, clock, put_group, put_targets, consume, events, deliver) -> None:
    on_staff("s1", role="online_sales")
    on_staff("s2", "c1", "c2", "c3", "c4")
    clock(d(1))
    put_group("A", ["c1", "c2"], "s1", d(1))
    put_group("B", ["c3"], "s2", d(1))
    clock(d(11))
    put_group("B", ["c3", "c2"], "s2", d(11))
    clock(d(30))
    put_targets("2026-11", {"c1": (4, {"SUV": 2}), "c2": (6, {"SUV": 3}), "c3": (4, {"SUV": 2}), "c4": (2, {})})
    e, at = events, events.at
    calls = [phoned(e.inquiry(at(d(day), 9, n), "phone", "c1"), f"139****001{n}") for day, n in ((3, 1), (3, 2),
                                                                                                (10, 3))]
    leads = [phoned(e.lead(at(d(day), 10), "c1", "phone_in", (calls[n - 1]["data"]["inquiry_id"],), f"L{n}"),
                    f"139****001{n}") for day, n in ((3, 1), (10, 3))]
    consume([*calls, *leads,
             deliver(d(5), "c1", "SUV"), deliver(d(12), "c1", "SUV"), deliver(d(20), "c1", "sedan"),
             deliver(d(3), "c2", "SUV"), deliver(d(10), "c2", "sedan"), deliver(d(11), "c2", "SUV"),
             deliver(d(25), "c2", "SUV"), deliver(d(26), "c2", "sedan"),
             deliver(d(13), "c3", "SUV"), deliver(d(18), "c3", "sedan"), deliver(d(28), "c3", "sedan"),
             deliver(d(12), "c4", "sedan")])


def test_the_groups_report_gives_units_against_target_rates_and_a_leaderboard_per_group(november, as_role) -> None:
    answer = as_role("back_office", "b1").get("/api/v1/reports/groups?month=2026-11")
    assert answer.status_code == 200, answer.get_json()
    a, b = answer.get_json()["items"]
    # A: c1 3 + c2 2 = 5 of 6 = 0.8333; B: c2 3 + c3 3 = 6 of 8 = 0.75
    assert (a["group_id"], a["supervisor"], a["units"], a["target"], a["completion"]) == (
        "A", {"staff_id": "s1", "name": "Staff s1"}, 5, "6.00", "0.8333")
    assert (b["group_id"], b["units"], b["target"], b["completion"]) == ("B", 6, "8.00", "0.7500")
    # c1 3 of 4 = 0.75 ranks above c2's 2 of 2 = 1.0 (most units first); in B c2 and c3 tie (3 of 4): by id
    assert [(r["rank"], r["consultant_id"], r["name"], r["units"], r["target"], r["completion"])
            for r in a["consultants"]] == [(1, "c1", "Staff c1", 3, "4.00", "0.7500"),
                                           (2, "c2", "Staff c2", 2, "2.00", "1.0000")]
    assert [(r["consultant_id"], r["units"], r["target"]) for r in b["consultants"]] == [("c2", 3, "4.00"),
                                                                                         ("c3", 3, "4.00")]
    assert sorted(a["rates"]) == sorted(a["rate_details"]) == sorted(
        ["filing_rate", "appointment_arrival_rate", "return_visit_rate", "test_drive_rate", "conversion_30d"])
    # 建卡率: 3 new callers, 2 filed (all c1's, in A all month); B's nobody's: 0 of 0
    assert (a["rate_details"]["filing_rate"], a["rates"]["filing_rate"]) == ({"numerator": 2, "denominator": 3},
                                                                             0.6667)
    assert b["rate_details"]["filing_rate"] == {"numerator": 0, "denominator": 0}
    assert a["rate_details"]["appointment_arrival_rate"] == {"numerator": 0, "denominator": 0}


def test_a_supervisor_reads_only_their_groups_and_a_consultant_an_empty_report(november, as_role) -> None:
    mine = as_role("consultant", "s2").get("/api/v1/reports/groups?month=2026-11").get_json()["items"]
    assert [row["group_id"] for row in mine] == ["B"]
    weekly = as_role("consultant", "s2").get("/api/v1/reports/weekly?week=2026-W46").get_json()
    assert [row["group_id"] for row in weekly["groups"]] == ["B"] and weekly["store"]["units"] == 5
    # c1 supervises no group: the lists come back empty, and the store's row is not theirs to read
    assert as_role("consultant", "c1").get("/api/v1/reports/groups?month=2026-11").get_json()["items"] == []
    theirs = as_role("consultant", "c1").get("/api/v1/reports/weekly?week=2026-W46").get_json()
    assert theirs["groups"] == [] and theirs["store"] is None


def weekly_of(as_role: Any, week: str = "2026-W46") -> dict[str, Any]:
    answer = as_role("sales_manager", "m1").get(f"/api/v1/reports/weekly?week={week}")
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()


def test_the_weekly_report_sets_units_against_the_months_target_to_date_and_the_change_from_last_week(
        november, as_role) -> None:
    report = weekly_of(as_role)
    assert (report["from"], report["to"], report["month"]) == ("2026-11-09", "2026-11-15", "2026-11")
    rows = {row["group_id"]: row for row in report["groups"]}

    def figures(row: dict[str, Any]) -> tuple[Any, ...]:
        return (row["units"], row["units_month_to_date"], row["month_target"], row["target_to_date"],
                row["change"]["units"])
    # W46: A c2 10th + c1 12th = 2, B c2 11th + c3 13th = 2, the store those and c4's = 5; W45: A 3rd, 5th = 2,
    # B 0, store 2. Month to the 15th: A 3rd, 5th, 10th, 12th = 4; B 2; store 4 + 2 + 1 = 7.
    # Target to date, 15 of 30 days: A 6 × 15/30 = 3.00, B 8 × 15/30 = 4.00, store 16 × 15/30 = 8.00
    assert figures(rows["A"]) == (2, 4, "6.00", "3.00", 0)
    assert figures(rows["B"]) == (2, 2, "8.00", "4.00", 2)
    assert figures(report["store"]) == (5, 7, "16.00", "8.00", 3)
    # 建卡率: W46 1 of 1 = 100%, W45 1 of 2 = 50%: +50.00 points for A and the store; B 0 of 0 both weeks
    assert rows["A"]["funnel"]["rate_details"]["filing_rate"] == {"numerator": 1, "denominator": 1}
    assert (rows["A"]["funnel"]["inquiries"], rows["A"]["funnel"]["leads"]) == (1, 1)
    assert rows["A"]["change"]["rates_pp"]["filing_rate"] == "50.00"
    assert report["store"]["change"]["rates_pp"]["filing_rate"] == "50.00"
    assert rows["B"]["change"]["rates_pp"] == dict.fromkeys(rows["B"]["change"]["rates_pp"], "0.00")


def test_the_supervisor_writes_next_weeks_plan_on_the_weeks_report(november, as_role) -> None:
    supervisor = as_role("online_sales", "s1")
    assert supervisor.put("/api/v1/weekly-plans/2026-W46/A", json={"plan": "Draft"}).status_code == 200
    written = supervisor.put("/api/v1/weekly-plans/2026-W46/A", json={"plan": "Invite W45's open calls back"})
    assert written.status_code == 200 and written.get_json()["written_by"] == "s1"
    rows = {row["group_id"]: row["plan"] for row in weekly_of(as_role)["groups"]}
    assert rows == {"A": "Invite W45's open calls back", "B": None}  # the second writing replaced the first
    assert weekly_of(as_role, "2026-W47")["groups"][0]["plan"] is None  # a plan shows on its own week only
    for role, sub, path, status in (("consultant", "s2", "2026-W46/A", 403), ("consultant", "c1", "2026-W46/A", 403),
                                    ("sales_manager", "m1", "2026-W46/Z", 404)):
        answer = as_role(role, sub).put(f"/api/v1/weekly-plans/{path}", json={"plan": "x"})
        assert answer.status_code == status and answer.mimetype == "application/problem+json", (role, path)
    assert as_role("consultant", "s2").put("/api/v1/weekly-plans/2026-W46/B", json={"plan": "x"}).status_code == 200


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # input checks, not storage
def test_a_bad_week_month_or_plan_is_422_naming_the_field(november, as_role) -> None:
    manager = as_role("sales_manager", "m1")
    for path, field in (("/api/v1/reports/weekly?week=2026-W54", "week"), ("/api/v1/reports/weekly?week=2026-48",
                                                                           "week"),
                        ("/api/v1/reports/groups?month=2026-00", "month")):
        answer = manager.get(path)
        assert answer.status_code == 422 and field in answer.get_json()["errors"], (path, answer.get_json())
    for path, body, field in (("2026-W99/A", {"plan": "x"}, "week"), ("2026-W46/A", {"plan": ""}, "plan"),
                              ("2026-W46/A", {}, "plan")):
        answer = manager.put(f"/api/v1/weekly-plans/{path}", json=body)
        assert answer.status_code == 422 and field in answer.get_json()["errors"], (path, answer.get_json())


def test_the_weekly_and_groups_reports_as_csv(november, as_role) -> None:
    manager = as_role("sales_manager", "m1")
    weekly = manager.get("/api/v1/reports/weekly?week=2026-W46&format=csv").get_data(as_text=True).splitlines()
    assert weekly[0].startswith("group_id,units,units_month_to_date,target_to_date,change_units,filing_rate,")
    assert [row.split(",")[:5] for row in weekly[1:]] == [["A", "2", "4", "3.00", "0"], ["B", "2", "2", "4.00", "2"],
                                                           ["store", "5", "7", "8.00", "3"]]
    groups = manager.get("/api/v1/reports/groups?month=2026-11&format=csv").get_data(as_text=True).splitlines()
    assert [row.split(",")[:6] for row in groups] == [["group_id", "name", "supervisor_id", "units", "target",
                                                       "completion"], ["A", "Group A", "s1", "5", "6.00", "0.8333"],
                                                      ["B", "Group B", "s2", "6", "8.00", "0.7500"]]

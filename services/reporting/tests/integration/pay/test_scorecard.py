"""The supervisor's scorecard (绩效考核表) of group A for October 2026, every line worked out by hand, then with the
month's template changed (DOMAIN.md's sheet: weights 20/15/10/15/10/10/20%, targets 100/90/23/22/60/13/100%).

The store's today is 20 November 2026 when the card is read: October is over, every working day of it is due,
and every lead filed in it (on 2 October) is past its 30 days. The leads carry phones of their own."""
from __future__ import annotations

from datetime import date, time
from typing import Any

import pytest

from reporting.services import run_requested_rebuilds

OCT = "2026-10"


def o(day: int) -> date:
    return date(2026, 10, day)


def phoned(envelope: dict[str, Any], key: str, phone: str) -> dict[str, Any]:
    """The event with a customer's own (masked) phone: each customer here is someone else."""
    envelope["data"][key] = phone
    return envelope


@pytest.fixture
def october(on_staff, clock, put_group, put_targets, consume, events, deliver) -> None:
    """Group A (c1, c2; supervisor s1, online sales by role), group B (c3; supervisor s2) all October.

    c1, on 2 October, takes four calls from four new phones and files three of them (L1–L3) the same morning;
    books an appointment for L1 (kept by its visit on the 4th, where it test-drives) and four more on L2 and L3
    (never kept); L2 visits on the 3rd, L3 on the 5th, L1 comes back on the 10th and orders that day. Targets:
    c1 4, c2 4; c1 delivers on the 12th–14th, c2 on the 15th–17th. c3 (group B) files a lead of its own.
    """
    on_staff("s1", role="online_sales")
    on_staff("s2", "c1", "c2", "c3")
    clock(o(1))
    put_group("A", ["c1", "c2"], "s1", o(1))
    put_group("B", ["c3"], "s2", o(1))
    put_targets(OCT, {"c1": (4, {}), "c2": (4, {}), "c3": (4, {})})
    e, at = events, events.at
    calls = [phoned(e.inquiry(at(o(2), 9, n), "phone", "c1"), "phone_masked", f"139****000{n}") for n in range(1, 5)]
    leads = [phoned(e.lead(at(o(2), 10, n), "c1", "phone_in", (calls[n - 1]["data"]["inquiry_id"],), f"L{n}"),
                    "phone_masked", f"139****000{n}") for n in range(1, 4)]
    kept = e.appointment("L1", at(o(2), 11), "c1")  # for the 4th (booked + 2 days)
    not_kept = [e.appointment(lead, at(o(day), 11), "c1") for lead, day in (("L2", 2), ("L3", 2), ("L2", 3),
                                                                             ("L3", 3))]
    visits = [e.visit("L1", at(o(4)), 1, "c1", appointment_id=kept["data"]["appointment_id"]),
              e.visit("L2", at(o(3)), 1, "c1"), e.visit("L3", at(o(5)), 1, "c1"), e.visit("L1", at(o(10)), 2, "c1")]
    order = phoned(e.order_placed(at(o(10), 15), "L1", "c1"), "customer_phone_masked", "139****0001")
    other = phoned(e.lead(at(o(2), 10), "c3", "online", lead_id="L9"), "phone_masked", "137****0009")
    consume([*calls, *leads, kept, *not_kept, *visits, e.test_drive("L1", at(o(4), 11), "c1"), order, other,
             *(deliver(o(12 + n), "c1", "SUV") for n in range(3)), *(deliver(o(15 + n), "c2", "sedan") for n in
                                                                      range(3))])


MINUTES = "Yesterday's leads reviewed; today's invitations assigned."


@pytest.fixture
def meetings(october, as_role) -> list[int]:
    """s1 records October's meetings: a morning one at 08:55 and an evening one at 17:00 each working day (Monday to
    Saturday: 31 days less the Sundays 4, 11, 18, 25 = 27 days, 54 slots), with minutes, except:
    the 5th's morning at 09:20 (late), the 6th's evening with blank minutes, no morning on the 7th, the 12th's
    evening at 16:29 (early): 4 slots missed. The 8th's morning is recorded twice (08:40 and 09:00: one slot), the
    13th's at the window's edges (09:15 and 16:30: on time), Sunday the 4th has a morning meeting (no slot is due)
    and the 9th a weekly one (周会, no slot): 54 - 4 = 50 slots on time. Returns the statuses answered."""
    recorder, statuses = as_role("online_sales", "s1"), []
    plan: list[tuple[int, str, time, str]] = []
    for day in range(1, 32):
        if o(day).isoweekday() != 7:
            plan += [(day, "morning", time(8, 55), MINUTES), (day, "evening", time(17, 0), MINUTES)]
    changes = {(5, "morning"): (time(9, 20), MINUTES), (6, "evening"): (time(17, 0), "   "),
               (12, "evening"): (time(16, 29), MINUTES), (13, "morning"): (time(9, 15), MINUTES),
               (13, "evening"): (time(16, 30), MINUTES), (8, "morning"): (time(8, 40), MINUTES)}
    plan = [(day, kind, *changes.get((day, kind), (at, minutes))) for day, kind, at, minutes in plan
            if (day, kind) != (7, "morning")]
    plan += [(8, "morning", time(9, 0), MINUTES), (4, "morning", time(8, 50), MINUTES),
             (9, "weekly", time(10, 0), MINUTES)]
    for day, kind, at, minutes in plan:
        held = f"{o(day).isoformat()}T{at.isoformat()}+08:00"
        answer = recorder.post("/api/v1/meetings", json={"group_id": "A", "kind": kind, "held_at": held,
                                                         "minutes": minutes, "attendees": ["c1", "c2", "s1"]})
        statuses.append(answer.status_code)
    return statuses


def card(as_role: Any, role: str = "sales_manager", sub: str = "m1", group: str = "A") -> Any:
    return as_role(role, sub).get(f"/api/v1/scorecards?month={OCT}&group_id={group}")


def figures(answer: Any) -> list[tuple[Any, ...]]:
    assert answer.status_code == 200, answer.get_json()
    return [(line["line"], line["kpi"], line["weight"], line["target"], line["actual"], line["numerator"],
             line["denominator"], line["score"]) for line in answer.get_json()["lines"]]


# The default sheet (line, kpi, weight, target, actual, numerator, denominator, score = weight × min(actual ÷
# target, 1) × 100):
DEFAULT_CARD = [
    # 50 of 54 slots: 0.925925..; 0.20 × 0.925925.. × 100 = 18.5185.. -> 18.52
    (1, "meetings_on_time", "0.2000", "1.0000", "0.9259", "50", "54", "18.52"),
    # 3 of the 4 new callers filed = 0.75; 0.15 × (0.75 ÷ 0.90) × 100 = 12.50
    (2, "filing_rate", "0.1500", "0.9000", "0.7500", "3", "4", "12.50"),
    # L1 of the three first visits came back: 0.3333 > 0.23, capped: 0.10 × 1 × 100 = 10.00
    (3, "return_visit_rate", "0.1000", "0.2300", "0.3333", "1", "3", "10.00"),
    # 1 of 5 appointments kept = 0.20; 0.15 × (0.20 ÷ 0.22) × 100 = 13.6363.. -> 13.64
    (4, "appointment_arrival_rate", "0.1500", "0.2200", "0.2000", "1", "5", "13.64"),
    # L1 of 3 visiting leads test-drove: 0.10 × (0.3333.. ÷ 0.60) × 100 = 5.5555.. -> 5.56
    (5, "test_drive_rate", "0.1000", "0.6000", "0.3333", "1", "3", "5.56"),
    # L1 of 3 leads ordered within 30 days: 0.3333 > 0.13: 10.00
    (6, "conversion_30d", "0.1000", "0.1300", "0.3333", "1", "3", "10.00"),
    # 6 units of 8 = 0.75; 0.20 × 0.75 × 100 = 15.00
    (7, "unit_completion", "0.2000", "1.0000", "0.7500", "6", "8", "15.00"),
]
# 18.5185.. + 12.5 + 10 + 13.6363.. + 5.5555.. + 10 + 15 = 85.2104.. -> 85.21 (the unrounded lines summed)
DEFAULT_TOTAL = "85.21"


def test_the_scorecard_scores_each_line_weight_times_actual_over_target_capped_at_1(meetings, clock,
                                                                                    as_role) -> None:
    assert set(meetings) == {201}
    clock(date(2026, 11, 20))
    answer = card(as_role)
    assert figures(answer) == DEFAULT_CARD
    assert (answer.get_json()["total"], answer.get_json()["group_id"]) == (DEFAULT_TOTAL, "A")


def test_a_changed_template_reweights_the_card_and_changes_the_working_days(meetings, clock, as_role) -> None:
    clock(date(2026, 11, 20))
    # line 1 30%, line 7 10% (0.30 + 0.15 + 0.10 + 0.15 + 0.10 + 0.10 + 0.10 = 1); filing's target 75%; Mon–Fri
    changed = as_role("sales_manager", "m1").put(f"/api/v1/scorecard-template/{OCT}", json={
        "lines": [{"line": 1, "weight": "0.30"}, {"line": 7, "weight": "0.10"}, {"line": 2, "target": "0.75"}],
        "working_days": [1, 2, 3, 4, 5]})
    assert changed.status_code == 200, changed.get_json()
    assert (changed.get_json()["working_days"], changed.get_json()["set_by"]) == ([1, 2, 3, 4, 5], "m1")
    lines = figures(card(as_role))
    # Mon–Fri of October: the 1st, 2nd and four weeks of five = 22 days, 44 slots; the 4 missed are all on weekdays:
    # 40 of 44 = 0.90909..; 0.30 × 0.90909.. × 100 = 27.2727.. -> 27.27
    assert lines[0] == (1, "meetings_on_time", "0.3000", "1.0000", "0.9091", "40", "44", "27.27")
    assert lines[1] == (2, "filing_rate", "0.1500", "0.7500", "0.7500", "3", "4", "15.00")  # 0.75 of 0.75: met
    assert lines[6] == (7, "unit_completion", "0.1000", "1.0000", "0.7500", "6", "8", "7.50")  # 0.10 × 0.75 × 100
    assert lines[2:6] == DEFAULT_CARD[2:6]
    # 27.2727.. + 15 + 10 + 13.6363.. + 5.5555.. + 10 + 7.5 = 88.9646.. -> 88.96
    assert card(as_role).get_json()["total"] == "88.96"
    assert figures(as_role("sales_manager", "m1").get("/api/v1/scorecards?month=2026-09&group_id=A"))[0][2] == (
        "0.2000")  # another month keeps the default sheet


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # input checks, not storage
def test_a_template_whose_weights_do_not_add_up_to_100_percent_is_422_naming_lines(on_staff, as_role) -> None:
    manager = as_role("sales_manager", "m1")
    for body, field in (({"lines": [{"line": 1, "weight": "0.25"}]}, "lines"),  # 105%
                        ({"lines": [{"line": 1, "weight": "0.20"}, {"line": 1, "weight": "0.20"}]}, "lines"),
                        ({"lines": [{"line": 8, "weight": "0.20"}]}, "lines"),
                        ({"lines": [{"line": 2, "target": "1.5"}]}, "lines"),
                        ({"lines": [{"line": 2, "weight": None}]}, "lines"),
                        ({"working_days": [0, 1]}, "working_days"), ({"working_days": []}, "working_days")):
        answer = manager.put(f"/api/v1/scorecard-template/{OCT}", json=body)
        assert answer.status_code == 422 and answer.mimetype == "application/problem+json", body
        assert [key for key in answer.get_json()["errors"] if key.startswith(field)], (body, answer.get_json())
    assert manager.put("/api/v1/scorecard-template/2026-13", json={}).status_code == 422
    assert as_role("consultant", "c1").put(f"/api/v1/scorecard-template/{OCT}", json={}).status_code == 403
    default = as_role("consultant", "c1").get(f"/api/v1/scorecard-template/{OCT}").get_json()
    assert [(line["weight"], line["target"]) for line in default["lines"]] == [
        ("0.2000", "1.0000"), ("0.1500", "0.9000"), ("0.1000", "0.2300"), ("0.1500", "0.2200"),
        ("0.1000", "0.6000"), ("0.1000", "0.1300"), ("0.2000", "1.0000")]
    assert (default["working_days"], default["class_deductions"]["SUV"], default["set_by"]) == (
        [1, 2, 3, 4, 5, 6], "200.00", None)


def test_a_sales_manager_reads_any_card_a_supervisor_only_their_groups(meetings, clock, as_role) -> None:
    clock(date(2026, 11, 20))
    assert card(as_role, "online_sales", "s1").status_code == 200  # s1 supervises A
    for role, sub in (("consultant", "s2"), ("consultant", "c1"), ("ops", "o1"), ("back_office", "b1")):
        refused = card(as_role, role, sub)
        assert refused.status_code == 403 and refused.mimetype == "application/problem+json", (role, sub)
    assert card(as_role, "consultant", "s2", group="B").status_code == 200
    assert card(as_role, group="Z").status_code == 404
    missing = as_role("sales_manager", "m1").get(f"/api/v1/scorecards?month={OCT}")
    assert missing.status_code == 422 and "group_id" in missing.get_json()["errors"]


def test_the_scorecard_as_csv_has_a_row_per_line_and_the_total(meetings, clock, as_role) -> None:
    clock(date(2026, 11, 20))
    answer = as_role("sales_manager", "m1").get(f"/api/v1/scorecards?month={OCT}&group_id=A&format=csv")
    assert answer.mimetype == "text/csv"
    rows = answer.get_data(as_text=True).splitlines()
    assert rows[0] == "line,kpi,weight,target,actual,numerator,denominator,score"
    assert rows[1] == "1,meetings_on_time,0.2000,1.0000,0.9259,50,54,18.52"
    assert rows[-1] == "total,,,,,,,85.21"


def test_meetings_the_template_and_plans_survive_a_rebuild_and_the_card_stays_the_same(app, meetings, clock,
                                                                                     as_role) -> None:
    clock(date(2026, 11, 20))
    manager = as_role("sales_manager", "m1")
    assert manager.put(f"/api/v1/scorecard-template/{OCT}", json={"class_deductions": {"SUV": "300"}}).status_code \
        == 200
    assert as_role("online_sales", "s1").put("/api/v1/weekly-plans/2026-W44/A", json={
        "plan": "Invite every A lead to the motor show"}).status_code == 200
    paths = (f"/api/v1/meetings?group_id=A&month={OCT}", f"/api/v1/scorecard-template/{OCT}",
             f"/api/v1/scorecards?month={OCT}&group_id=A", "/api/v1/reports/weekly?week=2026-W44",
             f"/api/v1/commissions?month={OCT}")
    before = [manager.get(path).get_json() for path in paths]
    assert as_role("ops", "o1").post("/api/v1/admin/rebuild").status_code == 202
    with app.extensions["dealer"].sessions() as session:
        assert run_requested_rebuilds(session) > 0
    assert [manager.get(path).get_json() for path in paths] == before
    assert figures(card(as_role)) == DEFAULT_CARD
    assert before[3]["groups"][0]["plan"] == "Invite every A lead to the motor show"
    assert len(before[0]["items"]) == 54 - 4 + 3 + 3  # 50 on time, 3 off (late, blank, early), and 3 more recorded

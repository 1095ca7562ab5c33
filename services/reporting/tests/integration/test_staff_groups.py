"""The staff directory (员工名录), sales groups (小组) over time, a group's funnel and targets by model class
(DOMAIN.md, "Groups, targets, scorecards and pay"). Every figure is worked out by hand from the events each
test builds. The store's today is 20 November 2026 in these tests (a group's members may be set from a day
of the current month), so November's moves can be recorded."""
from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
import requests

from contracts import contract_errors
from dealer_testing import json_of, token, wait_for
from dealer_testing.bus import subscriber_queue
from reporting import dates
from reporting.services import run_requested_rebuilds
from shared.config import load_settings

TODAY = date(2026, 11, 20)
NOV = "from=2026-11-01&to=2026-11-30"


def d(day: int) -> date:
    return date(2026, 11, day)


@pytest.fixture(autouse=True)
def store_today(monkeypatch: pytest.MonkeyPatch) -> None:
    """The store's date is 20 November 2026 (the clock, not the database or the broker, is set)."""
    monkeypatch.setattr(dates, "today", lambda _zone: TODAY)


def put_group(as_role: Any, group_id: str, members: list[str], supervisor: str = "s1",
              effective_from: str | None = None, name: str | None = None) -> Any:
    body: dict[str, Any] = {"name": f"Group {group_id}" if name is None else name, "supervisor_id": supervisor,
                            "members": members}
    if effective_from is not None:
        body["effective_from"] = effective_from
    return as_role("sales_manager", "m1").put(f"/api/v1/groups/{group_id}", json=body)


@pytest.fixture
def floor(on_staff) -> None:
    """A supervisor (s1), three consultants, a DCC person, a back-office clerk."""
    on_staff("s1", role="sales_manager")
    on_staff("c1", "c2", "c3")
    on_staff("d1", role="online_sales")
    on_staff("b1", role="back_office")


# -- the staff directory ---------------------------------------------------------------------------------------

def test_sales_managers_keep_the_staff_directory_and_a_consultant_reads_names_only(floor, as_role) -> None:
    manager = as_role("sales_manager", "m1")
    changed = manager.put("/api/v1/staff/c3", json={"name": "李娜", "role": "consultant", "active": False})
    assert changed.status_code == 200
    assert {k: changed.get_json()[k] for k in ("staff_id", "name", "role", "active", "updated_by")} == {
        "staff_id": "c3", "name": "李娜", "role": "consultant", "active": False, "updated_by": "m1"}
    assert changed.get_json()["updated_at"].endswith("+08:00")  # the store's zone
    items = {row["staff_id"]: row for row in manager.get("/api/v1/staff").get_json()["items"]}
    assert sorted(items) == ["b1", "c1", "c2", "c3", "d1", "s1"]
    assert (items["c3"]["role"], items["c3"]["active"], items["d1"]["role"]) == ("consultant", False, "online_sales")
    assert as_role("consultant", "c1").get("/api/v1/staff").get_json()["items"][0] == {
        "staff_id": "b1", "name": "Staff b1"}
    for role in ("online_sales", "inventory_clerk", "after_sales"):
        assert as_role(role, "x1").get("/api/v1/staff").status_code == 403, role
    for role in ("consultant", "ops", "back_office"):
        assert as_role(role, "x1").put("/api/v1/staff/c9", json={"name": "x", "role": "consultant"}).status_code == 403


BAD_STAFF = [
    ("c9", {"name": "Zhou", "role": "service"}, "role"),  # a system caller is no one on the staff
    ("c9", {"name": "Zhou", "role": "driver"}, "role"),
    ("c9", {"name": "", "role": "consultant"}, "name"),
    ("c9", {"role": "consultant"}, "name"),
    ("c9", {"name": "Zhou", "role": "consultant", "active": "maybe"}, "active"),
    ("c 9", {"name": "Zhou", "role": "consultant"}, "staff_id"),
]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # input checks, not storage
def test_a_bad_staff_record_is_422_naming_the_field_and_keeps_no_one(as_role) -> None:
    manager = as_role("sales_manager", "m1")
    for staff_id, body, field in BAD_STAFF:
        answer = manager.put(f"/api/v1/staff/{staff_id}", json=body)
        assert answer.status_code == 422 and answer.mimetype == "application/problem+json", answer.get_json()
        assert field in answer.get_json()["errors"], (body, answer.get_json())
    assert manager.get("/api/v1/staff").get_json() == {"items": []}


# -- groups --------------------------------------------------------------------------------------------------

def test_putting_a_consultant_into_group_b_takes_them_out_of_group_a(floor, as_role) -> None:
    assert put_group(as_role, "A", ["c1", "c2"]).status_code == 200
    moved = put_group(as_role, "B", ["c3", "c2", "d1"])
    assert moved.status_code == 200
    assert (moved.get_json()["members"], moved.get_json()["date"]) == (["c2", "c3", "d1"], "2026-11-20")
    groups = as_role("consultant", "c1").get("/api/v1/groups").get_json()["items"]
    assert [(g["group_id"], g["supervisor_id"], g["members"]) for g in groups] == [
        ("A", "s1", ["c1"]), ("B", "s1", ["c2", "c3", "d1"])]
    staff = {row["staff_id"]: row["group_id"] for row in as_role("back_office", "b1").get("/api/v1/staff").get_json()
             ["items"]}
    assert staff == {"b1": None, "c1": "A", "c2": "B", "c3": "B", "d1": "B", "s1": None}


def test_a_move_recorded_late_keeps_who_was_in_the_group_on_each_day(floor, as_role) -> None:
    assert put_group(as_role, "A", ["c1", "c2"], effective_from="2026-11-01").status_code == 200
    assert put_group(as_role, "B", ["c3"], effective_from="2026-11-01").status_code == 200
    assert put_group(as_role, "B", ["c3", "c2"], effective_from="2026-11-10").status_code == 200  # forgotten
    reader = as_role("ops", "o1")
    on = {day: (reader.get(f"/api/v1/groups/A?date=2026-11-{day:02d}").get_json()["members"],
                reader.get(f"/api/v1/groups/B?date=2026-11-{day:02d}").get_json()["members"]) for day in (1, 9, 10, 20)}
    assert on == {1: (["c1", "c2"], ["c3"]), 9: (["c1", "c2"], ["c3"]), 10: (["c1"], ["c2", "c3"]),
                  20: (["c1"], ["c2", "c3"])}
    assert reader.get("/api/v1/groups/A?date=2026-10-31").get_json()["members"] == []  # before it existed
    assert put_group(as_role, "A", ["c1"], effective_from="2026-11-15").status_code == 200  # no change for c1
    assert reader.get("/api/v1/groups/A?date=2026-11-12").get_json()["members"] == ["c1"]


def test_a_group_refuses_a_supervisor_or_members_not_on_the_floor_and_days_outside_the_month(floor, as_role,
                                                                                             on_staff) -> None:
    on_staff("c8")
    as_role("sales_manager", "m1").put("/api/v1/staff/c8", json={"name": "Left", "role": "consultant",
                                                                 "active": False})
    refusals = [
        (dict(members=["c1"], supervisor="s9"), "supervisor_id"),  # not on the directory
        (dict(members=["c1"], supervisor="c8"), "supervisor_id"),  # left the store
        (dict(members=["c1", "b1"]), "members"),  # the back office sells in no group
        (dict(members=["c1", "c9"]), "members"),  # unknown
        (dict(members=["c1", "c8"]), "members"),  # left the store
        (dict(members=["c1", "c1"]), "members"),
        (dict(members=["c1"], effective_from="2026-11-21"), "effective_from"),  # tomorrow
        (dict(members=["c1"], name=""), "name"),
    ]
    for changes, field in refusals:
        answer = put_group(as_role, "A", **changes)
        assert answer.status_code == 422 and answer.mimetype == "application/problem+json", (changes, answer.get_json())
        assert field in answer.get_json()["errors"], (changes, answer.get_json())
    assert as_role("sales_manager", "m1").get("/api/v1/groups").get_json() == {"items": []}
    unknown = as_role("sales_manager", "m1").get("/api/v1/groups/A")
    assert unknown.status_code == 404 and unknown.mimetype == "application/problem+json"


def test_a_first_group_may_be_dated_back_but_recorded_months_are_not_rewritten(floor, as_role) -> None:
    # opening the books: nobody was in a group in October, so a first record from 1 October changes no figure read
    assert put_group(as_role, "A", ["c1", "c2"], effective_from="2026-10-01").status_code == 200
    reader = as_role("sales_manager", "m1")
    assert reader.get("/api/v1/groups/A?date=2026-10-15").get_json()["members"] == ["c1", "c2"]
    # October is now on record (read and paid on): moving c2 out, or changing group A, there is refused
    for group_id, members in (("B", ["c2"]), ("A", ["c1"])):
        answer = put_group(as_role, group_id, members, effective_from="2026-10-20")
        assert answer.status_code == 422 and "effective_from" in answer.get_json()["errors"], group_id
    assert reader.get("/api/v1/groups/A?date=2026-10-25").get_json()["members"] == ["c1", "c2"]
    # the same record sent again (a demo or an import run twice) changes nothing and is accepted
    assert put_group(as_role, "A", ["c2", "c1"], effective_from="2026-10-01").status_code == 200
    # c3 and group B have no record at all: their books may still be opened in October
    assert put_group(as_role, "B", ["c3"], effective_from="2026-10-20").status_code == 200


# -- a group's funnel ------------------------------------------------------------------------------------------

@pytest.fixture
def c2_moves_on_the_10th(floor, as_role, consume, events) -> None:
    """c1 and c2 in A, c3 in B from the 1st; c2 moves to B on the 10th. Each works on both sides of the move.

    c1 files L3 on the 3rd. c2 takes a call on the 5th and files it (L1), receives L1 on the 8th: group A.
    c3 files L4 on the 6th: B. c2 files L2 on the 12th and receives it on the 12th and 14th: group B.
    """
    put_group(as_role, "A", ["c1", "c2"], effective_from="2026-11-01")
    put_group(as_role, "B", ["c3"], effective_from="2026-11-01")
    put_group(as_role, "B", ["c3", "c2"], effective_from="2026-11-10")
    e, at = events, events.at
    call = e.inquiry(at(d(5), 9), "phone", "c2")
    consume([e.lead(at(d(3)), "c1", lead_id="L3"), call,
             e.lead(at(d(5), 10), "c2", "phone_in", (call["data"]["inquiry_id"],), "L1"),
             e.visit("L1", at(d(8)), 1, "c2"), e.lead(at(d(6)), "c3", "walk_in", lead_id="L4"),
             e.lead(at(d(12)), "c2", "walk_in", lead_id="L2"), e.visit("L2", at(d(12), 11), 1, "c2"),
             e.visit("L2", at(d(14)), 2, "c2")])


def figures(as_role: Any, query: str) -> dict[str, Any]:
    answer = as_role("sales_manager", "m1").get(f"/api/v1/reports/funnel?{query}")
    assert answer.status_code == 200, answer.get_json()
    found = answer.get_json()
    stages = ("inquiries", "leads", "appointments", "visits", "test_drives", "orders", "deliveries")
    return {**{stage: found[stage] for stage in stages},
            **{name: (detail["numerator"], detail["denominator"]) for name, detail in found["rate_details"].items()}}


# 建卡率: c2's call filed as L1 the same day, and L3, filed by c1 with no inquiry logged (itself a contact, filed);
# B: L4 and L2, walk-ins filed straight away. 30天转化率: every lead was filed within 30 days of today (20
# November): none is judged yet (``not_yet_30_days``).
GROUP_A = {"inquiries": 1, "leads": 2, "appointments": 0, "visits": 1, "test_drives": 0, "orders": 0, "deliveries": 0,
           "filing_rate": (2, 2), "appointment_arrival_rate": (0, 0), "return_visit_rate": (0, 1),
           "test_drive_rate": (0, 1), "conversion_30d": (0, 0), "referral_rate": (0, 2)}
GROUP_B = {"inquiries": 0, "leads": 2, "appointments": 0, "visits": 2, "test_drives": 0, "orders": 0, "deliveries": 0,
           "filing_rate": (2, 2), "appointment_arrival_rate": (0, 0), "return_visit_rate": (1, 1),
           "test_drive_rate": (0, 1), "conversion_30d": (0, 0), "referral_rate": (0, 2)}


def test_a_group_funnel_counts_each_action_for_the_group_its_consultant_was_in_that_day(c2_moves_on_the_10th,
                                                                                       as_role) -> None:
    assert figures(as_role, f"{NOV}&group_id=A") == GROUP_A  # L3 and L1, the call, L1's first visit
    assert figures(as_role, f"{NOV}&group_id=B") == GROUP_B  # L4 and L2, L2's visit and its return
    team = figures(as_role, NOV)
    assert (team["leads"], team["visits"], team["inquiries"]) == (4, 3, 1)  # A's and B's together
    assert figures(as_role, "from=2026-11-10&to=2026-11-30&group_id=A")["leads"] == 0  # c2 left; c1 filed on the 3rd
    assert figures(as_role, "from=2026-11-01&to=2026-11-09&group_id=B")["leads"] == 1  # L4; L1 was A's
    answer = as_role("sales_manager", "m1").get(f"/api/v1/reports/funnel?{NOV}&group_id=A").get_json()
    assert (answer["group_id"], answer["consultant_id"]) == ("A", None)


def test_a_funnel_of_an_unknown_group_is_404_and_a_group_with_a_consultant_is_422(floor, as_role) -> None:
    manager = as_role("sales_manager", "m1")
    unknown = manager.get(f"/api/v1/reports/funnel?{NOV}&group_id=Z")
    assert unknown.status_code == 404 and unknown.mimetype == "application/problem+json"
    put_group(as_role, "A", ["c1"])
    both = manager.get(f"/api/v1/reports/funnel?{NOV}&group_id=A&consultant_id=c1")
    assert both.status_code == 422 and "group_id" in both.get_json()["errors"]
    assert as_role("consultant", "c1").get(f"/api/v1/reports/funnel?{NOV}&group_id=A").status_code == 403


# -- management inputs are not projections -----------------------------------------------------------------------

def test_staff_groups_and_targets_survive_a_rebuild(app, c2_moves_on_the_10th, as_role, consume, events) -> None:
    manager = as_role("sales_manager", "m1")
    assert manager.put("/api/v1/targets/2026-11", json={"targets": [
        {"consultant_id": "c1", "units": 5, "by_model_class": {"SUV": 3}},
        {"consultant_id": "c2", "units": 4}]}).status_code == 200
    consume([events.delivered(events.at(d(15)), "o-1", "L2", "c2", model_class="SUV")])
    before = [manager.get(path).get_json() for path in ("/api/v1/staff", "/api/v1/groups",
                                                        "/api/v1/groups/A?date=2026-11-05", "/api/v1/targets/2026-11")]
    assert as_role("ops", "o1").post("/api/v1/admin/rebuild").status_code == 202
    with app.extensions["dealer"].sessions() as session:
        assert run_requested_rebuilds(session) == 9  # the fixture's eight events and the delivery
    after = [manager.get(path).get_json() for path in ("/api/v1/staff", "/api/v1/groups",
                                                       "/api/v1/groups/A?date=2026-11-05", "/api/v1/targets/2026-11")]
    assert after == before
    assert figures(as_role, f"{NOV}&group_id=A") == GROUP_A
    assert {**figures(as_role, f"{NOV}&group_id=B"), "deliveries": 0} == GROUP_B
    assert figures(as_role, f"{NOV}&group_id=B")["deliveries"] == 1  # c2, in B on the 15th


def test_a_delivery_keeps_its_model_class_and_one_without_keeps_none(app, consume, events) -> None:
    from reporting.public import projection_rows

    consume([events.delivered(events.at(d(15)), "o-1", None, "c1", model_class="SUV"),
             events.delivered(events.at(d(16)), "o-2", None, "c1", car=events.vin(2))])
    with app.extensions["dealer"].sessions() as session:
        sales = {row["order_id"]: row["model_class"] for row in projection_rows(session)["sale_facts"]}
    assert sales == {"o-1": "SUV", "o-2": None}


# -- the managers' inputs on the bus ------------------------------------------------------------------------------

@pytest.fixture
def payroll_queue(dealer_env) -> Iterator[Any]:
    """A payroll system's queue bound to reporting's events (``reporting.#``)."""
    with subscriber_queue(load_settings("reporting"), "subscriber.payroll", ["reporting.#"]) as (channel, name):
        yield lambda: channel.basic_get(name, no_ack=True)


def test_staff_groups_and_targets_reach_a_subscriber_on_the_bus_without_being_stored_as_events(
        start_service, database_url, payroll_queue, bus, events) -> None:
    reporting = start_service("reporting", database_url=database_url)
    manager, url = token("sales_manager", "m1"), f"{reporting.url}/api/v1"
    for staff_id, role in (("s1", "sales_manager"), ("c1", "consultant")):
        assert requests.put(f"{url}/staff/{staff_id}", headers=manager, timeout=5,
                            json={"name": f"王{staff_id}", "role": role}).status_code == 200
    assert requests.put(f"{url}/groups/A", headers=manager, timeout=5,
                        json={"name": "展厅一组", "supervisor_id": "s1", "members": ["c1"]}).status_code == 200
    assert requests.put(f"{url}/targets/2026-12", headers=manager, timeout=5, json={"targets": [
        {"consultant_id": "c1", "units": 6, "by_model_class": {"SUV": 4}}]}).status_code == 200
    received = [json.loads(wait_for(payroll_queue, timeout=15, message=f"event {n} on the bus").body)
                for n in range(4)]
    assert [e["type"] for e in received] == ["dealer.reporting.staff.updated.v1"] * 2 + [
        "dealer.reporting.group.updated.v1", "dealer.reporting.targets.set.v1"]
    assert all(contract_errors(e) == [] for e in received), [contract_errors(e) for e in received]
    assert {k: received[1]["data"][k] for k in ("staff_id", "name", "role", "active", "by")} == {
        "staff_id": "c1", "name": "王c1", "role": "consultant", "active": True, "by": "m1"}
    group = received[2]["data"]
    assert (group["group_id"], group["name"], group["supervisor_id"], group["members"]) == (
        "A", "展厅一组", "s1", ["c1"])
    assert received[3]["data"]["targets"] == [{"consultant_id": "c1", "units": 6, "by_model_class": {"SUV": 4}}]
    sentinel = events.lead(events.at(date(2026, 12, 1)), "c1")  # behind reporting's own events on its queue
    bus([sentinel])

    def stored() -> int:
        return int(json_of(requests.get(f"{url}/admin/status", headers=token("ops", "o1"), timeout=5))
                   ["events_stored"])
    wait_for(lambda: stored() >= 1, timeout=30, message="the department's event to be stored")
    assert stored() == 1  # the four of reporting's own came back on its queue first and were not stored

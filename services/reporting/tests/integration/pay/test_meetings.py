"""Meetings (晨会/夕会/周会): recorded by the group's supervisor or a sales manager, attendees known staff, minutes
masked; on time as the store counts: a morning meeting 08:30–09:15, an evening one 16:30–17:15 store time, with
minutes; one of each due per working day, for the current month up to today. Today is Friday 20 November 2026."""
from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
import requests

from contracts import contract_errors
from dealer_testing import token, wait_for
from dealer_testing.bus import subscriber_queue
from shared.config import load_settings

TODAY = date(2026, 11, 20)


@pytest.fixture
def groups(on_staff, clock, put_group) -> None:
    """A (c1, c2; supervisor s1, online sales by role), B (c3; supervisor s2, a consultant) from 1 November."""
    on_staff("s1", role="online_sales")
    on_staff("s2", "c1", "c2", "c3")
    clock(TODAY)
    put_group("A", ["c1", "c2"], "s1", date(2026, 11, 1))
    put_group("B", ["c3"], "s2", date(2026, 11, 1))


def meeting(kind: str = "morning", held_at: str = "2026-11-20T08:45:00+08:00", group: str = "A",
            minutes: str = "Targets for the day", attendees: tuple[str, ...] = ("c1", "c2")) -> dict[str, Any]:
    return {"group_id": group, "kind": kind, "held_at": held_at, "minutes": minutes, "attendees": list(attendees)}


def test_the_supervisor_records_a_meeting_and_a_phone_in_the_minutes_is_masked(groups, as_role) -> None:
    answer = as_role("online_sales", "s1").post("/api/v1/meetings", json=meeting(
        minutes="Call back Mr Wang on 13812345678 about the SUV"))
    assert answer.status_code == 201, answer.get_json()
    found = answer.get_json()
    assert {k: found[k] for k in ("group_id", "kind", "held_at", "held_day", "attendees", "on_time", "recorded_by")} \
        == {"group_id": "A", "kind": "morning", "held_at": "2026-11-20T08:45:00+08:00", "held_day": "2026-11-20",
            "attendees": ["c1", "c2"], "on_time": True, "recorded_by": "s1"}
    assert "13812345678" not in json.dumps(found) and "138****5678" in found["minutes"]
    assert as_role("sales_manager", "m1").post("/api/v1/meetings", json=meeting("evening", "2026-11-19T17:00:00+08:00",
                                                                               group="B")).status_code == 201


def test_only_the_groups_supervisor_or_a_sales_manager_records_or_reads_its_meetings(groups, as_role) -> None:
    for role, sub in (("consultant", "s2"), ("consultant", "c1"), ("back_office", "b1"), ("ops", "o1")):
        refused = as_role(role, sub).post("/api/v1/meetings", json=meeting())
        assert refused.status_code == 403 and refused.mimetype == "application/problem+json", (role, sub)
    assert as_role("online_sales", "s1").post("/api/v1/meetings", json=meeting()).status_code == 201
    assert as_role("consultant", "s2").get("/api/v1/meetings?group_id=A").status_code == 403
    assert as_role("consultant", "c1").get("/api/v1/meetings?group_id=A").status_code == 403
    for role, sub in (("online_sales", "s1"), ("sales_manager", "m1"), ("ops", "o1"), ("back_office", "b1")):
        assert len(as_role(role, sub).get("/api/v1/meetings?group_id=A").get_json()["items"]) == 1, role


BAD = [
    (meeting(group="Z"), "group_id"),  # no such group
    (meeting(kind="lunch"), "kind"),
    (meeting(held_at="yesterday"), "held_at"),
    (meeting(held_at="2099-11-20T08:45:00+08:00"), "held_at"),  # the future
    (meeting(attendees=("c1", "c9")), "attendees"),  # c9 is on no staff directory
    (meeting(attendees=("c 1",)), "attendees"),
    ({k: v for k, v in meeting().items() if k != "held_at"}, "held_at"),
    ({**meeting(), "minutes": 42}, "minutes"),
]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # input checks, not storage
def test_a_bad_meeting_is_422_naming_the_field_and_records_nothing(groups, as_role) -> None:
    manager = as_role("sales_manager", "m1")
    for body, field in BAD:
        answer = manager.post("/api/v1/meetings", json=body)
        assert answer.status_code == 422 and answer.mimetype == "application/problem+json", (body, answer.get_json())
        assert [key for key in answer.get_json()["errors"] if key.startswith(field)], (body, answer.get_json())
    assert manager.get("/api/v1/meetings?group_id=A").get_json()["items"] == []
    assert manager.get("/api/v1/meetings").status_code == 422  # which group?
    assert manager.get("/api/v1/meetings?group_id=A&month=2026-13").status_code == 422
    assert manager.get("/api/v1/meetings?group_id=Z").status_code == 404


def test_slots_due_run_to_today_and_each_counts_once_however_many_meetings(groups, as_role) -> None:
    recorder = as_role("online_sales", "s1")
    for kind, held, minutes in (
            ("morning", "2026-11-20T08:30:00+08:00", "ok"),  # the window's first minute: on time
            ("morning", "2026-11-20T09:10:00+08:00", "ok"),  # the same slot again: counts once
            ("evening", "2026-11-19T17:16:00+08:00", "ok"),  # a minute past 17:15: late
            ("evening", "2026-11-19T17:15:00+08:00", ""),  # in time, no minutes
            ("morning", "2026-11-19T09:00:00+08:00", "ok"),
            ("morning", "2026-11-15T09:00:00+08:00", "ok"),  # a Sunday: no slot is due
            ("weekly", "2026-11-16T09:00:00+08:00", "ok"),  # a weekly meeting fills no slot
            ("morning", "2026-11-01T00:59:00Z", "ok")):  # 08:59 on Sunday 1 November store time, not 31 October
        assert recorder.post("/api/v1/meetings", json=meeting(kind, held, minutes=minutes)).status_code == 201
    found = recorder.get("/api/v1/meetings?group_id=A&month=2026-11").get_json()
    # working days 1–20 November: Mon–Sat 2–7, 9–14, 16–20 = 6 + 6 + 5 = 17 days, 34 slots; on time: the 20th's
    # morning and the 19th's morning = 2
    assert (found["on_time_slots"], found["slots_due"]) == (2, 34)
    assert [(m["held_day"], m["kind"], m["on_time"]) for m in found["items"]][:2] == [
        ("2026-11-01", "morning", True), ("2026-11-15", "morning", True)]
    assert [m["on_time"] for m in found["items"][2:]] == [False, True, False, False, True, True]


@pytest.fixture
def payroll_queue(dealer_env) -> Any:
    """A payroll system's queue bound to reporting's events (``reporting.#``)."""
    with subscriber_queue(load_settings("reporting"), "subscriber.payroll", ["reporting.#"]) as (channel, name):
        yield lambda: channel.basic_get(name, no_ack=True)


def test_meetings_templates_and_plans_reach_a_subscriber_on_the_bus_as_their_contracts_say(
        start_service, database_url, payroll_queue) -> None:
    reporting = start_service("reporting", database_url=database_url)
    manager, url = token("sales_manager", "m1"), f"{reporting.url}/api/v1"
    for staff_id, role in (("s1", "online_sales"), ("c1", "consultant")):
        assert requests.put(f"{url}/staff/{staff_id}", headers=manager, timeout=5,
                            json={"name": f"王{staff_id}", "role": role}).status_code == 200
    assert requests.put(f"{url}/groups/A", headers=manager, timeout=5,
                        json={"name": "网销组", "supervisor_id": "s1", "members": ["c1"]}).status_code == 200
    supervisor = token("online_sales", "s1")
    assert requests.post(f"{url}/meetings", headers=supervisor, timeout=5, json=meeting(
        held_at="2026-11-20T17:05:00+08:00", kind="evening", attendees=("c1",),
        minutes="13812345678 to be called")).status_code == 201
    assert requests.put(f"{url}/scorecard-template/2026-12", headers=manager, timeout=5, json={
        "class_deductions": {"NEV": "300"}}).status_code == 200
    assert requests.put(f"{url}/weekly-plans/2026-W48/A", headers=supervisor, timeout=5, json={
        "plan": "Call 13812345678 again"}).status_code == 200
    received = [json.loads(wait_for(payroll_queue, timeout=15, message=f"event {n} on the bus").body)
                for n in range(6)][3:]
    assert [e["type"] for e in received] == ["dealer.reporting.meeting.recorded.v1",
                                             "dealer.reporting.scorecard_template.set.v1",
                                             "dealer.reporting.weekly_plan.written.v1"]
    assert all(contract_errors(e) == [] for e in received), [contract_errors(e) for e in received]
    assert "13812345678" not in json.dumps(received)
    held = received[0]["data"]
    assert (held["group_id"], held["kind"], held["on_time"], held["has_minutes"], held["attendees"], held["by"]) == (
        "A", "evening", True, True, ["c1"], "s1")
    assert received[1]["data"]["class_deductions"]["NEV"] == "300.00"
    assert (received[2]["subject"], received[2]["data"]["plan"]) == ("2026-W48/A", "Call 138****5678 again")

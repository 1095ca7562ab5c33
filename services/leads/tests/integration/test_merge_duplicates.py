"""Merging duplicates (合并重复客户): one person filed twice under two phones, over HTTP on SQLite and PostgreSQL.

c1 filed the customer as A (a walk-in on day D, back on D+3); c2 filed them again as B from a call on D+1 (the
call logged first), followed up, invited them and received them on D+2. The sales manager m1 merges B into A:
A holds both histories, its visits numbered again in time order; B is closed as merged, takes no more work,
leaves the lists, and its phone finds A.
"""
from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests
from sqlalchemy import select

from contracts import contract_errors
from dealer_testing import token
from leads.consumers import HANDLERS
from shared.envelope import make_event
from shared.outbox import OutboxEvent

PROBLEM = "application/problem+json"
SHANGHAI = ZoneInfo("Asia/Shanghai")
D = datetime.now(SHANGHAI).date() - timedelta(days=10)
PHONE_A, PHONE_B = "13900000011", "13900000022"
FLEET_VIN = "LSVAU2182N2183290"


@pytest.fixture(autouse=True)
def store_in_shanghai(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEALER_TZ", "Asia/Shanghai")


def local(days_from_d: int, clock: str) -> str:
    return f"{(D + timedelta(days=days_from_d)).isoformat()}T{clock}:00+08:00"


def ok(response: Any, status: int = 201) -> dict[str, Any]:
    assert response.status_code == status, response.get_json()
    return dict(response.get_json())


def events_of(app: Any, routing_key: str) -> list[dict[str, Any]]:
    with app.extensions["dealer"].sessions() as session:
        rows = session.scalars(select(OutboxEvent).order_by(OutboxEvent.position))
        return [e for e in (json.loads(row.body) for row in rows) if e["type"] == f"dealer.{routing_key}.v1"]


def assert_refused(response: Any, status: int, field: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.get_json()
    assert response.mimetype == PROBLEM
    problem = dict(response.get_json())
    if field is not None:
        assert set(problem["errors"]) == {field}, problem
    return problem


@pytest.fixture
def pair(as_role, new_lead) -> dict[str, Any]:
    """A (c1's, two visits) and B (c2's, a call, a follow-up, an appointment kept by a visit): one person."""
    c1, c2 = as_role("consultant", "c1"), as_role("consultant", "c2")
    a = new_lead(c1, phone=PHONE_A, source="walk_in", occurred_at=local(0, "09:00"))
    inquiry = ok(c2.post("/api/v1/inquiries", json={"channel": "phone", "phone": PHONE_B,
                                                    "occurred_at": local(1, "09:30")}))
    b = new_lead(c2, phone=PHONE_B, occurred_at=local(1, "10:00"))
    path_b = f"/api/v1/leads/{b['id']}"
    ok(c2.post(f"{path_b}/follow-ups", json={"channel": "phone", "summary": "wants the white one",
                                             "occurred_at": local(1, "11:00")}))
    appointment = ok(c2.post(f"{path_b}/appointments", json={"scheduled_at": local(2, "10:00"),
                                                             "occurred_at": local(1, "11:05")}))
    ok(c2.post(f"{path_b}/visits", json={"appointment_id": appointment["id"], "occurred_at": local(2, "10:00")}))
    ok(c1.post(f"/api/v1/leads/{a['id']}/visits", json={"requested_consultant_id": "c1",
                                                        "occurred_at": local(3, "15:00")}))
    return {"a": a["id"], "b": b["id"], "inquiry": inquiry["id"], "appointment": appointment["id"]}


def merge(caller: Any, survivor: str, duplicate: str) -> Any:
    return caller.post(f"/api/v1/leads/{survivor}/merge", json={"duplicate_lead_id": duplicate})


def activities(caller: Any, lead_id: str) -> list[dict[str, Any]]:
    return list(ok(caller.get(f"/api/v1/leads/{lead_id}/activities"), 200)["items"])


def test_the_survivor_holds_both_histories_with_its_visits_numbered_in_time_order(app, as_role, pair) -> None:
    manager = as_role("sales_manager", "m1")
    answer = ok(merge(manager, pair["a"], pair["b"]), 200)
    assert (answer["id"], answer["owner_id"], answer["visits"], answer["status"]) == (pair["a"], "c1", 3, "potential")
    assert answer["merged_into"] is None
    items = activities(manager, pair["a"])
    assert [(i["kind"], i["at"], i["by"]) for i in items[:-1]] == [
        ("created", local(0, "09:00"), "c1"), ("visit", local(0, "09:00"), "c1"),
        ("follow_up", local(1, "11:00"), "c2"), ("appointment", local(1, "11:05"), "c2"),
        ("visit", local(2, "10:00"), "c2"), ("visit", local(3, "15:00"), "c1")]
    assert [i["visit_number"] for i in items if i["kind"] == "visit"] == [1, 2, 3]
    merged = items[-1]
    assert (merged["kind"], merged["by"], merged["duplicate_lead_id"]) == ("merged", "m1", pair["b"])
    register = ok(manager.get("/api/v1/inquiries"), 200)["items"]
    assert [(i["id"], i["lead_id"]) for i in register] == [(pair["inquiry"], pair["a"])]
    [event] = events_of(app, "leads.lead.merged")
    assert event["subject"] == pair["a"] and contract_errors(event) == []
    assert {k: v for k, v in event["data"].items() if k != "merged_at"} == {
        "lead_id": pair["a"], "duplicate_lead_id": pair["b"], "owner_id": "c1", "by": "m1"}
    assert PHONE_A not in json.dumps(event) and PHONE_B not in json.dumps(event)


def idle_on_the_agenda(caller: Any) -> list[str]:
    return [item["lead_id"] for item in ok(caller.get("/api/v1/agenda"), 200)["idle_leads"]]


def test_the_duplicate_is_closed_as_merged_left_out_of_lists_and_agendas_and_its_phone_finds_the_survivor(
        as_role, pair) -> None:
    manager, c2 = as_role("sales_manager", "m1"), as_role("consultant", "c2")
    assert idle_on_the_agenda(c2) == [pair["b"]]  # no contact since D+2: idle on c2's day
    ok(merge(manager, pair["a"], pair["b"]), 200)
    assert idle_on_the_agenda(c2) == []
    duplicate = ok(manager.get(f"/api/v1/leads/{pair['b']}"), 200)
    assert (duplicate["status"], duplicate["merged_into"], duplicate["owner_id"]) == ("merged", pair["a"], "c2")
    assert [i["kind"] for i in activities(manager, pair["b"])] == ["created", "merged"]
    assert activities(manager, pair["b"])[-1]["merged_into"] == pair["a"]
    assert [lead["id"] for lead in ok(manager.get("/api/v1/leads"), 200)["items"]] == [pair["a"]]
    assert [lead["id"] for lead in ok(manager.get("/api/v1/leads?status=merged"), 200)["items"]] == [pair["b"]]
    again = ok(c2.post("/api/v1/inquiries", json={"channel": "phone", "phone": PHONE_B}))
    assert (again["filed"], again["lead_id"]) == (True, pair["a"])
    refiled = assert_refused(c2.post("/api/v1/leads", json={"name": "Wang Lei", "phone": PHONE_B,
                                                            "source": "phone_in", "model_interest": "Aurora"}), 409)
    assert refiled["existing_lead_id"] == pair["a"]
    appointments = {role: ok(as_role("consultant", role).get("/api/v1/appointments"), 200)["items"]
                    for role in ("c1", "c2")}
    assert [a["id"] for a in appointments["c1"]] == [pair["appointment"]] and appointments["c2"] == []


def test_merging_refuses_itself_an_unknown_lead_and_a_lead_already_merged_on_either_side(app, as_role, pair,
                                                                                        new_lead) -> None:
    manager = as_role("sales_manager", "m1")
    assert_refused(merge(manager, pair["a"], pair["a"]), 422, "duplicate_lead_id")
    unknown = "00000000-0000-4000-8000-000000000000"
    assert_refused(merge(manager, pair["a"], unknown), 404)
    assert_refused(merge(manager, unknown, pair["b"]), 404)
    assert_refused(merge(manager, pair["a"], ""), 422, "duplicate_lead_id")
    assert_refused(merge(as_role("consultant", "c1"), pair["a"], pair["b"]), 403)
    assert_refused(merge(as_role("online_sales", "d1"), pair["a"], pair["b"]), 403)
    ok(merge(manager, pair["a"], pair["b"]), 200)
    third = new_lead(as_role("consultant", "c3"), phone="13900000033")
    assert_refused(merge(manager, pair["a"], pair["b"]), 409)  # merged already
    assert_refused(merge(manager, third["id"], pair["b"]), 409)  # the duplicate side is merged
    assert_refused(merge(manager, pair["b"], third["id"]), 409)  # the side to keep is merged
    assert len(events_of(app, "leads.lead.merged")) == 1
    assert ok(manager.get(f"/api/v1/leads/{third['id']}"), 200)["status"] == "potential"


def test_a_merged_lead_takes_no_more_work(as_role, pair) -> None:
    manager = as_role("sales_manager", "m1")
    ok(merge(manager, pair["a"], pair["b"]), 200)
    path = f"/api/v1/leads/{pair['b']}"
    later = (datetime.now(SHANGHAI) + timedelta(days=1)).replace(microsecond=0).isoformat()
    work = {"follow-ups": {"channel": "phone", "summary": "x"}, "appointments": {"scheduled_at": later},
            "visits": {"consultant_id": "c2"}, "qualify": {"level": "H"}, "lost": {"reason_code": "price"},
            "reopen": {}, "assign": {"owner_id": "c3"}}
    for what, body in work.items():
        assert_refused(manager.post(f"{path}/{what}", json=body), 409)
    assert_refused(as_role("online_sales", "d1").post(f"{path}/appointments", json={"scheduled_at": later}), 409)
    after = ok(manager.get(path), 200)
    assert (after["status"], after["owner_id"], after["visits"]) == ("merged", "c2", 0)


def test_an_order_on_the_duplicate_makes_the_survivor_a_deal_and_its_later_news_follows_the_survivor(
        app, as_role, pair) -> None:
    def apply(routing_key: str) -> None:
        with app.extensions["dealer"].sessions() as session:
            HANDLERS[routing_key](session, make_event("orders", routing_key, "o-1", {"lead_id": pair["b"]}))
            session.commit()

    manager = as_role("sales_manager", "m1")
    apply("orders.order.placed")
    assert ok(merge(manager, pair["a"], pair["b"]), 200)["status"] == "deal"
    apply("orders.order.cancelled")  # the order still names the duplicate: the customer is A now
    assert ok(manager.get(f"/api/v1/leads/{pair['a']}"), 200)["status"] == "intention"
    assert ok(manager.get(f"/api/v1/leads/{pair['b']}"), 200)["status"] == "merged"
    [reopened] = events_of(app, "leads.lead.reopened")
    assert reopened["subject"] == pair["a"] and reopened["data"]["order_id"] == "o-1"


def test_a_file_merged_into_a_lead_that_is_merged_in_turn_is_found_at_the_last_survivor(as_role, pair,
                                                                                       new_lead) -> None:
    manager = as_role("sales_manager", "m1")
    last = new_lead(as_role("consultant", "c3"), phone="13900000033")
    ok(merge(manager, pair["a"], pair["b"]), 200)
    ok(merge(manager, last["id"], pair["a"]), 200)
    assert ok(manager.get(f"/api/v1/leads/{pair['b']}"), 200)["merged_into"] == last["id"]
    for phone in (PHONE_A, PHONE_B):
        found = ok(manager.post("/api/v1/inquiries", json={"channel": "phone", "phone": phone}))
        assert found["lead_id"] == last["id"]
    assert ok(manager.get(f"/api/v1/leads/{last['id']}"), 200)["visits"] == 3


def test_test_drives_and_campaign_invitations_move_with_the_customer_and_a_second_invitation_is_dropped(
        app, as_role, pair, start_service) -> None:
    """With the real inventory answering that the car is in the test-drive fleet (试驾车)."""
    inventory = start_service("inventory", worker=False)
    car = {"vin": FLEET_VIN, "model": "Aurora", "trim": "2.0T Luxury", "color": "white", "msrp": "199900.00",
           "cost": "171000.00", "kind": "test_drive", "location": "main"}
    assert requests.post(f"{inventory.url}/api/v1/vehicles", json=car, headers=token("inventory_clerk", "k1"),
                         timeout=10).status_code == 201
    manager, c2 = as_role("sales_manager", "m1"), as_role("consultant", "c2")
    ok(c2.post(f"/api/v1/leads/{pair['b']}/test-drives", json={
        "vin": FLEET_VIN, "driver_license_no": "D123", "escort_id": "c2", "occurred_at": local(2, "10:30")}))
    today = datetime.now(SHANGHAI).date()
    show, event = (ok(manager.post("/api/v1/campaigns", json={
        "name": name, "kind": "motor_show", "starts_on": today.isoformat(),
        "ends_on": (today + timedelta(days=3)).isoformat()}))["id"] for name in ("车展", "店头活动"))
    for campaign, lead in ((show, pair["a"]), (show, pair["b"]), (event, pair["b"])):
        ok(manager.post(f"/api/v1/campaigns/{campaign}/invitations", json={"lead_id": lead}))
    ok(merge(manager, pair["a"], pair["b"]), 200)
    drives = [i for i in activities(manager, pair["a"]) if i["kind"] == "test_drive"]
    assert [(d["at"], d["vin"]) for d in drives] == [(local(2, "10:30"), FLEET_VIN)]
    invited = {campaign: [i["lead_id"] for i in ok(manager.get(f"/api/v1/campaigns/{campaign}/invitations"),
                                                   200)["items"]] for campaign in (show, event)}
    assert invited == {show: [pair["a"]], event: [pair["a"]]}

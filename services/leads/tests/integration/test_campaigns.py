"""Campaigns (市场活动): set up by the sales manager, leads invited to them, visits naming them as attendance.
Over HTTP on SQLite and PostgreSQL; one test over the real broker.

m1 is the sales manager, c1 and c2 consultants, d1 a DCC agent (online_sales). Days are the store's local days
(Asia/Shanghai); TODAY is today in the store, and every expected value is worked out from the days written here.
"""
from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests
from sqlalchemy import select

from contracts import contract_errors
from dealer_testing import token, wait_for
from dealer_testing.bus import subscriber_queue
from shared.config import load_settings
from shared.outbox import OutboxEvent

SHANGHAI = ZoneInfo("Asia/Shanghai")
PROBLEM = "application/problem+json"


@pytest.fixture(autouse=True)
def store_in_shanghai(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEALER_TZ", "Asia/Shanghai")


def today() -> date:
    return datetime.now(SHANGHAI).date()


def day(offset: int) -> str:
    """The local day ``offset`` days from today, as ISO 8601."""
    return (today() + timedelta(days=offset)).isoformat()


def at(offset: int, clock: str) -> str:
    """A store time on the local day ``offset`` days from today."""
    return f"{day(offset)}T{clock}:00+08:00"


def events_of(app: Any, routing_key: str) -> list[dict[str, Any]]:
    """The events of one routing key the service wrote to its outbox, in order."""
    with app.extensions["dealer"].sessions() as session:
        rows = session.scalars(select(OutboxEvent).order_by(OutboxEvent.position))
        return [e for e in (json.loads(row.body) for row in rows) if e["type"] == f"dealer.{routing_key}.v1"]


def campaign(caller: Any, starts: int = -1, ends: int = 1, kind: str = "motor_show", **extra: Any) -> dict[str, Any]:
    """Set up a campaign from ``starts`` to ``ends`` days from today (fails the test if refused)."""
    body = {"name": "Spring motor show 春季车展", "kind": kind, "starts_on": day(starts), "ends_on": day(ends),
            **extra}
    response = caller.post("/api/v1/campaigns", json=body)
    assert response.status_code == 201, response.get_json()
    return dict(response.get_json())


def invite(caller: Any, campaign_id: str, lead_id: str, **extra: Any) -> Any:
    return caller.post(f"/api/v1/campaigns/{campaign_id}/invitations", json={"lead_id": lead_id, **extra})


def visit(caller: Any, lead_id: str, **body: Any) -> Any:
    return caller.post(f"/api/v1/leads/{lead_id}/visits", json=body)


def assert_problem(response: Any, status: int, field: str | None = None) -> None:
    assert response.status_code == status, response.get_json()
    assert response.mimetype == PROBLEM
    if field is not None:
        assert list(response.get_json()["errors"]) == [field]


@pytest.fixture
def people(as_role) -> dict[str, Any]:
    return {"m1": as_role("sales_manager", "m1"), "c1": as_role("consultant", "c1"),
            "c2": as_role("consultant", "c2"), "d1": as_role("online_sales", "d1")}


def test_a_sales_manager_sets_up_a_campaign_over_local_days_and_it_is_announced(app, people) -> None:
    response = people["m1"].post("/api/v1/campaigns", json={
        "name": "  店头活动: 周末试驾  ", "kind": "in_store_event", "starts_on": day(2), "ends_on": day(3),
        "occurred_at": at(-1, "09:30")})
    assert response.status_code == 201, response.get_json()
    made = response.get_json()
    assert made == {"id": made["id"], "name": "店头活动: 周末试驾", "kind": "in_store_event", "starts_on": day(2),
                    "ends_on": day(3), "created_by": "m1", "created_at": at(-1, "09:30")}
    [event] = events_of(app, "leads.campaign.created")
    assert event["subject"] == made["id"] and contract_errors(event) == []
    assert event["data"] == {"campaign_id": made["id"], "name": "店头活动: 周末试驾", "kind": "in_store_event",
                             "starts_on": day(2), "ends_on": day(3), "created_by": "m1",
                             "created_at": datetime.fromisoformat(at(-1, "09:30")).astimezone(ZoneInfo("UTC"))
                             .isoformat()}


def test_a_number_typed_into_a_campaigns_name_leaves_masked_in_its_event(app, people) -> None:
    made = campaign(people["m1"], name="车展 报名热线 13912345678")
    assert made["name"] == "车展 报名热线 13912345678"
    [event] = events_of(app, "leads.campaign.created")
    assert event["data"]["name"] == "车展 报名热线 139****5678"


def test_a_one_day_campaign_ends_on_the_day_it_starts(people) -> None:
    made = campaign(people["m1"], starts=0, ends=0, kind="online")
    assert (made["starts_on"], made["ends_on"]) == (day(0), day(0))


@pytest.mark.parametrize("role", ["consultant", "online_sales", "back_office"])
def test_only_a_sales_manager_sets_up_a_campaign(as_role, role: str) -> None:
    response = as_role(role, "x1").post("/api/v1/campaigns", json={
        "name": "车展", "kind": "motor_show", "starts_on": day(1), "ends_on": day(2)})
    assert_problem(response, 403)


@pytest.mark.parametrize(("change", "field"), [
    ({"ends_on": "STARTS-1"}, "ends_on"),
    ({"kind": "roadshow"}, "kind"),
    ({"name": "   "}, "name"),
    ({"name": "x" * 101}, "name"),
    ({"starts_on": "2026-02-30"}, "starts_on"),
    ({"starts_on": "1999-12-31"}, "starts_on"),
    ({"ends_on": None}, "ends_on"),
    ({"occurred_at": "2099-01-01T10:00:00+08:00"}, "occurred_at"),
    ({"budget": "10000.00"}, "budget"),
])
def test_a_bad_campaign_is_422_naming_the_field_and_nothing_is_made(app, people, change: dict[str, Any],
                                                                    field: str) -> None:
    body = {"name": "车展", "kind": "motor_show", "starts_on": day(5), "ends_on": day(7), **change}
    if body["ends_on"] == "STARTS-1":  # a last day before the first
        body["ends_on"] = day(4)
    assert_problem(people["m1"].post("/api/v1/campaigns", json=body), 422, field)
    assert people["m1"].get("/api/v1/campaigns").get_json()["total"] == 0
    assert events_of(app, "leads.campaign.created") == []


def test_campaigns_are_listed_latest_start_first_by_kind_and_by_a_day_they_run_on(people) -> None:
    show = campaign(people["m1"], starts=-3, ends=-1, kind="motor_show")
    event = campaign(people["m1"], starts=-1, ends=0, kind="in_store_event")
    online = campaign(people["m1"], starts=2, ends=9, kind="online")
    every = people["c1"].get("/api/v1/campaigns").get_json()
    assert [c["id"] for c in every["items"]] == [online["id"], event["id"], show["id"]]
    assert (every["total"], every["page"], every["page_size"]) == (3, 1, 50)
    assert every["items"][0] == {**online, "invited": 0, "arrived": 0}
    running_yesterday = people["d1"].get("/api/v1/campaigns", query_string={"active_on": day(-1)}).get_json()
    assert [c["id"] for c in running_yesterday["items"]] == [event["id"], show["id"]]
    shows = people["m1"].get("/api/v1/campaigns", query_string={"kind": "motor_show", "active_on": day(-3)})
    assert [c["id"] for c in shows.get_json()["items"]] == [show["id"]]
    second_page = people["c1"].get("/api/v1/campaigns", query_string={"page": 2, "page_size": 2}).get_json()
    assert [c["id"] for c in second_page["items"]] == [show["id"]]


@pytest.mark.parametrize("query", [{"active_on": "yesterday"}, {"kind": "fair"}, {"page_size": "0"},
                                   {"starts_on": "2026-12-01"}])
def test_a_bad_campaign_query_is_422_naming_the_parameter(people, query: dict[str, str]) -> None:
    assert_problem(people["c1"].get("/api/v1/campaigns", query_string=query), 422, next(iter(query)))


def test_the_back_office_and_the_clerks_do_not_read_campaigns(as_role, people) -> None:
    made = campaign(people["m1"])
    for role in ("back_office", "inventory_clerk", "after_sales"):
        assert_problem(as_role(role, "x1").get("/api/v1/campaigns"), 403)
        assert_problem(as_role(role, "x1").get(f"/api/v1/campaigns/{made['id']}"), 403)


def test_a_campaign_that_does_not_exist_is_404(people) -> None:
    missing = "00000000-0000-4000-8000-000000000000"
    assert_problem(people["c1"].get(f"/api/v1/campaigns/{missing}"), 404)
    assert_problem(people["c1"].get(f"/api/v1/campaigns/{missing}/invitations"), 404)
    assert_problem(invite(people["m1"], missing, missing), 404)


def test_a_consultant_invites_only_their_own_leads_and_managers_and_dcc_staff_invite_any(people, new_lead) -> None:
    made = campaign(people["m1"])
    own, other, third = (new_lead(people["c1"], phone="13900000101"), new_lead(people["c2"], phone="13900000102"),
                         new_lead(people["c2"], phone="13900000103"))
    mine = invite(people["c1"], made["id"], own["id"])
    assert mine.status_code == 201, mine.get_json()
    answer = mine.get_json()
    assert (answer["campaign_id"], answer["lead_id"], answer["invited_by"]) == (made["id"], own["id"], "c1")
    assert answer["invited_at"].endswith("+08:00")
    refused = invite(people["c1"], made["id"], other["id"])
    assert_problem(refused, 403)
    assert invite(people["d1"], made["id"], other["id"]).status_code == 201  # DCC: without owning the lead
    assert invite(people["m1"], made["id"], third["id"]).status_code == 201
    listed = people["c2"].get(f"/api/v1/campaigns/{made['id']}/invitations").get_json()
    assert [(i["lead_id"], i["invited_by"], i["arrived"]) for i in listed["items"]] == [
        (own["id"], "c1", False), (other["id"], "d1", False), (third["id"], "m1", False)]
    assert listed["total"] == 3
    assert people["c1"].get(f"/api/v1/campaigns/{made['id']}").get_json()["invited"] == 3


def test_inviting_the_same_lead_twice_is_409_and_counts_once(app, people, new_lead) -> None:
    made = campaign(people["m1"])
    lead = new_lead(people["c1"], phone="13900000111")
    assert invite(people["c1"], made["id"], lead["id"]).status_code == 201
    again = invite(people["d1"], made["id"], lead["id"])
    assert_problem(again, 409)
    assert again.get_json()["lead_id"] == lead["id"]
    assert people["m1"].get(f"/api/v1/campaigns/{made['id']}").get_json()["invited"] == 1
    assert len(events_of(app, "leads.campaign.invited")) == 1
    other = campaign(people["m1"], kind="outreach")
    assert invite(people["c1"], other["id"], lead["id"]).status_code == 201  # once per campaign, not once ever


def test_a_lost_lead_is_not_invited_until_it_is_reopened(people, new_lead) -> None:
    made = campaign(people["m1"])
    lead = new_lead(people["c1"], phone="13900000121")
    lost = people["c1"].post(f"/api/v1/leads/{lead['id']}/lost", json={"reason_code": "postponed"})
    assert lost.status_code == 200, lost.get_json()
    assert_problem(invite(people["m1"], made["id"], lead["id"]), 409)
    assert people["c1"].post(f"/api/v1/leads/{lead['id']}/reopen", json={}).status_code == 200
    assert invite(people["c1"], made["id"], lead["id"]).status_code == 201


def test_a_merged_duplicate_is_not_invited(people, new_lead) -> None:
    made = campaign(people["m1"])
    survivor = new_lead(people["c1"], phone="13900000131")
    duplicate = new_lead(people["c1"], phone="13900000132")
    merged = people["m1"].post(f"/api/v1/leads/{survivor['id']}/merge", json={"duplicate_lead_id": duplicate["id"]})
    assert merged.status_code == 200, merged.get_json()
    assert_problem(invite(people["m1"], made["id"], duplicate["id"]), 409)
    assert invite(people["m1"], made["id"], survivor["id"]).status_code == 201


def test_a_campaign_already_over_takes_no_invitations_but_one_keyed_in_from_before_its_end_is_taken(people,
                                                                                            new_lead) -> None:
    over = campaign(people["m1"], starts=-5, ends=-1)
    lead = new_lead(people["c1"], phone="13900000141", occurred_at=at(-8, "10:00"))
    late = invite(people["c1"], over["id"], lead["id"])
    assert_problem(late, 409)
    assert "ended" in late.get_json()["detail"]
    keyed_in = invite(people["c1"], over["id"], lead["id"], occurred_at=at(-6, "15:00"))  # from the paper list
    assert keyed_in.status_code == 201, keyed_in.get_json()
    assert keyed_in.get_json()["invited_at"] == at(-6, "15:00")
    before_filing = invite(people["c1"], campaign(people["m1"])["id"], lead["id"], occurred_at=at(-9, "10:00"))
    assert_problem(before_filing, 422, "occurred_at")


@pytest.mark.parametrize(("body", "field"), [
    ({}, "lead_id"),
    ({"lead_id": "00000000-0000-4000-8000-000000000000"}, "lead_id"),
    ({"lead_id": ""}, "lead_id"),
    ({"lead_id": "L1", "note": "VIP"}, "note"),
])
def test_a_bad_invitation_is_422_naming_the_field(people, body: dict[str, Any], field: str) -> None:
    made = campaign(people["m1"])
    assert_problem(people["m1"].post(f"/api/v1/campaigns/{made['id']}/invitations", json=body), 422, field)


def test_a_visit_naming_a_running_campaign_is_attendance_invited_or_not(people, new_lead) -> None:
    show = campaign(people["m1"])
    invited_came, walked_in, invited_stayed_away = (new_lead(people["c1"], phone="13900000151"),
                                                    new_lead(people["c1"], phone="13900000152"),
                                                    new_lead(people["c2"], phone="13900000153"))
    assert invite(people["c1"], show["id"], invited_came["id"]).status_code == 201
    assert invite(people["d1"], show["id"], invited_stayed_away["id"]).status_code == 201
    came = visit(people["c1"], invited_came["id"], campaign_id=show["id"])
    assert came.status_code == 201, came.get_json()
    assert came.get_json()["campaign_id"] == show["id"] and came.get_json()["owner_id"] == "c1"
    assert visit(people["c1"], walked_in["id"], campaign_id=show["id"]).status_code == 201  # a walk-in at the show
    assert visit(people["c1"], invited_came["id"], campaign_id=show["id"]).status_code == 201  # back the next hour
    plain = visit(people["c1"], walked_in["id"])
    assert plain.status_code == 201 and plain.get_json()["campaign_id"] is None
    counted = people["c2"].get(f"/api/v1/campaigns/{show['id']}").get_json()
    assert (counted["invited"], counted["arrived"]) == (2, 2)  # leads, not visits: the one back twice counts once
    listed = people["c1"].get(f"/api/v1/campaigns/{show['id']}/invitations").get_json()["items"]
    assert {i["lead_id"]: i["arrived"] for i in listed} == {invited_came["id"]: True,
                                                            invited_stayed_away["id"]: False}


def test_a_visit_naming_a_campaign_not_running_on_its_day_is_422_naming_campaign_id(app, people, new_lead) -> None:
    coming = campaign(people["m1"], starts=2, ends=4)
    past = campaign(people["m1"], starts=-10, ends=-8)
    lead = new_lead(people["c1"], phone="13900000161", occurred_at=at(-12, "10:00"))
    assert_problem(visit(people["c1"], lead["id"], campaign_id=coming["id"]), 422, "campaign_id")
    assert_problem(visit(people["c1"], lead["id"], campaign_id="00000000-0000-4000-8000-000000000000"), 422,
                   "campaign_id")
    assert_problem(visit(people["c1"], lead["id"], campaign_id=past["id"]), 422, "campaign_id")
    assert people["c1"].get(f"/api/v1/leads/{lead['id']}").get_json()["visits"] == 0
    assert events_of(app, "leads.visit.recorded") == []
    on_its_last_day = visit(people["c1"], lead["id"], campaign_id=past["id"], occurred_at=at(-8, "23:30"))
    assert on_its_last_day.status_code == 201, on_its_last_day.get_json()  # 15:30 UTC, still its last local day


def test_the_invitation_and_the_visit_event_carry_the_campaign_and_no_phone(app, people, new_lead) -> None:
    show = campaign(people["m1"])
    lead = new_lead(people["c1"], phone="13900000171")
    invited = invite(people["d1"], show["id"], lead["id"]).get_json()
    visited = visit(people["c1"], lead["id"], campaign_id=show["id"]).get_json()
    [invitation] = events_of(app, "leads.campaign.invited")
    assert invitation["subject"] == lead["id"] and contract_errors(invitation) == []
    assert invitation["data"] == {"campaign_id": show["id"], "lead_id": lead["id"], "owner_id": "c1",
                                  "invited_by": "d1", "invited_at": invitation["data"]["invited_at"]}
    assert datetime.fromisoformat(invitation["data"]["invited_at"]) == datetime.fromisoformat(invited["invited_at"])
    [arrival] = events_of(app, "leads.visit.recorded")
    assert arrival["data"]["campaign_id"] == show["id"] and arrival["data"]["visit_id"] == visited["id"]
    assert contract_errors(arrival) == []
    assert "13900000171" not in json.dumps([invitation, arrival])


def test_a_leads_activities_show_the_invitation_and_the_campaign_of_its_visit(people, new_lead) -> None:
    show = campaign(people["m1"], starts=-3, ends=-2)
    lead = new_lead(people["c1"], phone="13900000181", occurred_at=at(-6, "10:00"))
    assert invite(people["c1"], show["id"], lead["id"], occurred_at=at(-5, "11:00")).status_code == 201
    assert visit(people["c1"], lead["id"], campaign_id=show["id"], occurred_at=at(-2, "14:00")).status_code == 201
    items = people["c1"].get(f"/api/v1/leads/{lead['id']}/activities").get_json()["items"]
    assert [(i["kind"], i["at"], i["by"]) for i in items] == [
        ("created", at(-6, "10:00"), "c1"), ("campaign_invitation", at(-5, "11:00"), "c1"),
        ("visit", at(-2, "14:00"), "c1")]
    assert items[1]["campaign_id"] == show["id"] and items[2]["campaign_id"] == show["id"]


@pytest.fixture
def campaign_news(dealer_env: dict[str, str]) -> Any:
    """A subscriber's queue bound to the invitations and visits, like reporting's."""
    keys = ("leads.campaign.invited", "leads.visit.recorded")
    with subscriber_queue(load_settings("leads"), "subscriber.campaigns", keys) as (channel, name):
        yield lambda: channel.basic_get(name, no_ack=True)


def test_an_invitation_and_the_visit_that_attends_reach_a_subscriber_over_the_broker(start_service, database_url,
                                                                                      campaign_news) -> None:
    leads = start_service("leads", database_url)

    def post(role: str, sub: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
        answer = requests.post(f"{leads.url}/api/v1{path}", json=body, headers=token(role, sub), timeout=10)
        assert answer.status_code == 201, answer.text
        return dict(answer.json())

    show = post("sales_manager", "m1", "/campaigns", {"name": "车展", "kind": "motor_show", "starts_on": day(-1),
                                                       "ends_on": day(1)})
    lead = post("consultant", "c1", "/leads", {"name": "Wang Lei", "phone": "13900000191", "source": "event",
                                               "model_interest": "Aurora"})
    post("online_sales", "d1", f"/campaigns/{show['id']}/invitations", {"lead_id": lead["id"]})
    post("consultant", "c1", f"/leads/{lead['id']}/visits", {"campaign_id": show["id"]})
    received: list[dict[str, Any]] = []

    def both() -> bool:
        message = campaign_news()
        if message is not None:
            received.append(json.loads(message.body))
        return len(received) == 2
    wait_for(both, timeout=20, message="the invitation and the visit in the subscriber's queue")
    invited, visited = sorted(received, key=lambda e: e["type"])
    assert invited["type"] == "dealer.leads.campaign.invited.v1" and contract_errors(invited) == []
    assert (invited["data"]["campaign_id"], invited["data"]["lead_id"], invited["data"]["owner_id"],
            invited["data"]["invited_by"]) == (show["id"], lead["id"], "c1", "d1")
    assert visited["type"] == "dealer.leads.visit.recorded.v1" and contract_errors(visited) == []
    assert visited["data"]["campaign_id"] == show["id"] and visited["data"]["lead_id"] == lead["id"]

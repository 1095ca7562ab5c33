"""The call register (来电客户登记表, issue 14): POST /inquiries takes what the caller asked for, and
GET /inquiries reads it back by local day, channel and filed or not, newest first. SQLite and PostgreSQL."""
from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from contracts import contract_errors
from shared.outbox import OutboxEvent

SHANGHAI = ZoneInfo("Asia/Shanghai")
D = datetime.now(SHANGHAI).date() - timedelta(days=30)
CALLER = {"name": "Li Na", "model_interest": "Aurora", "budget": "180000.00", "purchase_timeframe": "within_15_days"}


@pytest.fixture(autouse=True)
def store_in_shanghai(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEALER_TZ", "Asia/Shanghai")


def local(days_from_d: int, clock: str) -> str:
    return f"{(D + timedelta(days=days_from_d)).isoformat()}T{clock}:00+08:00"


def log(caller: Any, **body: Any) -> dict[str, Any]:
    answer = caller.post("/api/v1/inquiries", json=body)
    assert answer.status_code == 201, answer.get_json()
    return dict(answer.get_json())


def register(caller: Any, **params: Any) -> dict[str, Any]:
    answer = caller.get("/api/v1/inquiries", query_string=params)
    assert answer.status_code == 200, answer.get_json()
    return dict(answer.get_json())


def test_an_inquiry_keeps_name_model_budget_and_timeframe_and_its_event_carries_them(app, as_role) -> None:
    logged = log(as_role("consultant", "c1"), channel="phone", phone="13900000021", **CALLER)
    assert {key: logged[key] for key in CALLER} == CALLER
    with app.extensions["dealer"].sessions() as session:
        bodies = [json.loads(row.body) for row in session.scalars(select(OutboxEvent))]
    event = next(e for e in bodies if e["type"] == "dealer.leads.inquiry.received.v1")
    assert contract_errors(event) == []
    assert (event["data"]["budget"], event["data"]["purchase_timeframe"]) == ("180000.00", "within_15_days")
    assert "name" not in event["data"]  # a caller's name stays in the leads service


def test_the_register_lists_newest_first_by_local_day_channel_and_filed(as_role, new_lead) -> None:
    c1 = as_role("consultant", "c1")
    early = log(c1, channel="phone", phone="13900000022", occurred_at=local(0, "00:30"))  # D-1 16:30 UTC
    walk_in = log(c1, channel="walk_in", phone="13900000023", occurred_at=local(0, "18:00"))
    before = log(c1, channel="phone", occurred_at=local(-1, "23:50"))
    lead = new_lead(c1, phone="13900000023", inquiry_id=walk_in["id"])
    manager = as_role("sales_manager", "m1")
    day = D.isoformat()
    assert [i["id"] for i in register(manager, **{"from": day, "to": day})["items"]] == [walk_in["id"], early["id"]]
    assert [i["id"] for i in register(manager, **{"to": (D - timedelta(days=1)).isoformat()})["items"]] == [
        before["id"]]
    assert [i["id"] for i in register(manager, channel="phone")["items"]] == [early["id"], before["id"]]
    filed = register(manager, filed="true")
    assert filed["total"] == 1 and filed["items"][0]["lead_id"] == lead["id"] and filed["items"][0]["filed"] is True
    assert register(manager, filed="false", page_size=1) == {**register(manager, filed="false", page_size=1),
                                                             "total": 2, "page": 1, "page_size": 1}


def test_the_registers_phones_are_in_full_for_managers_and_the_filed_leads_owner_only(as_role, new_lead) -> None:
    c1, c2 = as_role("consultant", "c1"), as_role("consultant", "c2")
    filed = log(c1, channel="phone", phone="13900000024")
    new_lead(c1, phone="13900000024", inquiry_id=filed["id"])
    log(c1, channel="phone", phone="13900000025")  # not filed: nobody's customer yet
    phones = {role: [i["phone"] for i in register(caller)["items"]]
              for role, caller in (("manager", as_role("sales_manager", "m1")), ("owner", c1), ("other", c2),
                                   ("back_office", as_role("back_office", "b1")))}
    assert phones == {"manager": ["13900000025", "13900000024"], "owner": ["139****0025", "13900000024"],
                      "other": ["139****0025", "139****0024"], "back_office": ["139****0025", "139****0024"]}


@pytest.mark.parametrize(("body", "field"), [
    ({"budget": 180000.5}, "budget"), ({"budget": "12.345"}, "budget"),
    ({"purchase_timeframe": "next_year"}, "purchase_timeframe"), ({"name": "x" * 101}, "name"),
    ({"model_interest": ""}, "model_interest")])
def test_a_bad_register_field_is_422_naming_it(as_role, body: dict[str, Any], field: str) -> None:
    answer = as_role("consultant", "c1").post("/api/v1/inquiries", json={"channel": "phone", **body})
    assert answer.status_code == 422 and answer.mimetype == "application/problem+json"
    assert list(answer.get_json()["errors"]) == [field]


@pytest.mark.parametrize(("query", "field"), [
    ({"from": "2026-11-30", "to": "2026-11-01"}, "from"), ({"from": "30/11/2026"}, "from"),
    ({"filed": "maybe"}, "filed"), ({"channel": "fax"}, "channel"), ({"date": "2026-11-30"}, "date")])
def test_a_bad_register_query_is_422_naming_the_parameter(as_role, query: dict[str, str], field: str) -> None:
    answer = as_role("consultant", "c1").get("/api/v1/inquiries", query_string=query)
    assert answer.status_code == 422 and answer.mimetype == "application/problem+json"
    assert list(answer.get_json()["errors"]) == [field]

"""A lead's status history: losses, reopenings, owner changes, conversions and merges, each kept when it happens
and shown by GET /leads/{id}/activities; SQLite and PostgreSQL.

c1 owns the leads, c2 is another consultant, m1 the sales manager. The migration that brings the history in
(0007) fills it only with what the tables already knew: the owner changes visits recorded.
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from sqlalchemy import MetaData, select

from dealer_testing import DEFAULT_SECRET, ClientCaller
from leads.app import create_app
from leads.consumers import HANDLERS
from leads.models import LeadStatusChange
from shared.db import dispose_engines, get_engine
from shared.envelope import make_event
from shared.migrations import upgrade
from shared.outbox import OutboxEvent
from shared.service import service

SHANGHAI = ZoneInfo("Asia/Shanghai")
D = datetime.now(SHANGHAI).date() - timedelta(days=20)


@pytest.fixture(autouse=True)
def store_in_shanghai(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEALER_TZ", "Asia/Shanghai")


def local(days_from_d: int, clock: str) -> str:
    return f"{(D + timedelta(days=days_from_d)).isoformat()}T{clock}:00+08:00"


def ok(response: Any, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.get_json()
    return dict(response.get_json())


def activities(caller: Any, lead_id: str) -> list[dict[str, Any]]:
    return list(ok(caller.get(f"/api/v1/leads/{lead_id}/activities"))["items"])


def changes(app: Flask, lead_id: str) -> list[tuple[str, str | None]]:
    """(kind, by) of each row of the lead's status history, in the order written."""
    with app.extensions["dealer"].sessions() as session:
        rows = session.scalars(select(LeadStatusChange).where(LeadStatusChange.lead_id == lead_id)
                               .order_by(LeadStatusChange.id))
        return [(row.kind, row.by) for row in rows]


def event_data(app: Flask, routing_key: str) -> list[dict[str, Any]]:
    with app.extensions["dealer"].sessions() as session:
        rows = session.scalars(select(OutboxEvent).order_by(OutboxEvent.position))
        return [e["data"] for e in (json.loads(r.body) for r in rows) if e["type"] == f"dealer.{routing_key}.v1"]


def test_each_loss_and_reopening_is_kept_with_its_time_who_and_the_reason(app, as_role, new_lead) -> None:
    c1 = as_role("consultant", "c1")
    lead = new_lead(c1, occurred_at=local(0, "09:00"))
    path = f"/api/v1/leads/{lead['id']}"
    ok(c1.post(f"{path}/lost", json={"reason_code": "competitor", "competitor_brand": "比亚迪",
                                     "note": "wife's phone 13912345678"}))
    ok(as_role("sales_manager", "m1").post(f"{path}/reopen", json={}))
    ok(c1.post(f"{path}/lost", json={"reason_code": "price"}))
    items = activities(as_role("sales_manager", "m1"), lead["id"])
    assert [(i["kind"], i["by"]) for i in items] == [("created", "c1"), ("lost", "c1"), ("reopened", "m1"),
                                                     ("lost", "c1")]
    first, reopened, second = items[1:]
    assert (first["reason_code"], first["competitor_brand"], first["reason"]) == (
        "competitor", "比亚迪", "wife's phone 13912345678")
    assert (second["reason_code"], second["competitor_brand"], second["reason"]) == ("price", None, None)
    assert reopened["status"] == "potential"
    times = [datetime.fromisoformat(i["at"]) for i in items[1:]]
    assert all(i["at"].endswith("+08:00") for i in items[1:]) and times == sorted(times)
    lost_at = [datetime.fromisoformat(e["lost_at"]) for e in event_data(app, "leads.lead.lost")]
    assert lost_at == [times[0], times[2]]  # the event says the same moment the history keeps
    assert [datetime.fromisoformat(e["reopened_at"]) for e in event_data(app, "leads.lead.reopened")] == [times[1]]
    masked = activities(as_role("consultant", "c2"), lead["id"])[1]
    assert masked["reason"] == "wife's phone 139****5678"


def test_a_managers_reassignment_is_an_owner_change_by_the_manager_and_one_to_the_same_owner_none(
        app, as_role, new_lead) -> None:
    lead = new_lead(as_role("consultant", "c1"))
    manager = as_role("sales_manager", "m1")
    ok(manager.post(f"/api/v1/leads/{lead['id']}/assign", json={"owner_id": "c2"}))
    ok(manager.post(f"/api/v1/leads/{lead['id']}/assign", json={"owner_id": "c2"}))
    [change] = [i for i in activities(manager, lead["id"]) if i["kind"] == "owner_changed"]
    assert (change["by"], change["previous_owner_id"], change["owner_id"], change["rule"]) == (
        "m1", "c1", "c2", "reassigned by a sales manager")
    assert change["at"].endswith("+08:00")
    assert changes(app, lead["id"]) == [("owner_changed", "m1")]


def test_an_owner_change_by_the_visit_rule_is_kept_once_with_the_visits_time(app, as_role, new_lead) -> None:
    lead = new_lead(as_role("consultant", "c1"), occurred_at=local(0, "09:00"))
    ok(as_role("consultant", "c2").post(f"/api/v1/leads/{lead['id']}/visits",
                                        json={"occurred_at": local(2, "15:00")}), 201)
    ok(as_role("consultant", "c1").post(f"/api/v1/leads/{lead['id']}/visits",
                                        json={"consultant_id": "c1", "requested_consultant_id": "c2",
                                              "occurred_at": local(3, "10:00")}), 201)  # rule 4 keeps c2
    items = activities(as_role("sales_manager", "m1"), lead["id"])
    assert [(i["kind"], i["at"], i["by"]) for i in items] == [
        ("created", local(0, "09:00"), "c1"), ("visit", local(2, "15:00"), "c2"),
        ("owner_changed", local(2, "15:00"), "c2"), ("visit", local(3, "10:00"), "c1")]
    assert (items[2]["previous_owner_id"], items[2]["owner_id"], items[2]["rule"][:2]) == ("c1", "c2", "3:")
    assert changes(app, lead["id"]) == [("owner_changed", "c2")]


def test_an_orders_news_converts_and_reopens_the_lead_in_its_history_naming_the_order(app, as_role,
                                                                                       new_lead) -> None:
    lead = new_lead(as_role("consultant", "c1"))
    for routing_key in ("orders.order.placed", "orders.order.cancelled"):
        with app.extensions["dealer"].sessions() as session:
            HANDLERS[routing_key](session, make_event("orders", routing_key, "o-7", {"lead_id": lead["id"]}))
            session.commit()
    converted, reopened = activities(as_role("consultant", "c1"), lead["id"])[1:]
    assert (converted["kind"], converted["by"], converted["status"], converted["order_id"]) == (
        "converted", None, "deal", "o-7")
    assert (reopened["kind"], reopened["by"], reopened["status"], reopened["order_id"]) == (
        "reopened", None, "intention", "o-7")


def test_a_change_refused_writes_no_history(app, as_role, new_lead) -> None:
    lead = new_lead(as_role("consultant", "c1"))
    with app.extensions["dealer"].sessions() as session:
        HANDLERS["orders.order.placed"](session, make_event("orders", "orders.order.placed", "o-8",
                                                            {"lead_id": lead["id"]}))
        session.commit()
    path = f"/api/v1/leads/{lead['id']}"
    assert as_role("consultant", "c1").post(f"{path}/lost", json={"reason_code": "price"}).status_code == 409
    assert as_role("consultant", "c1").post(f"{path}/reopen", json={}).status_code == 409
    assert as_role("consultant", "c2").post(f"{path}/lost", json={"reason_code": "price"}).status_code == 403
    assert changes(app, lead["id"]) == [("converted", None)]


# --- the migration ------------------------------------------------------------------------------------------

@pytest.fixture
def before_0007(database_url: str, dealer_env: dict[str, str]) -> Iterator[str]:
    """A database at revision 0006 (before the status history), holding a lead c1 filed that c2 took over on a
    visit (rule 3), came back to c2 asking for them, and lost; migrated to the latest afterwards by the test."""
    upgrade(service("leads"), database_url, "0006")
    tables = MetaData()
    engine = get_engine(database_url)
    tables.reflect(engine)
    filed, first, second = (datetime(2026, 11, 2, 1, 0, tzinfo=UTC), datetime(2026, 11, 4, 7, 0, tzinfo=UTC),
                            datetime(2026, 11, 5, 2, 0, tzinfo=UTC))
    with engine.begin() as conn:
        conn.execute(tables.tables["leads"].insert().values(
            id="L-1", name="Wang Lei", phone="13900000001", source="phone_in", model_interest="Aurora", level="B",
            status="lost", owner_id="c2", created_by="c1", created_at=filed, owner_last_contact_at=second,
            served_by="c1,c2", lost_reason_code="price", visits=2))
        conn.execute(tables.tables["visits"].insert(), [
            {"id": "V-1", "lead_id": "L-1", "consultant_id": "c2", "visit_number": 1, "owner_before": "c1",
             "owner_after": "c2", "ownership_rule": "3: visit not booked by the owner's invitation",
             "visited_at": first},
            {"id": "V-2", "lead_id": "L-1", "consultant_id": "c2", "visit_number": 2, "owner_before": "c2",
             "owner_after": "c2", "ownership_rule": "4: customer named a consultant who served them",
             "visited_at": second}])
    yield database_url
    dispose_engines()


def test_the_migration_keeps_the_owner_changes_visits_recorded_and_makes_up_nothing_else(before_0007: str) -> None:
    upgrade(service("leads"), before_0007)
    app = create_app({"DATABASE_URL": before_0007, "JWT_SECRET": DEFAULT_SECRET, "TESTING": True})
    with app.extensions["dealer"].sessions() as session:
        rows = [(r.lead_id, r.kind, r.by, r.owner_before, r.owner_after, r.rule[:2])
                for r in session.scalars(select(LeadStatusChange))]
    assert rows == [("L-1", "owner_changed", "c2", "c1", "c2", "3:")]
    items = activities(ClientCaller(app.test_client(), "sales_manager", "m1"), "L-1")
    assert [(i["kind"], i["at"]) for i in items] == [
        ("created", "2026-11-02T09:00:00+08:00"), ("visit", "2026-11-04T15:00:00+08:00"),
        ("owner_changed", "2026-11-04T15:00:00+08:00"), ("visit", "2026-11-05T10:00:00+08:00"),
        ("lost", None)]  # the time of a loss before the history was kept is not known
    assert items[-1]["reason_code"] == "price"

"""Appointments (邀约) listed, rescheduled, cancelled and missed (爽约), over HTTP on a real database.

c1 and c2 are consultants, m1 the sales manager; the store's zone is DEALER_TZ's default, Asia/Shanghai
(+08:00, no daylight saving), so a local day runs from 16:00 UTC the day before to 16:00 UTC.
"""
from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import create_engine, select, text

from contracts import contract_errors
from leads.services import mark_no_shows
from leads.worker import SPEC, mark_no_shows_now
from shared.migrations import upgrade
from shared.outbox import OutboxEvent
from shared.service import service

SHANGHAI = ZoneInfo("Asia/Shanghai")
PROBLEM = "application/problem+json"


def events_of(app: Any, routing_key: str) -> list[dict[str, Any]]:
    """The events of one routing key the service wrote to its outbox, in order."""
    with app.extensions["dealer"].sessions() as session:
        rows = session.scalars(select(OutboxEvent).order_by(OutboxEvent.position))
        return [e for e in (json.loads(row.body) for row in rows) if e["type"] == f"dealer.{routing_key}.v1"]


def book(caller: Any, lead_id: str, scheduled_at: str, **extra: Any) -> dict[str, Any]:
    response = caller.post(f"/api/v1/leads/{lead_id}/appointments", json={"scheduled_at": scheduled_at, **extra})
    assert response.status_code == 201, response.get_json()
    return dict(response.get_json())


def ids(page: dict[str, Any]) -> list[str]:
    return [item["id"] for item in page["items"]]


def test_a_consultant_lists_the_appointments_of_their_own_leads_and_a_manager_all(as_role, new_lead) -> None:
    c1, c2 = as_role("consultant", "c1"), as_role("consultant", "c2")
    mine = book(c1, new_lead(c1, phone="13812345678")["id"], "2030-11-23T10:00:00+08:00")
    theirs = book(c2, new_lead(c2, phone="13812345679")["id"], "2030-11-23T09:00:00+08:00")
    assert ids(c1.get("/api/v1/appointments").get_json()) == [mine["id"]]
    every = as_role("sales_manager", "m1").get("/api/v1/appointments").get_json()
    assert ids(every) == [theirs["id"], mine["id"]] and every["total"] == 2  # by scheduled time: 09:00, 10:00
    assert every["items"][0]["status"] == "booked"


def test_the_date_filter_is_the_stores_local_day_not_the_utc_day(as_role, new_lead) -> None:
    c1 = as_role("consultant", "c1")
    lead = new_lead(c1)
    late = book(c1, lead["id"], "2030-11-23T23:30:00+08:00")  # 15:30 UTC on the 23rd
    after_midnight = book(c1, lead["id"], "2030-11-24T00:30:00+08:00")  # 16:30 UTC, still the 23rd in UTC
    assert ids(c1.get("/api/v1/appointments?date=2030-11-23").get_json()) == [late["id"]]
    assert ids(c1.get("/api/v1/appointments?date=2030-11-24").get_json()) == [after_midnight["id"]]
    assert c1.get("/api/v1/appointments?date=2030-11-22").get_json()["total"] == 0


def test_the_status_filter_and_bad_query_parameters_name_the_parameter(as_role, new_lead) -> None:
    c1 = as_role("consultant", "c1")
    lead = new_lead(c1)
    kept = book(c1, lead["id"], "2030-11-23T10:00:00+08:00")
    dropped = book(c1, lead["id"], "2030-11-24T10:00:00+08:00")
    c1.post(f"/api/v1/appointments/{dropped['id']}/cancel", json={"reason": "customer travelling"})
    assert ids(c1.get("/api/v1/appointments?status=cancelled").get_json()) == [dropped["id"]]
    assert ids(c1.get("/api/v1/appointments?status=booked").get_json()) == [kept["id"]]
    bad = c1.get("/api/v1/appointments?date=23/11/2030&status=missed&page_size=0")
    assert bad.status_code == 422 and bad.mimetype == PROBLEM
    assert set(bad.get_json()["errors"]) == {"date", "status", "page_size"}


def test_the_owner_reschedules_a_booked_appointment_and_the_event_names_both_times(app, as_role, new_lead) -> None:
    c1 = as_role("consultant", "c1")
    appointment = book(c1, new_lead(c1)["id"], "2030-11-23T10:00:00+08:00")
    response = c1.post(f"/api/v1/appointments/{appointment['id']}/reschedule",
                       json={"scheduled_at": "2030-11-25T15:00:00"})  # no offset: the store's 15:00
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["scheduled_at"] == "2030-11-25T15:00:00+08:00"
    assert response.get_json()["status"] == "booked"
    [event] = events_of(app, "leads.appointment.rescheduled")
    assert event["data"]["scheduled_at"] == "2030-11-25T07:00:00+00:00"
    assert event["data"]["previous_scheduled_at"] == "2030-11-23T02:00:00+00:00"
    assert event["data"]["by"] == "c1" and contract_errors(event) == []


def test_an_appointment_is_not_rescheduled_into_the_past(as_role, new_lead) -> None:
    c1 = as_role("consultant", "c1")
    appointment = book(c1, new_lead(c1)["id"], "2030-11-23T10:00:00+08:00")
    yesterday = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    response = c1.post(f"/api/v1/appointments/{appointment['id']}/reschedule", json={"scheduled_at": yesterday})
    assert response.status_code == 422 and response.mimetype == PROBLEM
    assert set(response.get_json()["errors"]) == {"scheduled_at"}


def test_only_the_owner_or_a_manager_moves_or_cancels_an_appointment(app, as_role, new_lead) -> None:
    c1, c2 = as_role("consultant", "c1"), as_role("consultant", "c2")
    appointment = book(c1, new_lead(c1)["id"], "2030-11-23T10:00:00+08:00")
    move = {"scheduled_at": "2030-11-24T10:00:00+08:00"}
    assert c2.post(f"/api/v1/appointments/{appointment['id']}/reschedule", json=move).status_code == 403
    assert c2.post(f"/api/v1/appointments/{appointment['id']}/cancel", json={"reason": "x"}).status_code == 403
    assert events_of(app, "leads.appointment.rescheduled") == events_of(app, "leads.appointment.cancelled") == []
    manager = as_role("sales_manager", "m1")
    assert manager.post(f"/api/v1/appointments/{appointment['id']}/reschedule", json=move).status_code == 200
    assert manager.post(f"/api/v1/appointments/{appointment['id']}/cancel", json={"reason": "x"}).status_code == 200


def test_a_cancelled_appointment_is_not_moved_cancelled_again_or_kept(app, as_role, new_lead) -> None:
    c1 = as_role("consultant", "c1")
    lead = new_lead(c1)
    appointment = book(c1, lead["id"], "2030-11-23T10:00:00+08:00")
    response = c1.post(f"/api/v1/appointments/{appointment['id']}/cancel", json={"reason": "customer ill"})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["status"] == "cancelled" and response.get_json()["cancel_reason"] == "customer ill"
    [event] = events_of(app, "leads.appointment.cancelled")
    assert event["data"]["appointment_id"] == appointment["id"] and contract_errors(event) == []
    again = c1.post(f"/api/v1/appointments/{appointment['id']}/cancel", json={"reason": "again"})
    moved = c1.post(f"/api/v1/appointments/{appointment['id']}/reschedule",
                    json={"scheduled_at": "2030-11-24T10:00:00+08:00"})
    visit = c1.post(f"/api/v1/leads/{lead['id']}/visits", json={"appointment_id": appointment["id"]})
    assert [again.status_code, moved.status_code, visit.status_code] == [409, 409, 409]
    assert len(events_of(app, "leads.appointment.cancelled")) == 1


def test_bad_bodies_on_appointment_routes_are_problems_naming_the_field(as_role, new_lead) -> None:
    c1 = as_role("consultant", "c1")
    appointment = book(c1, new_lead(c1)["id"], "2030-11-23T10:00:00+08:00")
    route = f"/api/v1/appointments/{appointment['id']}"
    for action, body, field in [("cancel", {}, "reason"), ("cancel", {"reason": ""}, "reason"),
                                ("reschedule", {}, "scheduled_at"), ("reschedule", {"scheduled_at": "soon"},
                                                                     "scheduled_at")]:
        response = c1.post(f"{route}/{action}", json=body)
        assert response.status_code == 422 and response.mimetype == PROBLEM, (action, body)
        assert set(response.get_json()["errors"]) == {field}
    malformed = c1.post(f"{route}/cancel", data="{", content_type="application/json")
    assert malformed.status_code in (400, 422) and malformed.mimetype == PROBLEM
    unknown = c1.post("/api/v1/appointments/nope/cancel", json={"reason": "x"})
    assert unknown.status_code == 404 and unknown.mimetype == PROBLEM


def test_appointments_still_booked_after_their_local_day_are_marked_no_show_once(app, as_role, new_lead) -> None:
    c1 = as_role("consultant", "c1")
    lead = new_lead(c1)
    evening = book(c1, lead["id"], "2030-11-23T23:30:00+08:00")
    next_day = book(c1, lead["id"], "2030-11-24T00:30:00+08:00")  # the 23rd in UTC, the 24th at the store
    kept = book(c1, lead["id"], "2030-11-23T09:00:00+08:00")
    cancelled = book(c1, lead["id"], "2030-11-23T11:00:00+08:00")
    c1.post(f"/api/v1/leads/{lead['id']}/visits", json={"appointment_id": kept["id"]})
    c1.post(f"/api/v1/appointments/{cancelled['id']}/cancel", json={"reason": "customer ill"})
    sessions = app.extensions["dealer"].sessions
    with sessions() as session:  # one minute before the store's midnight: the 23rd is not over yet
        assert mark_no_shows(session, datetime(2030, 11, 23, 23, 59, tzinfo=SHANGHAI), SHANGHAI) == 0
    with sessions() as session:
        assert mark_no_shows(session, datetime(2030, 11, 24, 0, 0, tzinfo=SHANGHAI), SHANGHAI) == 1
    with sessions() as session:  # running again marks nothing twice
        assert mark_no_shows(session, datetime(2030, 11, 24, 0, 5, tzinfo=SHANGHAI), SHANGHAI) == 0
    statuses = {a["id"]: a["status"] for a in c1.get("/api/v1/appointments").get_json()["items"]}
    assert statuses == {evening["id"]: "no_show", next_day["id"]: "booked", kept["id"]: "kept",
                        cancelled["id"]: "cancelled"}
    [event] = events_of(app, "leads.appointment.no_show")
    assert event["data"]["appointment_id"] == evening["id"] and event["data"]["owner_id"] == "c1"
    assert contract_errors(event) == []


def test_no_shows_are_marked_in_batches_each_appointment_once(app, as_role, new_lead) -> None:
    c1 = as_role("consultant", "c1")
    lead = new_lead(c1)
    booked = [book(c1, lead["id"], f"2030-11-23T1{hour}:00:00+08:00")["id"] for hour in range(5)]
    with app.extensions["dealer"].sessions() as session:  # batches of 2: 2 + 2 + 1
        assert mark_no_shows(session, datetime(2030, 11, 24, 8, 0, tzinfo=SHANGHAI), SHANGHAI, batch=2) == 5
    with app.extensions["dealer"].sessions() as session:
        assert mark_no_shows(session, datetime(2030, 11, 24, 9, 0, tzinfo=SHANGHAI), SHANGHAI, batch=2) == 0
    assert sorted(e["data"]["appointment_id"] for e in events_of(app, "leads.appointment.no_show")) == sorted(booked)


def test_the_workers_job_marks_a_missed_appointment_on_the_real_clock(app, as_role, new_lead) -> None:
    c1 = as_role("consultant", "c1")
    now = datetime.now(UTC)
    lead = new_lead(c1, occurred_at=(now - timedelta(days=4)).isoformat())
    missed = book(c1, lead["id"], (now - timedelta(days=2)).isoformat(),
                  occurred_at=(now - timedelta(days=3)).isoformat())
    upcoming = book(c1, lead["id"], (now + timedelta(days=2)).isoformat())
    assert [job.run for job in SPEC.jobs] == [mark_no_shows_now]
    with app.extensions["dealer"].sessions() as session:
        assert mark_no_shows_now(session) == 1
    with app.extensions["dealer"].sessions() as session:
        assert mark_no_shows_now(session) == 0
    assert ids(c1.get("/api/v1/appointments?status=no_show").get_json()) == [missed["id"]]
    assert ids(c1.get("/api/v1/appointments?status=booked").get_json()) == [upcoming["id"]]


def test_appointments_booked_before_the_status_existed_are_kept_when_a_visit_named_them(database_url) -> None:
    spec = service("leads")
    upgrade(spec, database_url, "0004")
    engine = create_engine(database_url)
    try:
        with engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO leads (id, name, phone, source, model_interest, level, status, owner_id, created_by, "
                "created_at, owner_last_contact_at, served_by, visits) VALUES ('l1', 'Wang', '13812345678', "
                "'walk_in', 'Aurora', 'C', 'potential', 'c1', 'c1', '2026-11-01', '2026-11-01', 'c1', 1)"))
            connection.execute(text(
                "INSERT INTO appointments (id, lead_id, scheduled_at, purpose, booked_by, booked_at, kept_visit_id) "
                "VALUES ('a-kept', 'l1', '2026-11-02', 'consultation', 'c1', '2026-11-01', 'v1'), "
                "('a-open', 'l1', '2026-11-03', 'consultation', 'c1', '2026-11-01', NULL)"))
        upgrade(spec, database_url, "head")
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT id, status FROM appointments ORDER BY id")).all()
        assert [tuple(row) for row in rows] == [("a-kept", "kept"), ("a-open", "booked")]
    finally:
        engine.dispose()

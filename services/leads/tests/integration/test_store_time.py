"""Times people can read (issue 12): answers show the store's clock with its offset; a time sent without one
is store time; an appointment is never booked in the past. On SQLite (which keeps no offset) and PostgreSQL."""
from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from dealer_testing import DEFAULT_SECRET, migrate, token
from leads.app import create_app
from shared.db import dispose_engines
from shared.outbox import OutboxEvent

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def store_in_shanghai(monkeypatch: pytest.MonkeyPatch) -> None:
    """The store's zone, as ``DEALER_TZ`` names it (set, not left to the default, so the expectations hold)."""
    monkeypatch.setenv("DEALER_TZ", "Asia/Shanghai")


def store_day(days_ago: int) -> date:
    """A calendar day at the store."""
    return datetime.now(SHANGHAI).date() - timedelta(days=days_ago)


def events_of(app: Any, routing_key: str) -> list[dict[str, Any]]:
    with app.extensions["dealer"].sessions() as session:
        rows = session.scalars(select(OutboxEvent).order_by(OutboxEvent.position))
        return [e for e in (json.loads(row.body) for row in rows) if e["type"] == f"dealer.{routing_key}.v1"]


def test_an_appointment_made_for_14_00_plus_08_00_reads_back_as_14_00_plus_08_00(app, as_role, new_lead) -> None:
    c1 = as_role("consultant", "c1")
    lead = new_lead(c1)
    for sent in ("2027-01-05T14:00:00+08:00", "2027-01-05T06:00:00+00:00", "2027-01-05T06:00:00Z"):
        booked = c1.post(f"/api/v1/leads/{lead['id']}/appointments", json={"scheduled_at": sent})
        assert booked.status_code == 201, booked.get_json()
        assert booked.get_json()["scheduled_at"] == "2027-01-05T14:00:00+08:00", sent
        assert booked.get_json()["booked_at"].endswith("+08:00")
    # The event payload is not part of this change: the same moment, ISO 8601 with an offset as before.
    for event in events_of(app, "leads.appointment.booked"):
        assert datetime.fromisoformat(event["data"]["scheduled_at"]) == datetime(2027, 1, 5, 6, tzinfo=UTC)


def test_a_time_sent_without_an_offset_is_taken_as_store_time(app, as_role, new_lead) -> None:
    c1 = as_role("consultant", "c1")
    lead = new_lead(c1)
    booked = c1.post(f"/api/v1/leads/{lead['id']}/appointments", json={"scheduled_at": "2027-01-05T14:00:00"})
    assert booked.status_code == 201 and booked.get_json()["scheduled_at"] == "2027-01-05T14:00:00+08:00"
    followed = c1.post(f"/api/v1/leads/{lead['id']}/follow-ups",
                       json={"channel": "phone", "summary": "call back", "next_follow_up_at": "2027-01-04T09:30:00"})
    assert followed.status_code == 201 and followed.get_json()["next_follow_up_at"] == "2027-01-04T09:30:00+08:00"
    event = events_of(app, "leads.appointment.booked")[0]  # stored as UTC: 14:00 in Shanghai is 06:00 UTC
    assert datetime.fromisoformat(event["data"]["scheduled_at"]) == datetime(2027, 1, 5, 6, tzinfo=UTC)


def test_a_lead_filed_from_the_register_at_14_00_reads_14_00_in_the_answer_the_single_read_and_the_list(
        as_role, new_lead) -> None:
    c1 = as_role("consultant", "c1")
    day = store_day(2)
    lead = new_lead(c1, occurred_at=f"{day}T14:00:00")  # typed from the paper register, store time
    expected = f"{day}T14:00:00+08:00"
    assert lead["created_at"] == expected
    assert c1.get(f"/api/v1/leads/{lead['id']}").get_json()["created_at"] == expected
    assert [item["created_at"] for item in c1.get("/api/v1/leads").get_json()["items"]] == [expected]


def test_a_filing_day_filter_without_an_offset_is_store_time(as_role, new_lead) -> None:
    c1 = as_role("consultant", "c1")
    day = store_day(2)
    early = new_lead(c1, phone="13812345678", occurred_at=f"{day}T07:00:00+08:00")  # 23:00 UTC the day before
    new_lead(c1, phone="13912345678", occurred_at=f"{day - timedelta(days=1)}T23:00:00+08:00")
    found = c1.get(f"/api/v1/leads?created_from={day}T00:00:00&created_to={day}T23:59:59").get_json()
    assert [item["id"] for item in found["items"]] == [early["id"]]


def test_an_inquiry_reads_back_in_store_time(as_role) -> None:
    c1 = as_role("consultant", "c1")
    day = store_day(1)
    logged = c1.post("/api/v1/inquiries", json={"channel": "phone", "occurred_at": f"{day}T10:15:00+08:00"})
    assert logged.status_code == 201 and logged.get_json()["received_at"] == f"{day}T10:15:00+08:00"
    again = c1.get(f"/api/v1/inquiries/{logged.get_json()['id']}").get_json()
    assert again["received_at"] == f"{day}T10:15:00+08:00"


def test_an_appointment_in_the_past_is_refused_naming_scheduled_at(app, as_role, new_lead) -> None:
    c1 = as_role("consultant", "c1")
    lead = new_lead(c1)
    two_hours_ago = datetime.now(UTC) - timedelta(hours=2)
    naive_store_two_hours_ago = two_hours_ago.astimezone(SHANGHAI).replace(tzinfo=None)  # read as UTC: 6h ahead
    for sent in (two_hours_ago.isoformat(), naive_store_two_hours_ago.isoformat(), "2026-01-05T14:00:00+08:00"):
        refused = c1.post(f"/api/v1/leads/{lead['id']}/appointments", json={"scheduled_at": sent})
        assert refused.status_code == 422 and refused.mimetype == "application/problem+json", sent
        message = refused.get_json()["errors"]["scheduled_at"][0]
        assert "future" in message and "occurred_at" in message, message
    assert events_of(app, "leads.appointment.booked") == []


def test_an_appointment_a_few_seconds_ago_is_within_the_grace_for_clock_skew(as_role, new_lead) -> None:
    c1 = as_role("consultant", "c1")
    lead = new_lead(c1)
    just_now = (datetime.now(UTC) - timedelta(seconds=20)).isoformat()
    assert c1.post(f"/api/v1/leads/{lead['id']}/appointments", json={"scheduled_at": just_now}).status_code == 201


def test_an_invitation_keyed_in_late_must_be_for_a_time_after_it_was_booked(as_role, new_lead) -> None:
    c1 = as_role("consultant", "c1")
    lead = new_lead(c1, occurred_at=(datetime.now(UTC) - timedelta(days=10)).isoformat())
    booked_on = (datetime.now(UTC) - timedelta(days=6)).isoformat()
    before = (datetime.now(UTC) - timedelta(days=7)).isoformat()
    after = (datetime.now(UTC) - timedelta(days=5)).isoformat()
    refused = c1.post(f"/api/v1/leads/{lead['id']}/appointments",
                      json={"scheduled_at": before, "occurred_at": booked_on})
    assert refused.status_code == 422 and "scheduled_at" in refused.get_json()["errors"]
    kept = c1.post(f"/api/v1/leads/{lead['id']}/appointments", json={"scheduled_at": after, "occurred_at": booked_on})
    assert kept.status_code == 201, kept.get_json()


def test_the_openapi_document_says_a_time_without_an_offset_is_store_time(client) -> None:
    document = client.get("/openapi.json").get_json()
    schemas = document["components"]["schemas"]
    for schema, field in (("AppointmentIn", "scheduled_at"), ("FollowUpIn", "next_follow_up_at"),
                          ("AppointmentIn", "occurred_at"), ("LeadIn", "occurred_at")):
        prop = schemas[schema]["properties"][field]
        assert prop["format"] == "date-time", (schema, field)
        assert "without an offset" in prop["description"] and "store's time zone" in prop["description"]
    assert "in the past" in schemas["AppointmentIn"]["properties"]["scheduled_at"]["description"]
    listing = document["paths"]["/api/v1/leads"]["get"]["parameters"]
    created_from = next(p for p in listing if p["name"] == "created_from")
    assert "without an offset" in created_from["description"] and created_from["schema"]["format"] == "date-time"
    assert "+08:00" in schemas["LeadOut"]["properties"]["created_at"]["description"]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_store_zone_is_the_one_dealer_tz_names(monkeypatch, database_url, dealer_env) -> None:
    monkeypatch.setenv("DEALER_TZ", "Asia/Kolkata")  # +05:30: a zone that is not hard-coded anywhere
    migrate("leads", database_url)
    app = create_app({"DATABASE_URL": database_url, "JWT_SECRET": DEFAULT_SECRET, "TESTING": True})
    try:
        headers = token("consultant", "c1")
        client = app.test_client()
        lead = client.post("/api/v1/leads", headers=headers, json={
            "name": "Wang Lei", "phone": "13812345678", "source": "walk_in", "model_interest": "Aurora"}).get_json()
        booked = client.post(f"/api/v1/leads/{lead['id']}/appointments", headers=headers,
                             json={"scheduled_at": "2027-01-05T14:00:00+08:00"}).get_json()
        assert booked["scheduled_at"] == "2027-01-05T11:30:00+05:30"
        naive = client.post(f"/api/v1/leads/{lead['id']}/appointments", headers=headers,
                            json={"scheduled_at": "2027-01-05T14:00:00"}).get_json()
        assert naive["scheduled_at"] == "2027-01-05T14:00:00+05:30"
    finally:
        dispose_engines()

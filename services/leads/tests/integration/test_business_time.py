"""Past paper records (补录): ``occurred_at`` dates the record and its event; omitted means now."""
from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from contracts import contract_errors
from shared.outbox import OutboxEvent

SHANGHAI = ZoneInfo("Asia/Shanghai")  # DEALER_TZ's default


def ago(days: float) -> str:
    return (datetime.now(UTC) - timedelta(days=days)).isoformat()


def events_of(app: Any, routing_key: str) -> list[dict[str, Any]]:
    with app.extensions["dealer"].sessions() as session:
        rows = session.scalars(select(OutboxEvent).order_by(OutboxEvent.position))
        return [e for e in (json.loads(row.body) for row in rows) if e["type"] == f"dealer.{routing_key}.v1"]


def at(raw: str) -> datetime:
    return datetime.fromisoformat(raw).astimezone(UTC)


def test_a_walk_in_from_the_register_is_filed_and_visited_at_its_business_time(app, as_role, new_lead) -> None:
    c1 = as_role("consultant", "c1")
    when = ago(20)
    lead = new_lead(c1, source="walk_in", occurred_at=when)
    assert at(lead["created_at"]) == at(when)
    created = events_of(app, "leads.lead.created")[0]
    visit = events_of(app, "leads.visit.recorded")[0]
    assert at(created["data"]["created_at"]) == at(when) and at(visit["data"]["visited_at"]) == at(when)
    assert at(created["time"]) > at(when) + timedelta(days=19)  # the envelope keeps when it was keyed in
    assert contract_errors(created) == [] and contract_errors(visit) == []


def test_every_kind_of_work_on_a_lead_carries_its_business_time_into_its_event(app, as_role, new_lead) -> None:
    c1 = as_role("consultant", "c1")
    called = ago(9)
    inquiry = c1.post("/api/v1/inquiries", json={"channel": "phone", "phone": "13912345678", "occurred_at": called})
    assert inquiry.status_code == 201 and at(inquiry.get_json()["received_at"]) == at(called)
    lead = new_lead(c1, phone="13912345678", occurred_at=ago(8))
    follow = c1.post(f"/api/v1/leads/{lead['id']}/follow-ups",
                     json={"channel": "phone", "summary": "asked about the loan", "occurred_at": ago(7)})
    booked = c1.post(f"/api/v1/leads/{lead['id']}/appointments",
                     json={"scheduled_at": ago(5), "occurred_at": ago(6)})
    assert follow.status_code == 201 and booked.status_code == 201
    assert at(follow.get_json()["at"]) < at(booked.get_json()["booked_at"]) < at(ago(5.9))
    for key, field in (("leads.inquiry.received", "received_at"), ("leads.lead.created", "created_at"),
                       ("leads.lead.followed_up", "at"), ("leads.appointment.booked", "booked_at")):
        event = events_of(app, key)[0]
        assert at(event["data"][field]) < at(event["time"]) - timedelta(days=5), key


def test_a_business_time_in_the_future_or_over_a_year_back_is_refused_naming_the_field(as_role) -> None:
    c1 = as_role("consultant", "c1")
    body = {"name": "Li Na", "phone": "13712345678", "source": "phone_in", "model_interest": "Aurora"}
    an_hour_ahead_in_the_store = (datetime.now(SHANGHAI) + timedelta(hours=1)).replace(tzinfo=None).isoformat()
    for when in (ago(-1), ago(400), an_hour_ahead_in_the_store):  # no offset: store time, still in the future
        refused = c1.post("/api/v1/leads", json={**body, "occurred_at": when})
        assert refused.status_code == 422 and "occurred_at" in refused.get_json()["errors"], when
    assert c1.get("/api/v1/leads").get_json()["total"] == 0


def test_work_on_a_lead_cannot_be_dated_before_the_customer_was_filed(as_role, new_lead) -> None:
    c1 = as_role("consultant", "c1")
    lead = new_lead(c1, occurred_at=ago(3))
    refused = c1.post(f"/api/v1/leads/{lead['id']}/visits", json={"occurred_at": ago(4)})
    assert refused.status_code == 422 and "occurred_at" in refused.get_json()["errors"]
    assert c1.get(f"/api/v1/leads/{lead['id']}").get_json()["visits"] == 0


def test_the_seven_day_return_rule_counts_days_of_business_time(as_role, new_lead) -> None:
    c1, c2 = as_role("consultant", "c1"), as_role("consultant", "c2")
    kept = new_lead(c1, phone="13612345678", occurred_at=ago(20))
    appointment = c1.post(f"/api/v1/leads/{kept['id']}/appointments",
                          json={"scheduled_at": ago(16), "occurred_at": ago(19)}).get_json()
    within = c2.post(f"/api/v1/leads/{kept['id']}/visits",
                     json={"appointment_id": appointment["id"], "occurred_at": ago(16)}).get_json()
    assert (within["owner_id"], within["ownership_rule"][0]) == ("c1", "1")
    passed = new_lead(c1, phone="13512345678", occurred_at=ago(20))
    late = c1.post(f"/api/v1/leads/{passed['id']}/appointments",
                   json={"scheduled_at": ago(10), "occurred_at": ago(19)}).get_json()
    after = c2.post(f"/api/v1/leads/{passed['id']}/visits",
                    json={"appointment_id": late["id"], "occurred_at": ago(10)}).get_json()
    assert (after["owner_id"], after["ownership_rule"][0]) == ("c2", "2")


def test_an_older_record_keyed_in_late_does_not_move_the_owners_last_contact_back(as_role, new_lead) -> None:
    c1, c2 = as_role("consultant", "c1"), as_role("consultant", "c2")
    lead = new_lead(c1, occurred_at=ago(30))
    for channel, days in (("phone", 2), ("sms", 25)):
        body = {"channel": channel, "summary": "call", "occurred_at": ago(days)}
        assert c1.post(f"/api/v1/leads/{lead['id']}/follow-ups", json=body).status_code == 201
    visit = c2.post(f"/api/v1/leads/{lead['id']}/visits", json={"requested_consultant_id": None}).get_json()
    assert visit["ownership_rule"][0] == "3"  # not rule 2: the owner's last contact was 2 days ago, not 25

"""The leads API over its real database (SQLite and PostgreSQL)."""
from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from contracts import contract_errors
from shared.outbox import OutboxEvent


def outbox_events(app: Any) -> list[dict[str, Any]]:
    with app.extensions["dealer"].sessions() as session:
        return [json.loads(row.body) for row in session.scalars(select(OutboxEvent).order_by(OutboxEvent.position))]


def test_filing_a_lead_answers_201_with_owner_level_and_status(as_role, new_lead) -> None:
    lead = new_lead(as_role("consultant", "c1"), level="A")
    assert lead["owner_id"] == "c1" and lead["level"] == "A" and lead["status"] == "potential"
    assert lead["id"]


def test_second_lead_for_the_same_phone_is_409_with_existing_lead_id(as_role, new_lead) -> None:
    first = new_lead(as_role("consultant", "c1"), phone="13812345678")
    response = as_role("consultant", "c2").post("/api/v1/leads", json={
        "name": "Wang", "phone": "+86 138-1234-5678", "source": "walk_in", "model_interest": "Aurora"})
    assert response.status_code == 409
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["existing_lead_id"] == first["id"]


def test_every_event_of_a_lead_conforms_to_the_contract(app, as_role, new_lead) -> None:
    consultant = as_role("consultant", "c1")
    lead = new_lead(consultant, source="walk_in")
    consultant.post(f"/api/v1/leads/{lead['id']}/follow-ups", json={"channel": "phone", "summary": "called"})
    consultant.post(f"/api/v1/leads/{lead['id']}/appointments", json={"scheduled_at": "2030-11-23T10:00:00+08:00"})
    consultant.post(f"/api/v1/leads/{lead['id']}/lost", json={"reason": "bought elsewhere"})
    found = outbox_events(app)
    assert [e["type"] for e in found] == [
        "dealer.leads.lead.created.v1", "dealer.leads.visit.recorded.v1", "dealer.leads.lead.followed_up.v1",
        "dealer.leads.appointment.booked.v1", "dealer.leads.lead.lost.v1"]
    for event in found:
        assert contract_errors(event) == [], event

"""Lost reasons from the store's list (战败原因), reopening a lost lead, and referrals (转介绍), over HTTP.

c1 owns the leads, c2 is another consultant, m1 the sales manager. Phones in answers are in full only for
the owner and managers (DOMAIN.md), and never in full in an event.
"""
from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import select

from contracts import contract_errors
from shared.outbox import OutboxEvent

PROBLEM = "application/problem+json"


def events_of(app: Any, routing_key: str) -> list[dict[str, Any]]:
    """The events of one routing key the service wrote to its outbox, in order."""
    with app.extensions["dealer"].sessions() as session:
        rows = session.scalars(select(OutboxEvent).order_by(OutboxEvent.position))
        return [e for e in (json.loads(row.body) for row in rows) if e["type"] == f"dealer.{routing_key}.v1"]


def assert_refused(response: Any, field: str) -> None:
    assert response.status_code == 422, response.get_json()
    assert response.mimetype == PROBLEM and set(response.get_json()["errors"]) == {field}


@pytest.mark.parametrize(("body", "field"), [
    ({"reason_code": "competitor"}, "competitor_brand"),
    ({"reason_code": "competitor", "competitor_brand": "  "}, "competitor_brand"),
    ({"reason_code": "price", "competitor_brand": "Brand X"}, "competitor_brand"),
    ({"reason_code": "too_expensive"}, "reason_code"),
    ({"note": "gone quiet"}, "reason_code"),
    ({"reason": "   "}, "reason"),
    ({"reason": "bought elsewhere", "reason_code": "price"}, "reason"),
])
def test_a_loss_names_a_reason_from_the_list_and_a_brand_only_for_a_competitor(app, as_role, new_lead, body,
                                                                              field) -> None:
    c1 = as_role("consultant", "c1")
    lead = new_lead(c1)
    assert_refused(c1.post(f"/api/v1/leads/{lead['id']}/lost", json=body), field)
    assert c1.get(f"/api/v1/leads/{lead['id']}").get_json()["status"] == "potential"
    assert events_of(app, "leads.lead.lost") == []


def test_a_lead_lost_to_a_competitor_carries_code_brand_and_note_in_answer_and_event(app, as_role, new_lead) -> None:
    c1 = as_role("consultant", "c1")
    lead = new_lead(c1)
    response = c1.post(f"/api/v1/leads/{lead['id']}/lost", json={
        "reason_code": "competitor", "competitor_brand": " Brand X ", "note": "better trade-in offer"})
    assert response.status_code == 200, response.get_json()
    answer = response.get_json()
    assert (answer["status"], answer["lost_reason_code"], answer["competitor_brand"], answer["lost_reason"]) == (
        "lost", "competitor", "Brand X", "better trade-in offer")
    [event] = events_of(app, "leads.lead.lost")
    data = dict(event["data"])
    assert datetime.fromisoformat(data.pop("lost_at")).tzinfo is not None  # when it was lost (the status history)
    assert data == {"lead_id": lead["id"], "reason": "better trade-in offer", "owner_id": "c1", "by": "c1",
                    "reason_code": "competitor", "competitor_brand": "Brand X"}
    assert contract_errors(event) == []


def test_the_old_free_text_reason_still_works_as_other_with_the_text_as_note(app, as_role, new_lead) -> None:
    c1 = as_role("consultant", "c1")
    lead = new_lead(c1)
    response = c1.post(f"/api/v1/leads/{lead['id']}/lost", json={"reason": "bought elsewhere"})
    assert response.status_code == 200, response.get_json()
    assert (response.get_json()["lost_reason_code"], response.get_json()["lost_reason"]) == (
        "other", "bought elsewhere")
    [event] = events_of(app, "leads.lead.lost")
    assert (event["data"]["reason_code"], event["data"]["reason"], event["data"]["competitor_brand"]) == (
        "other", "bought elsewhere", None)
    assert contract_errors(event) == []


def test_a_loss_without_a_note_sends_its_code_as_the_first_versions_reason(app, as_role, new_lead) -> None:
    c1 = as_role("consultant", "c1")
    lead = new_lead(c1)
    assert c1.post(f"/api/v1/leads/{lead['id']}/lost", json={"reason_code": "financing"}).status_code == 200
    [event] = events_of(app, "leads.lead.lost")
    assert (event["data"]["reason"], event["data"]["reason_code"]) == ("financing", "financing")


@pytest.mark.parametrize("stage", ["potential", "intention"])
def test_a_reopened_lead_goes_back_to_the_stage_it_was_lost_from_and_works_as_before(app, as_role, new_lead,
                                                                                     stage) -> None:
    c1 = as_role("consultant", "c1")
    lead = new_lead(c1)
    c1.post(f"/api/v1/leads/{lead['id']}/qualify", json={"status": stage})
    c1.post(f"/api/v1/leads/{lead['id']}/lost", json={"reason_code": "postponed", "note": "after new year"})
    response = c1.post(f"/api/v1/leads/{lead['id']}/reopen", json={})
    assert response.status_code == 200, response.get_json()
    answer = response.get_json()
    assert (answer["status"], answer["lost_reason_code"], answer["lost_reason"]) == (stage, None, None)
    [event] = events_of(app, "leads.lead.reopened")
    data = dict(event["data"])
    assert datetime.fromisoformat(data.pop("reopened_at")).tzinfo is not None
    assert data == {"lead_id": lead["id"], "status": stage, "owner_id": "c1", "by": "c1"}
    assert contract_errors(event) == []
    follow_up = c1.post(f"/api/v1/leads/{lead['id']}/follow-ups", json={"channel": "phone", "summary": "back"})
    assert follow_up.status_code == 201, follow_up.get_json()


def test_only_a_lost_lead_is_reopened_and_only_by_its_owner_or_a_manager(app, as_role, new_lead) -> None:
    c1, c2 = as_role("consultant", "c1"), as_role("consultant", "c2")
    lead = new_lead(c1)
    open_one = c1.post(f"/api/v1/leads/{lead['id']}/reopen", json={})
    assert open_one.status_code == 409 and open_one.mimetype == PROBLEM
    c1.post(f"/api/v1/leads/{lead['id']}/lost", json={"reason_code": "unreachable"})
    other = c2.post(f"/api/v1/leads/{lead['id']}/reopen", json={})
    assert other.status_code == 403 and other.mimetype == PROBLEM
    assert events_of(app, "leads.lead.reopened") == []
    manager = as_role("sales_manager", "m1").post(f"/api/v1/leads/{lead['id']}/reopen", json={})
    assert manager.status_code == 200 and manager.get_json()["status"] == "potential"
    assert_refused(c1.post(f"/api/v1/leads/{lead['id']}/reopen", json={"why": "x"}), "why")


@pytest.mark.parametrize(("body", "field"), [
    ({"source": "referral"}, "referrer_phone"),
    ({"source": "referral", "referrer_phone": None}, "referrer_phone"),
    ({"source": "referral", "referrer_phone": "12345"}, "referrer_phone"),
    ({"source": "phone_in", "referrer_phone": "13912345678"}, "referrer_phone"),
    ({"source": "referral", "referrer_phone": "13812345678"}, "referrer_phone"),  # the customer's own phone
])
def test_a_referral_names_the_referrers_mobile_and_no_other_source_does(app, as_role, body, field) -> None:
    response = as_role("consultant", "c1").post("/api/v1/leads", json={
        "name": "Wang Lei", "phone": "13812345678", "model_interest": "Aurora", **body})
    assert_refused(response, field)
    assert events_of(app, "leads.lead.created") == []


def test_the_referrers_phone_is_stored_shown_masked_to_others_and_never_in_full_in_events(app, as_role,
                                                                                         new_lead) -> None:
    c1 = as_role("consultant", "c1")
    lead = new_lead(c1, source="referral", referrer_phone="+86 139-1234-5678")
    assert lead["referrer_phone"] == "13912345678"  # the owner sees it in full, normalised
    assert as_role("sales_manager", "m1").get(f"/api/v1/leads/{lead['id']}").get_json()["referrer_phone"] == (
        "13912345678")
    assert as_role("consultant", "c2").get(f"/api/v1/leads/{lead['id']}").get_json()["referrer_phone"] == (
        "139****5678")
    assert as_role("back_office", "b1").get("/api/v1/leads").get_json()["items"][0]["referrer_phone"] == (
        "139****5678")
    [event] = events_of(app, "leads.lead.created")
    assert event["data"]["referrer_phone_masked"] == "139****5678" and contract_errors(event) == []
    assert "13912345678" not in json.dumps(event)


def test_a_lead_from_elsewhere_has_no_referrer(app, as_role, new_lead) -> None:
    lead = new_lead(as_role("consultant", "c1"), source="walk_in")
    assert lead["referrer_phone"] is None
    [event] = events_of(app, "leads.lead.created")
    assert event["data"]["referrer_phone_masked"] is None and contract_errors(event) == []

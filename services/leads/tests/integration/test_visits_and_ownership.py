"""Visits over HTTP: the ownership rule decides who owns the lead afterwards."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from leads.models import Lead


def age_owner_contact(app, lead_id: str, days: int) -> None:
    """Pretend the owner's last contact was ``days`` ago (time is controlled, not waited for)."""
    with app.extensions["dealer"].sessions() as session:
        lead = session.get(Lead, lead_id)
        session.execute(update(Lead).where(Lead.id == lead_id)
                        .values(owner_last_contact_at=lead.owner_last_contact_at - timedelta(days=days)))
        session.commit()


def visit(caller, lead_id: str, **body):
    response = caller.post(f"/api/v1/leads/{lead_id}/visits", json=body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_visit_on_the_owners_invitation_keeps_the_owner(as_role, new_lead) -> None:
    c1, c2 = as_role("consultant", "c1"), as_role("consultant", "c2")
    lead = new_lead(c1)
    appointment = c1.post(f"/api/v1/leads/{lead['id']}/appointments",
                          json={"scheduled_at": "2030-11-23T10:00:00+08:00"}).get_json()
    result = visit(c2, lead["id"], appointment_id=appointment["id"])
    assert result["owner_id"] == "c1" and result["ownership_rule"].startswith("1")


def test_return_after_seven_days_passes_lead_to_new_consultant(app, as_role, new_lead) -> None:
    c1, c2 = as_role("consultant", "c1"), as_role("consultant", "c2")
    lead = new_lead(c1)
    appointment = c1.post(f"/api/v1/leads/{lead['id']}/appointments",
                          json={"scheduled_at": "2030-11-23T10:00:00+08:00"}).get_json()
    age_owner_contact(app, lead["id"], 8)
    result = visit(c2, lead["id"], appointment_id=appointment["id"])
    assert result["owner_id"] == "c2" and result["ownership_rule"].startswith("2")
    assert c2.get(f"/api/v1/leads/{lead['id']}").get_json()["owner_id"] == "c2"


def test_unbooked_visit_asking_for_no_one_passes_to_the_receiving_consultant(as_role, new_lead) -> None:
    c1, c2 = as_role("consultant", "c1"), as_role("consultant", "c2")
    lead = new_lead(c1)
    result = visit(c2, lead["id"])
    assert result["owner_id"] == "c2" and result["ownership_rule"].startswith("3")


def test_customer_naming_the_consultant_who_served_them_stays_with_that_consultant(app, as_role, new_lead) -> None:
    c1, c2 = as_role("consultant", "c1"), as_role("consultant", "c2")
    lead = new_lead(c1)
    age_owner_contact(app, lead["id"], 30)
    result = visit(c2, lead["id"], requested_consultant_id="c1")
    assert result["owner_id"] == "c1" and result["ownership_rule"].startswith("4")


def test_a_walk_in_filing_counts_as_the_first_visit_and_the_next_is_the_second(as_role, new_lead) -> None:
    c1 = as_role("consultant", "c1")
    lead = new_lead(c1, source="walk_in")
    assert lead["visits"] == 1
    assert visit(c1, lead["id"])["visit_number"] == 2


def test_an_appointment_can_be_kept_only_once(as_role, new_lead) -> None:
    c1 = as_role("consultant", "c1")
    lead = new_lead(c1)
    appointment = c1.post(f"/api/v1/leads/{lead['id']}/appointments",
                          json={"scheduled_at": "2030-11-23T10:00:00+08:00"}).get_json()
    visit(c1, lead["id"], appointment_id=appointment["id"])
    again = c1.post(f"/api/v1/leads/{lead['id']}/visits", json={"appointment_id": appointment["id"]})
    assert again.status_code == 409 and again.mimetype == "application/problem+json"

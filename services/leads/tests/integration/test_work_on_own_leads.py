"""Over HTTP, on a real database: a consultant works only on the leads they own; a sales manager on any.

Lead c1 files a customer; c2 is another consultant, m1 the sales manager. Every write on a lead (follow-up,
appointment, test drive, stage and level, lost) is the owner's or a manager's: another consultant gets a 403
problem+json and nothing is recorded. A visit is different (DOMAIN.md, ownership rule): whoever receives the
customer records it, as themselves; a manager may record one for any consultant.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import requests
from flask import Flask
from sqlalchemy import select

from dealer_testing import token
from shared.outbox import OutboxEvent

PROBLEM = "application/problem+json"
FLEET_VIN = "LSVAU2182N2183290"
# action: (body, status on success, the event it writes)
WORK: dict[str, tuple[dict[str, Any], int, str]] = {
    "follow-ups": ({"channel": "phone", "summary": "called back"}, 201, "leads.lead.followed_up"),
    "appointments": ({"scheduled_at": "2030-11-23T10:00:00+08:00"}, 201, "leads.appointment.booked"),
    "qualify": ({"level": "H", "status": "intention"}, 200, "leads.lead.qualified"),
    "lost": ({"reason": "bought elsewhere"}, 200, "leads.lead.lost"),
}
TEST_DRIVE = {"vin": FLEET_VIN, "driver_license_no": "D1234567", "escort_id": "c1"}


def written(app: Flask) -> list[str]:
    """The routing keys of the events the leads service wrote to its outbox, in order (sent or not yet)."""
    with app.extensions["dealer"].sessions() as session:
        return list(session.scalars(select(OutboxEvent.routing_key).order_by(OutboxEvent.position)))


def assert_forbidden(response: Any) -> dict[str, Any]:
    assert response.status_code == 403, response.get_json()
    assert response.mimetype == PROBLEM
    return dict(response.get_json())


@pytest.mark.parametrize("action", sorted(WORK))
def test_the_owner_may_work_on_their_own_lead(app: Flask, as_role: Callable[..., Any],
                                              new_lead: Callable[..., Any], action: str) -> None:
    c1 = as_role("consultant", "c1")
    lead = new_lead(c1)
    body, status, event = WORK[action]
    response = c1.post(f"/api/v1/leads/{lead['id']}/{action}", json=body)
    assert response.status_code == status, response.get_json()
    assert written(app)[-1] == event


@pytest.mark.parametrize("action", sorted(WORK))
def test_a_sales_manager_may_work_on_any_consultants_lead(app: Flask, as_role: Callable[..., Any],
                                                          new_lead: Callable[..., Any], action: str) -> None:
    lead = new_lead(as_role("consultant", "c1"))
    body, status, event = WORK[action]
    response = as_role("sales_manager", "m1").post(f"/api/v1/leads/{lead['id']}/{action}", json=body)
    assert response.status_code == status, response.get_json()
    assert written(app)[-1] == event


@pytest.mark.parametrize("action", sorted(WORK))
def test_a_consultant_gets_403_for_work_on_a_lead_another_consultant_owns(
        app: Flask, as_role: Callable[..., Any], new_lead: Callable[..., Any], action: str) -> None:
    c1, c2 = as_role("consultant", "c1"), as_role("consultant", "c2")
    lead = new_lead(c1)
    body, _, event = WORK[action]
    problem = assert_forbidden(c2.post(f"/api/v1/leads/{lead['id']}/{action}", json=body))
    assert "another consultant" in problem["detail"]
    after = c1.get(f"/api/v1/leads/{lead['id']}").get_json()
    assert (after["owner_id"], after["status"], after["level"]) == ("c1", "potential", lead["level"])
    assert event not in written(app)


def test_a_consultant_gets_403_for_a_test_drive_on_another_consultants_lead_before_inventory_is_asked(
        app: Flask, as_role: Callable[..., Any], new_lead: Callable[..., Any]) -> None:
    """No inventory runs here: a 403 (not a 503) shows the owner is checked before the car is looked up."""
    c1, c2 = as_role("consultant", "c1"), as_role("consultant", "c2")
    lead = new_lead(c1)
    assert_forbidden(c2.post(f"/api/v1/leads/{lead['id']}/test-drives", json=TEST_DRIVE))
    assert "leads.test_drive.completed" not in written(app)


def test_a_test_drive_is_recorded_by_the_owner_or_a_sales_manager_only(
        app: Flask, as_role: Callable[..., Any], new_lead: Callable[..., Any],
        start_service: Callable[..., Any]) -> None:
    """With the real inventory answering that the car is in the test-drive fleet (试驾车)."""
    inventory = start_service("inventory", worker=False)
    car = {"vin": FLEET_VIN, "model": "Aurora", "trim": "2.0T Luxury", "color": "white", "msrp": "199900.00",
           "cost": "171000.00", "kind": "test_drive", "location": "main"}
    received = requests.post(f"{inventory.url}/api/v1/vehicles", json=car, headers=token("inventory_clerk", "k1"),
                             timeout=10)
    assert received.status_code == 201, received.text
    c1 = as_role("consultant", "c1")
    lead = new_lead(c1)
    url = f"/api/v1/leads/{lead['id']}/test-drives"
    assert_forbidden(as_role("consultant", "c2").post(url, json=TEST_DRIVE))
    by_owner = c1.post(url, json=TEST_DRIVE)
    assert by_owner.status_code == 201 and by_owner.get_json()["consultant_id"] == "c1", by_owner.get_json()
    by_manager = as_role("sales_manager", "m1").post(url, json=TEST_DRIVE)
    assert by_manager.status_code == 201 and by_manager.get_json()["consultant_id"] == "m1", by_manager.get_json()
    assert written(app).count("leads.test_drive.completed") == 2


def test_a_consultant_who_does_not_own_the_lead_may_record_a_visit_as_themselves(
        as_role: Callable[..., Any], new_lead: Callable[..., Any]) -> None:
    """c2 receives c1's customer, unbooked and asking for no one: rule 3 gives c2 the lead."""
    lead = new_lead(as_role("consultant", "c1"))
    response = as_role("consultant", "c2").post(f"/api/v1/leads/{lead['id']}/visits", json={"consultant_id": "c2"})
    assert response.status_code == 201, response.get_json()
    visit = response.get_json()
    assert (visit["consultant_id"], visit["owner_id"], visit["ownership_rule"][0]) == ("c2", "c2", "3")


@pytest.mark.parametrize(("sub", "named"), [("c2", "c1"), ("c1", "c3")], ids=["non-owner", "owner"])
def test_a_consultant_may_not_record_a_visit_in_another_consultants_name(
        as_role: Callable[..., Any], new_lead: Callable[..., Any], sub: str, named: str) -> None:
    lead = new_lead(as_role("consultant", "c1"))
    response = as_role("consultant", sub).post(f"/api/v1/leads/{lead['id']}/visits", json={"consultant_id": named})
    problem = assert_forbidden(response)
    assert "consultant_id" in problem["errors"]
    after = as_role("sales_manager", "m1").get(f"/api/v1/leads/{lead['id']}").get_json()
    assert (after["visits"], after["owner_id"]) == (0, "c1")


def test_a_sales_manager_may_record_a_visit_for_any_consultant(as_role: Callable[..., Any],
                                                               new_lead: Callable[..., Any]) -> None:
    """m1 records c2 receiving c1's customer (unbooked, asking for no one): rule 3 gives c2 the lead."""
    lead = new_lead(as_role("consultant", "c1"))
    response = as_role("sales_manager", "m1").post(f"/api/v1/leads/{lead['id']}/visits",
                                                   json={"consultant_id": "c2"})
    assert response.status_code == 201, response.get_json()
    visit = response.get_json()
    assert (visit["consultant_id"], visit["owner_id"], visit["ownership_rule"][0]) == ("c2", "c2", "3")

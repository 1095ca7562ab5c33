"""Return visits (回访) and complaints (投诉): satisfaction, automatic complaints, limits, escalation."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from after_sales.cases.services import escalate_overdue_complaints
from after_sales.models import Complaint
from after_sales.worker import SPEC, escalate_now
from contracts import contract_errors

BEIJING = timezone(timedelta(hours=8))
VIN = "LSVAU2182N2183290"


def visits(caller, **params) -> list[dict]:
    response = caller.get("/api/v1/return-visits", query_string=params)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["items"]


def complaints(caller, **params) -> list[dict]:
    response = caller.get("/api/v1/complaints", query_string=params)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["items"]


def escalate(app, now: datetime) -> int:
    """Run the worker's escalation job with the clock the test chooses."""
    with app.extensions["dealer"].sessions() as session:
        return escalate_overdue_complaints(session, now)


def open_complaint(caller, customer: str, **fields):
    body = {"customer_id": customer, "category": "service_quality", "severity": "high",
            "description": "car returned dirty", **fields}
    return caller.post("/api/v1/complaints", json=body)


def test_delivery_visit_low_score_complaint_escalation_and_resolution(app, as_role, deliver, outbox) -> None:
    deliver(delivered_at=datetime(2025, 3, 1, 15, 0, tzinfo=BEIJING))
    coordinator = as_role("after_sales", "a1")
    [visit] = visits(coordinator)
    assert (visit["kind"], visit["due_on"], visit["status"]) == ("delivery", "2025-03-04", "scheduled")
    assert visit["customer_name"] == "Wang Lei" and visit["phone"] == "13812345678"

    done = coordinator.post(f"/api/v1/return-visits/{visit['id']}/complete",
                            json={"satisfaction": 2, "feedback": "nobody explained the infotainment"})
    assert done.status_code == 200, done.get_json()
    complaint_id = done.get_json()["complaint_id"]
    [complaint] = complaints(coordinator, status="open")
    assert complaint["id"] == complaint_id and complaint["origin"] == "return_visit"
    assert (complaint["category"], complaint["severity"], complaint["owner_id"]) == ("delivery", "medium", "a1")
    assert complaint["description"] == "nobody explained the infotainment" and not complaint["escalated"]

    deadline = datetime.fromisoformat(complaint["deadline"])
    assert deadline - datetime.fromisoformat(complaint["opened_at"]) == timedelta(hours=48)
    assert escalate(app, deadline) == 0  # at its limit, not yet past it
    assert escalate(app, deadline + timedelta(minutes=1)) == 1
    assert escalate(app, deadline + timedelta(hours=5)) == 0  # escalated once only
    [escalated] = complaints(coordinator, escalated="true")
    assert escalated["id"] == complaint_id and escalated["status"] == "open"

    resolved = coordinator.post(f"/api/v1/complaints/{complaint_id}/resolve",
                                json={"note": "walked the customer through the screen by video call"})
    assert resolved.status_code == 200 and resolved.get_json()["status"] == "resolved"
    assert resolved.get_json()["resolved_by"] == "a1"
    assert [e["type"].split(".", 2)[2] for e in outbox()] == [
        "customer.created.v1", "return_visit.scheduled.v1", "complaint.opened.v1", "return_visit.completed.v1",
        "complaint.escalated.v1", "complaint.resolved.v1"]
    for event in outbox():
        assert contract_errors(event) == [], event


def test_a_satisfied_customer_opens_no_complaint(as_role, deliver, outbox) -> None:
    deliver()
    coordinator = as_role("after_sales", "a1")
    [visit] = visits(coordinator)
    done = coordinator.post(f"/api/v1/return-visits/{visit['id']}/complete", json={"satisfaction": 3})
    assert done.status_code == 200 and done.get_json()["complaint_id"] is None
    assert complaints(coordinator) == []
    assert visits(coordinator) == [] and len(visits(coordinator, status="completed")) == 1
    [completed] = [e for e in outbox() if e["type"].endswith("return_visit.completed.v1")]
    assert completed["data"]["satisfaction"] == 3 and completed["data"]["complaint_id"] is None


def test_a_score_of_one_opens_a_high_severity_complaint(as_role, deliver) -> None:
    deliver()
    coordinator = as_role("after_sales", "a1")
    [visit] = visits(coordinator)
    coordinator.post(f"/api/v1/return-visits/{visit['id']}/complete", json={"satisfaction": 1})
    [complaint] = complaints(coordinator)
    assert complaint["severity"] == "high" and "Satisfaction 1 of 5" in complaint["description"]


def test_a_return_visit_is_completed_once_with_a_score_from_one_to_five(as_role, deliver) -> None:
    deliver()
    coordinator = as_role("after_sales", "a1")
    [visit] = visits(coordinator)
    url = f"/api/v1/return-visits/{visit['id']}/complete"
    for score in (0, 6, "3", 3.5, None):
        response = coordinator.post(url, json={"satisfaction": score})
        assert response.status_code == 422 and "satisfaction" in response.get_json()["errors"], score
    assert coordinator.post(url, json={"satisfaction": 5}).status_code == 200
    again = coordinator.post(url, json={"satisfaction": 4})
    assert again.status_code == 409 and "already completed" in again.get_json()["detail"]
    assert coordinator.post("/api/v1/return-visits/nope/complete", json={"satisfaction": 4}).status_code == 404
    assert as_role("ops", "o1").post(url, json={"satisfaction": 4}).status_code == 403


def test_return_visits_list_the_longest_waiting_first_within_a_window(as_role, deliver) -> None:
    deliver(phone="13800000001", vin="LSVTEST0000000001", delivered_at=datetime(2025, 3, 5, 10, tzinfo=BEIJING))
    deliver(phone="13800000002", vin="LSVTEST0000000002", delivered_at=datetime(2025, 3, 1, 10, tzinfo=BEIJING))
    caller = as_role("sales_manager", "m1")
    assert [v["due_on"] for v in visits(caller)] == ["2025-03-04", "2025-03-08"]
    assert [v["due_on"] for v in visits(caller, to="2025-03-05")] == ["2025-03-04"]
    assert [v["vin"] for v in visits(caller, vin="LSVTEST0000000001")] == ["LSVTEST0000000001"]
    assert as_role("ops", "o1").get("/api/v1/return-visits").get_json()["items"][0]["phone"] == "138****0002"


def test_a_complaint_is_opened_with_a_deadline_by_severity_and_resolved_with_a_note(as_role, deliver, outbox) -> None:
    deliver()
    coordinator = as_role("after_sales", "a1")
    customer_id = coordinator.get("/api/v1/customers").get_json()["items"][0]["id"]
    opened = open_complaint(coordinator, customer_id, severity="critical", vin=VIN.lower(), owner_id="a2")
    assert opened.status_code == 201, opened.get_json()
    complaint = opened.get_json()
    assert complaint["owner_id"] == "a2" and complaint["origin"] == "manual" and complaint["vin"] == VIN
    limit = datetime.fromisoformat(complaint["deadline"]) - datetime.fromisoformat(complaint["opened_at"])
    assert limit == timedelta(hours=4)
    url = f"/api/v1/complaints/{complaint['id']}/resolve"
    assert coordinator.post(url, json={"note": "  "}).status_code == 422
    assert coordinator.post(url, json={"note": "replaced the wiper motor"}).status_code == 200
    again = coordinator.post(url, json={"note": "again"})
    assert again.status_code == 409 and "already resolved" in again.get_json()["detail"]
    assert coordinator.get(f"/api/v1/complaints/{complaint['id']}").get_json()["resolution_note"] == \
        "replaced the wiper motor"
    for event in outbox():
        assert contract_errors(event) == [], event


def test_a_complaint_must_name_a_customer_on_file_and_known_terms(as_role, deliver) -> None:
    deliver()
    coordinator = as_role("after_sales", "a1")
    customer_id = coordinator.get("/api/v1/customers").get_json()["items"][0]["id"]
    cases = [({"customer_id": "nobody"}, "customer_id"), ({"vin": "LSVTEST0000000009"}, "vin"),
             ({"severity": "urgent"}, "severity"), ({"category": "weather"}, "category"),
             ({"description": ""}, "description"), ({"colour": "red"}, "colour")]
    for fields, field in cases:
        response = open_complaint(coordinator, customer_id, **fields)
        assert response.status_code == 422 and field in response.get_json()["errors"], (fields, response.get_json())


def test_resolved_complaints_are_never_escalated(app, as_role, deliver) -> None:
    deliver()
    coordinator = as_role("after_sales", "a1")
    customer_id = coordinator.get("/api/v1/customers").get_json()["items"][0]["id"]
    complaint = open_complaint(coordinator, customer_id).get_json()
    coordinator.post(f"/api/v1/complaints/{complaint['id']}/resolve", json={"note": "cleaned and apologised"})
    assert escalate(app, datetime.fromisoformat(complaint["deadline"]) + timedelta(days=1)) == 0


def test_the_workers_job_escalates_a_complaint_opened_long_ago_on_the_real_clock(app, as_role, deliver,
                                                                                 outbox) -> None:
    deliver()
    coordinator = as_role("after_sales", "a1")
    customer_id = coordinator.get("/api/v1/customers").get_json()["items"][0]["id"]
    fresh = open_complaint(coordinator, customer_id, severity="low").get_json()
    stale = open_complaint(coordinator, customer_id, severity="high").get_json()
    with app.extensions["dealer"].sessions() as session, session.begin():
        complaint = session.get(Complaint, stale["id"])
        complaint.opened_at -= timedelta(hours=25)
        complaint.deadline -= timedelta(hours=25)
    assert escalate_now in [job.run for job in SPEC.jobs]
    with app.extensions["dealer"].sessions() as session:
        assert escalate_now(session) == 1
    assert [c["id"] for c in complaints(coordinator, escalated="true")] == [stale["id"]]
    assert [c["id"] for c in complaints(coordinator, escalated="false")] == [fresh["id"]]
    [escalated] = [e for e in outbox() if e["type"].endswith("complaint.escalated.v1")]
    assert escalated["data"]["complaint_id"] == stale["id"] and contract_errors(escalated) == []


def test_complaint_lists_are_for_after_sales_managers_and_ops(as_role, client) -> None:
    assert as_role("ops", "o1").get("/api/v1/complaints").status_code == 200
    assert as_role("consultant", "c1").get("/api/v1/complaints").status_code == 403
    assert as_role("ops", "o1").post("/api/v1/complaints", json={}).status_code == 403
    assert client.get("/api/v1/complaints").status_code == 401
    assert as_role("after_sales", "a1").get("/api/v1/complaints", query_string={"status": "lost"}).status_code == 422


def test_a_return_visit_follows_each_service_two_days_later(as_role, deliver) -> None:
    deliver(delivered_at=datetime(2025, 1, 10, 10, tzinfo=BEIJING))
    coordinator = as_role("after_sales", "a1")
    response = coordinator.post("/api/v1/service-records", json={
        "vin": VIN, "service_date": "2025-07-01", "mileage_km": 4900, "items": ["first service"], "cost": "0.00"})
    assert response.status_code == 201, response.get_json()
    service_visits = visits(coordinator, kind="service")
    assert [(v["due_on"], v["vin"]) for v in service_visits] == [(date(2025, 7, 3).isoformat(), VIN)]

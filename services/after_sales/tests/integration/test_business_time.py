"""Past paper records (补录): a call log or complaint keyed in late keeps its date; omitted means now."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from contracts import contract_errors


def ago(days: float) -> datetime:
    return datetime.now(UTC) - timedelta(days=days)


def at(raw: str) -> datetime:
    return datetime.fromisoformat(raw).astimezone(UTC)


def events(outbox, routing_key: str) -> list[dict]:
    return [e for e in outbox() if e["type"] == f"dealer.{routing_key}.v1"]


def the_delivery_call(caller) -> dict:
    [visit] = caller.get("/api/v1/return-visits", query_string={"kind": "delivery"}).get_json()["items"]
    return visit


def test_an_unhappy_call_from_the_log_opens_its_complaint_at_the_calls_time(as_role, deliver, outbox) -> None:
    coordinator = as_role("after_sales", "a1")
    deliver(delivered_at=ago(20))
    called, resolved = ago(16), ago(15)
    done = coordinator.post(f"/api/v1/return-visits/{the_delivery_call(coordinator)['id']}/complete",
                            json={"satisfaction": 2, "feedback": "dirty car", "occurred_at": called.isoformat()})
    assert done.status_code == 200 and at(done.get_json()["completed_at"]) == called
    complaint = coordinator.get(f"/api/v1/complaints/{done.get_json()['complaint_id']}").get_json()
    assert at(complaint["opened_at"]) == called and at(complaint["deadline"]) > called
    closed = coordinator.post(f"/api/v1/complaints/{complaint['id']}/resolve",
                              json={"note": "car cleaned, apology made", "occurred_at": resolved.isoformat()})
    assert closed.status_code == 200 and at(closed.get_json()["resolved_at"]) == resolved
    for key, field, when in (("after_sales.return_visit.completed", "completed_at", called),
                             ("after_sales.complaint.opened", "opened_at", called),
                             ("after_sales.complaint.resolved", "resolved_at", resolved)):
        [event] = events(outbox, key)
        assert at(event["data"][field]) == when and at(event["time"]) > when + timedelta(days=10), key
        assert contract_errors(event) == []


def test_a_complaint_keyed_in_late_has_its_deadline_from_when_the_customer_complained(as_role, deliver) -> None:
    coordinator = as_role("after_sales", "a1")
    deliver(delivered_at=ago(10))
    customer = coordinator.get("/api/v1/customers").get_json()["items"][0]["id"]
    opened = coordinator.post("/api/v1/complaints", json={
        "customer_id": customer, "category": "waiting_time", "severity": "medium",
        "description": "waited two hours", "occurred_at": ago(5).isoformat()})
    assert opened.status_code == 201
    assert at(opened.get_json()["deadline"]) - at(opened.get_json()["opened_at"]) == timedelta(hours=48)
    assert at(opened.get_json()["opened_at"]) < ago(4.9)


def test_a_call_dated_before_the_delivery_or_a_resolution_before_the_complaint_is_refused(as_role, deliver) -> None:
    coordinator = as_role("after_sales", "a1")
    deliver(delivered_at=ago(10))
    visit = the_delivery_call(coordinator)
    early = coordinator.post(f"/api/v1/return-visits/{visit['id']}/complete",
                             json={"satisfaction": 1, "occurred_at": ago(11).isoformat()})
    assert early.status_code == 422 and "occurred_at" in early.get_json()["errors"]
    assert coordinator.get(f"/api/v1/return-visits/{visit['id']}").get_json()["status"] == "scheduled"
    done = coordinator.post(f"/api/v1/return-visits/{visit['id']}/complete",
                            json={"satisfaction": 1, "occurred_at": ago(6).isoformat()}).get_json()
    refused = coordinator.post(f"/api/v1/complaints/{done['complaint_id']}/resolve",
                               json={"note": "called back", "occurred_at": ago(7).isoformat()})
    assert refused.status_code == 422 and "occurred_at" in refused.get_json()["errors"]
    assert coordinator.get(f"/api/v1/complaints/{done['complaint_id']}").get_json()["status"] == "open"

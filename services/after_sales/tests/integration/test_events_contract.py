"""Every event after-sales publishes conforms to the public contract and keeps personal numbers out;
the delivery it consumes is read tolerantly."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from after_sales.cases.services import escalate_overdue_complaints
from after_sales.consumers import vehicle_registered
from after_sales.grades.services import regrade_everyone
from after_sales.maintenance.services import mark_missed_appointments
from after_sales.policy import load_policy
from contracts import contract_errors, known_event_types
from shared.domain import InvalidInput
from shared.envelope import make_event

BEIJING = timezone(timedelta(hours=8))


def test_every_after_sales_event_type_conforms_to_the_contract(app, as_role, deliver, outbox) -> None:
    deliver(vin="LSVTEST0000000001", delivered_at=datetime.now(BEIJING) - timedelta(days=30))
    deliver(vin="LSVTEST0000000002")
    coordinator = as_role("after_sales", "a1")
    assert coordinator.post("/api/v1/service-records", json={
        "vin": "LSVTEST0000000001", "mileage_km": 2100, "items": ["check-up"], "cost": "120.50"}).status_code == 201
    visit = coordinator.get("/api/v1/return-visits").get_json()["items"][0]
    complaint_id = coordinator.post(f"/api/v1/return-visits/{visit['id']}/complete",
                                    json={"satisfaction": 1}).get_json()["complaint_id"]
    with app.extensions["dealer"].sessions() as session:
        assert escalate_overdue_complaints(session, datetime.now(BEIJING) + timedelta(days=30)) == 1
    coordinator.post(f"/api/v1/complaints/{complaint_id}/resolve", json={"note": "called back, apologised"})
    claim = coordinator.post("/api/v1/warranty-claims", json={
        "kind": "warranty", "vin": "LSVTEST0000000002", "description": "rattle in the door"}).get_json()
    coordinator.post(f"/api/v1/warranty-claims/{claim['id']}/decide", json={"decision": "approved"})
    every_car_round(app, coordinator, deliver)

    found = outbox()
    ours = {t for t in known_event_types() if t.startswith("dealer.after_sales.")}
    assert {e["type"] for e in found} == ours
    for event in found:
        assert contract_errors(event) == [], event
        assert event["source"] == "/dealer/after_sales"
        assert "13812345678" not in str(event) and "110101199003074514" not in str(event)


def every_car_round(app, coordinator, deliver) -> None:
    """Issue 17's events: walk-in file, plate, plan, reminder calls, appointments, answers, consent, notice,
    a prospect's complaint, the daily grading."""
    now = datetime.now(BEIJING)
    walk_in = coordinator.post("/api/v1/customers", json={
        "name": "Zhao Min", "phone": "13900001111", "address": "上海市浦东新区世纪大道100号",
        "vehicle": {"vin": "LSVTEST0000000003", "model": "Corolla"}}).get_json()
    assert walk_in["source"] == "walk_in"
    with app.extensions["dealer"].sessions() as session, session.begin():
        vehicle_registered(session, make_event("orders", "orders.vehicle.registered", "o-x", {
            "order_id": "o-x", "vin": "LSVTEST0000000002", "plate_no": "沪A12345", "registered_on": "2026-12-01",
            "by": "store"}))
    assert coordinator.put("/api/v1/vehicles/LSVTEST0000000003/maintenance-plan",
                           json={"interval_months": 1, "interval_km": 3000}).status_code == 200
    listed = coordinator.get("/api/v1/reminders", query_string={"within_days": 40}).get_json()["items"]
    [reminder] = [r for r in listed if r["vin"] == "LSVTEST0000000003"]  # plan: a month from filing
    tomorrow = (now + timedelta(days=1)).isoformat()
    booked = coordinator.post(f"/api/v1/reminders/{reminder['id']}/calls",
                              json={"outcome": "booked", "scheduled_at": tomorrow}).get_json()
    coordinator.post(f"/api/v1/service-appointments/{booked['appointment_id']}/cancel", json={"reason": "busy"})
    for _ in range(2):
        appointment = coordinator.post("/api/v1/service-appointments", json={
            "customer_id": walk_in["id"], "vin": "LSVTEST0000000003", "scheduled_at": tomorrow, "kind": "repair"})
    coordinator.post(f"/api/v1/service-appointments/{appointment.get_json()['id']}/arrive", json={})
    with app.extensions["dealer"].sessions() as session:
        assert mark_missed_appointments(session, now + timedelta(days=3), BEIJING) == 1
    visit = coordinator.get("/api/v1/return-visits").get_json()["items"][0]
    coordinator.post(f"/api/v1/return-visits/{visit['id']}/complete", json={
        "answers": {"sales_process": 5, "delivery": 4, "facility": 4, "recommend": 9}})
    coordinator.put(f"/api/v1/customers/{walk_in['id']}/consent", json={"marketing": True, "source": "phone"})
    coordinator.post("/api/v1/notices", json={"title": "Winter check", "body": "Free check-up", "segment": {}})
    coordinator.post("/api/v1/complaints", json={"phone": "13900002222", "name": "Qian", "category": "price",
                                                 "severity": "low", "description": "quoted price differed"})
    with app.extensions["dealer"].sessions() as session:  # a year on, the cars bought now no longer count
        regrade_everyone(session, load_policy(), (now + timedelta(days=400)).date())


def test_a_delivery_is_read_tolerantly_unknown_fields_ignored_a_bad_id_number_left_out_utc_assumed(
        as_role, deliver, delivery_event) -> None:
    event = delivery_event(id_number="110101199003070000")  # wrong check character
    event["data"]["delivered_at"] = "2025-03-01T17:30:00"  # no offset: the platform's UTC
    event["data"].pop("trim")
    event["data"].pop("color")
    event["data"]["loyalty_tier"] = "gold"  # a field a later version of orders may add
    deliver(event)
    [customer] = as_role("after_sales", "a1").get("/api/v1/customers").get_json()["items"]
    assert customer["id_number"] is None and customer["vehicles"][0]["trim"] == ""
    assert customer["vehicles"][0]["delivered_on"] == "2025-03-02"


def test_a_delivery_without_a_usable_phone_is_refused_whole_so_ops_can_replay_it(
        as_role, deliver, delivery_event, outbox) -> None:
    event = delivery_event()
    event["data"]["customer"]["phone"] = "12345"
    with pytest.raises(InvalidInput) as caught:
        deliver(event)
    assert caught.value.field == "customer.phone"
    assert as_role("after_sales", "a1").get("/api/v1/customers").get_json()["total"] == 0 and outbox() == []

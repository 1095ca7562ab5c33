"""The reminder desk (保养提醒): calls and their outcomes; booked calls become service appointments (预约),
kept, cancelled or missed by the end of their local day."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

from after_sales.domain import add_months
from after_sales.maintenance.services import mark_missed_appointments
from contracts import contract_errors

BEIJING = timezone(timedelta(hours=8))
VIN = "LSVAU2182N2183290"


def today() -> date:
    return datetime.now(BEIJING).date()


def beijing(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), BEIJING)


def due_reminder(as_role, deliver) -> tuple[object, dict]:
    """A car delivered 6 months ago: its first service is due now (add_months(today, -6) + 6 months <= today)."""
    deliver(delivered_at=beijing(add_months(today(), -6), 10))
    coordinator = as_role("after_sales", "a1")
    [reminder] = coordinator.get("/api/v1/reminders").get_json()["items"]
    return coordinator, reminder


def call(caller, reminder_id: str, **body):
    return caller.post(f"/api/v1/reminders/{reminder_id}/calls", json=body)


def events_of(outbox, suffix: str) -> list[dict]:
    return [e for e in outbox() if e["type"] == f"dealer.after_sales.{suffix}.v1"]


def test_a_booked_call_makes_a_service_appointment_and_takes_the_reminder_off_the_list(as_role, deliver,
                                                                                      outbox) -> None:
    coordinator, reminder = due_reminder(as_role, deliver)
    when = beijing(today() + timedelta(days=2), 9, 30)
    response = call(coordinator, reminder["id"], outcome="booked", scheduled_at=when.isoformat(), note="Sat AM")
    assert response.status_code == 201, response.get_json()
    made = response.get_json()
    assert made["outcome"] == "booked" and made["appointment_id"]
    appointment = coordinator.get(f"/api/v1/service-appointments/{made['appointment_id']}").get_json()
    assert (appointment["vin"], appointment["status"], appointment["kind"]) == (VIN, "booked", "maintenance")
    assert datetime.fromisoformat(appointment["scheduled_at"]) == when and appointment["reminder_id"] == reminder["id"]
    assert coordinator.get("/api/v1/reminders").get_json()["items"] == []
    [booked] = coordinator.get("/api/v1/reminders", query_string={"status": "booked"}).get_json()["items"]
    assert (booked["id"], booked["attempts"], booked["last_outcome"]) == (reminder["id"], 1, "booked")
    [called] = events_of(outbox, "reminder.called")
    [appointment_event] = events_of(outbox, "service_appointment.booked")
    assert called["data"]["outcome"] == "booked" and called["data"]["appointment_id"] == made["appointment_id"]
    assert "Sat AM" not in str(called)  # the note stays on file
    assert contract_errors(called) == [] and contract_errors(appointment_event) == []


def test_no_answer_keeps_the_reminder_on_the_list_and_counts_each_attempt(as_role, deliver) -> None:
    coordinator, reminder = due_reminder(as_role, deliver)
    for _ in range(2):
        assert call(coordinator, reminder["id"], outcome="no_answer").status_code == 201
    [still] = coordinator.get("/api/v1/reminders").get_json()["items"]
    assert (still["id"], still["status"], still["attempts"], still["last_outcome"]) == (
        reminder["id"], "open", 2, "no_answer")


def test_declined_and_wrong_number_take_the_reminder_off_the_list_and_no_call_follows(as_role, deliver) -> None:
    coordinator, reminder = due_reminder(as_role, deliver)
    assert call(coordinator, reminder["id"], outcome="wrong_number", note="号码错误").status_code == 201
    assert coordinator.get("/api/v1/reminders").get_json()["items"] == []
    listed = coordinator.get("/api/v1/reminders", query_string={"status": "wrong_number"}).get_json()["items"]
    assert [r["id"] for r in listed] == [reminder["id"]]
    again = call(coordinator, reminder["id"], outcome="declined")
    assert again.status_code == 409 and again.mimetype == "application/problem+json"


def test_a_service_record_closes_the_reminder_and_opens_the_next_one(as_role, deliver) -> None:
    coordinator, reminder = due_reminder(as_role, deliver)
    assert coordinator.post("/api/v1/service-records", json={
        "vin": VIN, "mileage_km": 4800, "items": ["first service"], "cost": "0.00"}).status_code == 201
    [done] = coordinator.get("/api/v1/reminders", query_string={"status": "done"}).get_json()["items"]
    assert done["id"] == reminder["id"]
    [following] = coordinator.get("/api/v1/reminders", query_string={"to": "2100-01-01"}).get_json()["items"]
    assert following["id"] != reminder["id"] and following["next_due_km"] == 4800 + 5000


def test_the_service_a_booked_call_was_about_closes_its_reminder(as_role, deliver) -> None:
    coordinator, reminder = due_reminder(as_role, deliver)
    made = call(coordinator, reminder["id"], outcome="booked",
                scheduled_at=beijing(today() + timedelta(days=1), 23).isoformat()).get_json()
    assert coordinator.post(f"/api/v1/service-appointments/{made['appointment_id']}/arrive", json={}).status_code == 200
    assert coordinator.post("/api/v1/service-records", json={
        "vin": VIN, "mileage_km": 4800, "items": ["first service"], "cost": "0.00"}).status_code == 201
    assert coordinator.get("/api/v1/reminders", query_string={"status": "booked"}).get_json()["items"] == []
    [done] = coordinator.get("/api/v1/reminders", query_string={"status": "done"}).get_json()["items"]
    assert done["id"] == reminder["id"]


def test_calls_that_make_no_sense_are_422_naming_the_field(as_role, deliver) -> None:
    coordinator, reminder = due_reminder(as_role, deliver)
    later = beijing(today() + timedelta(days=1), 10).isoformat()
    cases = [({"outcome": "booked"}, "scheduled_at"), ({"outcome": "declined", "scheduled_at": later}, "scheduled_at"),
             ({"outcome": "booked", "scheduled_at": "2020-01-01T10:00:00+08:00"}, "scheduled_at"),
             ({"outcome": "maybe"}, "outcome"), ({}, "outcome"), ({"outcome": "booked", "scheduled_at": later,
                                                                   "kind": "wash"}, "kind")]
    for body, field in cases:
        response = call(coordinator, reminder["id"], **body)
        assert response.status_code == 422 and field in response.get_json()["errors"], (body, response.get_json())
    assert call(coordinator, "no-such-reminder", outcome="declined").status_code == 404
    assert call(as_role("ops", "o1"), reminder["id"], outcome="declined").status_code == 403


def book(caller, customer_id: str, scheduled_at: datetime, **extra):
    return caller.post("/api/v1/service-appointments", json={
        "customer_id": customer_id, "vin": VIN, "scheduled_at": scheduled_at.isoformat(), "kind": "repair", **extra})


def a_file(as_role, deliver) -> tuple[object, str]:
    deliver()
    coordinator = as_role("after_sales", "a1")
    return coordinator, coordinator.get("/api/v1/customers").get_json()["items"][0]["id"]


def test_an_appointment_is_kept_when_the_car_arrives_once(as_role, deliver, outbox) -> None:
    coordinator, customer_id = a_file(as_role, deliver)
    made = book(coordinator, customer_id, beijing(today() + timedelta(days=1), 23, 0))
    assert made.status_code == 201, made.get_json()
    # Arriving "now" is before the appointment's day ends: kept.
    kept = coordinator.post(f"/api/v1/service-appointments/{made.get_json()['id']}/arrive", json={})
    assert kept.status_code == 200 and kept.get_json()["status"] == "kept"
    again = coordinator.post(f"/api/v1/service-appointments/{made.get_json()['id']}/arrive", json={})
    assert again.status_code == 409
    [event] = events_of(outbox, "service_appointment.kept")
    assert event["data"]["appointment_id"] == made.get_json()["id"] and contract_errors(event) == []


def test_a_cancelled_appointment_from_a_call_puts_the_reminder_back_on_the_list(as_role, deliver, outbox) -> None:
    coordinator, reminder = due_reminder(as_role, deliver)
    made = call(coordinator, reminder["id"], outcome="booked",
                scheduled_at=beijing(today() + timedelta(days=3), 10).isoformat()).get_json()
    cancelled = coordinator.post(f"/api/v1/service-appointments/{made['appointment_id']}/cancel",
                                 json={"reason": "customer travelling"})
    assert cancelled.status_code == 200 and cancelled.get_json()["status"] == "cancelled"
    assert cancelled.get_json()["cancel_reason"] == "customer travelling"
    [back] = coordinator.get("/api/v1/reminders").get_json()["items"]
    assert (back["id"], back["status"]) == (reminder["id"], "open")
    assert coordinator.post(f"/api/v1/service-appointments/{made['appointment_id']}/cancel", json={}).status_code == 409
    assert len(events_of(outbox, "service_appointment.cancelled")) == 1


def test_an_appointment_not_kept_by_the_end_of_its_local_day_is_missed_once(app, as_role, deliver, outbox) -> None:
    coordinator, reminder = due_reminder(as_role, deliver)
    day = today() + timedelta(days=1)
    made = call(coordinator, reminder["id"], outcome="booked", scheduled_at=beijing(day, 21).isoformat()).get_json()
    with app.extensions["dealer"].sessions() as session:
        assert mark_missed_appointments(session, beijing(day, 23, 59), BEIJING) == 0  # its day is not over
        assert mark_missed_appointments(session, beijing(day + timedelta(days=1), 0, 1), BEIJING) == 1
        assert mark_missed_appointments(session, beijing(day + timedelta(days=1), 0, 6), BEIJING) == 0  # once
    missed = coordinator.get(f"/api/v1/service-appointments/{made['appointment_id']}").get_json()
    assert missed["status"] == "missed"
    assert [r["id"] for r in coordinator.get("/api/v1/reminders").get_json()["items"]] == [reminder["id"]]
    [event] = events_of(outbox, "service_appointment.missed")
    assert event["data"]["appointment_id"] == made["appointment_id"] and contract_errors(event) == []


def test_an_arrival_keyed_in_late_within_its_day_corrects_a_missed_mark(app, as_role, deliver) -> None:
    coordinator, customer_id = a_file(as_role, deliver)
    two_days_ago = today() - timedelta(days=2)
    made = book(coordinator, customer_id, beijing(two_days_ago, 10),
                occurred_at=beijing(two_days_ago - timedelta(days=1), 15).isoformat()).get_json()
    with app.extensions["dealer"].sessions() as session:
        assert mark_missed_appointments(session, datetime.now(BEIJING), BEIJING) == 1
    path = f"/api/v1/service-appointments/{made['id']}/arrive"
    day_after = coordinator.post(path, json={"occurred_at": beijing(two_days_ago + timedelta(days=1), 9).isoformat()})
    assert day_after.status_code == 409  # the next day is too late: a new appointment is booked instead
    kept = coordinator.post(path, json={"occurred_at": beijing(two_days_ago, 10, 5).isoformat()})
    assert kept.status_code == 200 and kept.get_json()["status"] == "kept"


def test_the_days_appointments_are_listed_by_the_stores_day(as_role, deliver) -> None:
    coordinator, customer_id = a_file(as_role, deliver)
    day = today() + timedelta(days=1)
    early = book(coordinator, customer_id, beijing(day, 0, 30)).get_json()  # 16:30 UTC the day before
    late = book(coordinator, customer_id, beijing(day, 23, 30)).get_json()
    book(coordinator, customer_id, beijing(day + timedelta(days=1), 9))
    listed = coordinator.get("/api/v1/service-appointments", query_string={"date": day.isoformat()}).get_json()
    assert [a["id"] for a in listed["items"]] == [early["id"], late["id"]]
    assert listed["items"][0]["phone"] == "13812345678"
    ops = as_role("ops", "o1").get("/api/v1/service-appointments", query_string={"date": day.isoformat()})
    assert ops.get_json()["items"][0]["phone"] == "138****5678"
    assert as_role("consultant", "c1").get("/api/v1/service-appointments").status_code == 403


def test_bad_appointments_are_422_naming_the_field(as_role, deliver) -> None:
    coordinator, customer_id = a_file(as_role, deliver)
    later = beijing(today() + timedelta(days=1), 10)
    cases = [({"customer_id": "nobody"}, "customer_id"), ({"vin": "LSVTEST0000000404"}, "vin"),
             ({"scheduled_at": "2020-01-01T10:00:00+08:00"}, "scheduled_at"), ({"kind": "wash"}, "kind"),
             ({"scheduled_at": "tomorrow"}, "scheduled_at")]
    for fields, field in cases:
        body = {"customer_id": customer_id, "vin": VIN, "scheduled_at": later.isoformat(), "kind": "repair", **fields}
        response = coordinator.post("/api/v1/service-appointments", json=body)
        assert response.status_code == 422 and field in response.get_json()["errors"], (fields, response.get_json())
    query = coordinator.get("/api/v1/service-appointments", query_string={"date": "soon"})
    assert query.status_code == 422 and "date" in query.get_json()["errors"]
    assert coordinator.post("/api/v1/service-appointments/none/arrive", json={}).status_code == 404

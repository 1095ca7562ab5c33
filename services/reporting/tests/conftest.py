"""Fixtures of the reporting tests: contract-valid events, the app on a fresh database, callers by role."""
from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask import Flask

from contracts import contract_errors
from dealer_testing import service_app, token
from reporting.consumers import store_and_project
from shared import broker
from shared.config import load_settings
from shared.envelope import make_event, routing_key_of
from shared.publisher import ConfirmingPublisher, Outgoing

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    """A store-local time on a day (Asia/Shanghai), as the events carry it."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


def vin(number: int) -> str:
    """A 17-character VIN for test cars."""
    return f"LSVTEST{number:010d}"


class Events:
    """Builds contract-valid envelopes, as the departments publish them, and keeps every one built."""

    at = staticmethod(at)
    vin = staticmethod(vin)
    zone = SHANGHAI

    def __init__(self) -> None:
        self.built: list[dict[str, Any]] = []

    def event(self, routing_key: str, subject: str, data: dict[str, Any],
              time: datetime | None = None) -> dict[str, Any]:
        envelope = make_event(routing_key.split(".")[0], routing_key, subject, data, time=time)
        problems = contract_errors(envelope)
        assert problems == [], problems
        self.built.append(envelope)
        return envelope

    @staticmethod
    def new_id() -> str:
        return str(uuid.uuid4())

    # -- leads ------------------------------------------------------------------------
    def inquiry(self, when: datetime, channel: str = "phone", by: str = "c1", filed: bool = False,
                lead_id: str | None = None, inquiry_id: str | None = None) -> dict[str, Any]:
        inquiry_id = inquiry_id or self.new_id()
        return self.event("leads.inquiry.received", inquiry_id, {
            "inquiry_id": inquiry_id, "channel": channel, "phone_masked": "138****5678", "filed": filed,
            "lead_id": lead_id, "received_by": by, "received_at": when.isoformat()})

    def lead(self, when: datetime, owner: str = "c1", source: str = "phone_in", inquiry_ids: tuple[str, ...] = (),
             lead_id: str | None = None) -> dict[str, Any]:
        lead_id = lead_id or self.new_id()
        return self.event("leads.lead.created", lead_id, {
            "lead_id": lead_id, "source": source, "model_interest": "Aurora", "level": "A", "status": "potential",
            "owner_id": owner, "created_by": owner, "created_at": when.isoformat(), "phone_masked": "138****5678",
            "inquiry_ids": list(inquiry_ids),
            "referrer_phone_masked": "139****0000" if source == "referral" else None, "assigned_by": "filer"})

    def appointment(self, lead_id: str, when: datetime, by: str = "c1",
                    appointment_id: str | None = None) -> dict[str, Any]:
        appointment_id = appointment_id or self.new_id()
        return self.event("leads.appointment.booked", lead_id, {
            "lead_id": lead_id, "appointment_id": appointment_id,
            "scheduled_at": (when + timedelta(days=2)).isoformat(), "purpose": "test_drive", "booked_by": by,
            "owner_id": by, "booked_at": when.isoformat()})

    def visit(self, lead_id: str, when: datetime, number: int, consultant: str = "c1",
              appointment_id: str | None = None, campaign_id: str | None = None) -> dict[str, Any]:
        return self.event("leads.visit.recorded", lead_id, {
            "lead_id": lead_id, "visit_id": self.new_id(), "consultant_id": consultant,
            "appointment_id": appointment_id, "visit_number": number, "owner_id": consultant,
            "previous_owner_id": consultant, "visited_at": when.isoformat(), "campaign_id": campaign_id})

    def rescheduled(self, lead_id: str, appointment_id: str, was: datetime, to: datetime,
                    by: str = "c1") -> dict[str, Any]:
        return self.event("leads.appointment.rescheduled", lead_id, {
            "lead_id": lead_id, "appointment_id": appointment_id, "scheduled_at": to.isoformat(),
            "previous_scheduled_at": was.isoformat(), "owner_id": by, "by": by})

    def cancelled(self, lead_id: str, appointment_id: str, when: datetime, by: str = "c1") -> dict[str, Any]:
        return self.event("leads.appointment.cancelled", lead_id, {
            "lead_id": lead_id, "appointment_id": appointment_id, "scheduled_at": when.isoformat(),
            "owner_id": by, "by": by, "cancelled_at": when.isoformat()})

    def no_show(self, lead_id: str, appointment_id: str, scheduled: datetime, by: str = "c1") -> dict[str, Any]:
        """Marked by leads' sweep just after the end of the appointment's local day."""
        marked = datetime.combine(scheduled.date() + timedelta(days=1), datetime.min.time(), SHANGHAI)
        return self.event("leads.appointment.no_show", lead_id, {
            "lead_id": lead_id, "appointment_id": appointment_id, "scheduled_at": scheduled.isoformat(),
            "booked_by": by, "owner_id": by, "marked_at": (marked + timedelta(minutes=5)).isoformat()})

    def lost(self, lead_id: str, when: datetime, reason_code: str | None = "price", owner: str = "c1",
             brand: str | None = None, first_version: bool = False) -> dict[str, Any]:
        """A loss (战败); ``first_version``: no lost_at (the envelope's time says when) and no reason_code."""
        data: dict[str, Any] = {"lead_id": lead_id, "reason": reason_code or "bought elsewhere", "owner_id": owner,
                                "by": owner}
        if not first_version:
            data.update(reason_code=reason_code, competitor_brand=brand, lost_at=when.isoformat())
        return self.event("leads.lead.lost", lead_id, data, time=when if first_version else None)

    def reopened(self, lead_id: str, when: datetime, owner: str = "c1") -> dict[str, Any]:
        return self.event("leads.lead.reopened", lead_id, {
            "lead_id": lead_id, "status": "intention", "owner_id": owner, "by": owner,
            "reopened_at": when.isoformat()})

    def converted(self, lead_id: str, order_id: str, owner: str = "c1") -> dict[str, Any]:
        return self.event("leads.lead.converted", lead_id, {
            "lead_id": lead_id, "status": "deal", "order_id": order_id, "owner_id": owner})

    def merged(self, survivor_id: str, duplicate_id: str, when: datetime, owner: str = "c1") -> dict[str, Any]:
        return self.event("leads.lead.merged", survivor_id, {
            "lead_id": survivor_id, "duplicate_lead_id": duplicate_id, "owner_id": owner, "by": "m1",
            "merged_at": when.isoformat()})

    def campaign(self, name: str, kind: str, starts_on: date, ends_on: date,
                 campaign_id: str | None = None) -> dict[str, Any]:
        campaign_id = campaign_id or self.new_id()
        return self.event("leads.campaign.created", campaign_id, {
            "campaign_id": campaign_id, "name": name, "kind": kind, "starts_on": starts_on.isoformat(),
            "ends_on": ends_on.isoformat(), "created_by": "m1",
            "created_at": at(starts_on - timedelta(days=10)).isoformat()})

    def invited(self, campaign_id: str, lead_id: str, when: datetime, by: str = "c1") -> dict[str, Any]:
        return self.event("leads.campaign.invited", campaign_id, {
            "campaign_id": campaign_id, "lead_id": lead_id, "owner_id": by, "invited_by": by,
            "invited_at": when.isoformat()})

    def roster(self, day: date, consultant_ids: list[str]) -> dict[str, Any]:
        return self.event("leads.roster.set", day.isoformat(), {
            "date": day.isoformat(), "consultant_ids": consultant_ids, "set_by": "m1",
            "set_at": at(day - timedelta(days=1), 17).isoformat()})

    def test_drive(self, lead_id: str, when: datetime, consultant: str = "c1", car: str = vin(900)) -> dict[str, Any]:
        return self.event("leads.test_drive.completed", lead_id, {
            "lead_id": lead_id, "test_drive_id": self.new_id(), "vin": car, "escort_id": consultant,
            "consultant_id": consultant, "owner_id": consultant, "at": when.isoformat()})

    test_drive.__test__ = False  # type: ignore[attr-defined]

    # -- orders -----------------------------------------------------------------------
    def order_placed(self, when: datetime, lead_id: str | None, consultant: str = "c1", model: str = "Aurora",
                     order_id: str | None = None, price: str = "189900.00") -> dict[str, Any]:
        order_id = order_id or self.new_id()
        return self.event("orders.order.placed", order_id, {
            "order_id": order_id, "lead_id": lead_id, "consultant_id": consultant, "model": model,
            "trim": "2.0T Luxury", "color": "white", "vin": None, "msrp": "199900.00", "price": price,
            "deposit": "5000.00", "payment_method": "cash", "placed_at": when.isoformat(),
            "customer_phone_masked": "138****5678"})

    def order_cancelled(self, when: datetime, order_id: str, lead_id: str | None,
                        consultant: str = "c1") -> dict[str, Any]:
        return self.event("orders.order.cancelled", order_id, {
            "order_id": order_id, "lead_id": lead_id, "consultant_id": consultant, "vin": None,
            "reason": "changed mind", "refund": "5000.00", "forfeited": "0.00", "cancelled_at": when.isoformat()})

    def delivered(self, when: datetime, order_id: str, lead_id: str | None, consultant: str = "c1",
                  model: str = "Aurora", color: str = "white", price: str = "189900.00",
                  car: str = vin(1), phone: str = "13812345678",
                  id_number: str = "110101199003074514", model_class: str | None = None) -> dict[str, Any]:
        """``model_class``: sent only when given, as orders did before it knew the class (车型大类)."""
        data = {"order_id": order_id, "lead_id": lead_id, "consultant_id": consultant,
                "customer": {"name": "Wang Lei", "phone": phone, "id_number": id_number}, "vin": car, "model": model,
                "trim": "2.0T Luxury", "color": color, "msrp": "199900.00", "price": price,
                "delivered_at": when.isoformat()}
        if model_class is not None:
            data["model_class"] = model_class
        return self.event("orders.order.delivered", order_id, data)

    # -- inventory ----------------------------------------------------------------------
    def received(self, car: str, when: datetime, model: str = "Aurora", trim: str = "2.0T Luxury",
                 color: str = "white", kind: str = "stock", status: str = "pending_inspection",
                 location: str = "main") -> dict[str, Any]:
        return self.event("inventory.vehicle.received", car, {
            "vin": car, "model": model, "trim": trim, "color": color, "kind": kind, "location": location,
            "msrp": "199900.00", "status": status, "arrived_at": when.isoformat()})

    def inspected(self, car: str, when: datetime, passed: bool = True) -> dict[str, Any]:
        return self.event("inventory.vehicle.inspected", car, {
            "vin": car, "passed": passed, "status": "available" if passed else "on_hold",
            "notes": "" if passed else "scratch on the door", "at": when.isoformat()})

    def reserved(self, car: str, when: datetime, order_id: str, model: str = "Aurora") -> dict[str, Any]:
        return self.event("inventory.vehicle.reserved", car, {
            "vin": car, "order_id": order_id, "model": model, "trim": "2.0T Luxury", "color": "white",
            "at": when.isoformat()})

    def released(self, car: str, when: datetime, order_id: str) -> dict[str, Any]:
        return self.event("inventory.vehicle.released", car, {"vin": car, "order_id": order_id, "at": when.isoformat()})

    def vehicle_delivered(self, car: str, when: datetime, order_id: str) -> dict[str, Any]:
        return self.event("inventory.vehicle.delivered", car, {"vin": car, "order_id": order_id,
                                                               "at": when.isoformat()})

    def transferred(self, car: str, when: datetime, to: str) -> dict[str, Any]:
        return self.event("inventory.vehicle.transferred", car, {
            "vin": car, "from_location": "main", "to_location": to, "at": when.isoformat()})

    # -- after-sales ----------------------------------------------------------------------
    def return_visit(self, when: datetime, satisfaction: int, car: str = vin(1)) -> dict[str, Any]:
        visit_id = self.new_id()
        return self.event("after_sales.return_visit.completed", visit_id, {
            "return_visit_id": visit_id, "customer_id": "cust-1", "vin": car, "kind": "delivery",
            "satisfaction": satisfaction, "completed_at": when.isoformat(), "complaint_id": None})

    def complaint_opened(self, when: datetime, complaint_id: str | None = None,
                         severity: str = "high") -> dict[str, Any]:
        complaint_id = complaint_id or self.new_id()
        return self.event("after_sales.complaint.opened", complaint_id, {
            "complaint_id": complaint_id, "customer_id": "cust-1", "category": "service", "severity": severity,
            "owner_id": "a1", "deadline": (when + timedelta(hours=24)).isoformat(), "opened_at": when.isoformat(),
            "origin": "manual"})

    def complaint_escalated(self, complaint_id: str, when: datetime) -> dict[str, Any]:
        return self.event("after_sales.complaint.escalated", complaint_id, {
            "complaint_id": complaint_id, "severity": "high", "deadline": when.isoformat(),
            "escalated_at": when.isoformat()})

    def complaint_resolved(self, complaint_id: str, opened: datetime, when: datetime) -> dict[str, Any]:
        return self.event("after_sales.complaint.resolved", complaint_id, {
            "complaint_id": complaint_id, "opened_at": opened.isoformat(), "resolved_at": when.isoformat(),
            "resolved_by": "a1"})

    def customer_created(self, car: str, delivered_on: date, next_due_on: date) -> dict[str, Any]:
        customer_id = self.new_id()
        return self.event("after_sales.customer.created", customer_id, {
            "customer_id": customer_id, "vin": car, "model": "Aurora", "consultant_id": "c1",
            "order_id": self.new_id(), "delivered_on": delivered_on.isoformat(), "phone_masked": "138****5678",
            "grade": "second", "next_due_on": next_due_on.isoformat(), "next_due_km": 5000})

    def service_recorded(self, car: str, service_date: date, next_due_on: date) -> dict[str, Any]:
        service_id = self.new_id()
        return self.event("after_sales.service.recorded", service_id, {
            "service_id": service_id, "customer_id": "cust-1", "vin": car, "service_date": service_date.isoformat(),
            "mileage_km": 5100, "cost": "680.00", "next_due_on": next_due_on.isoformat(), "next_due_km": 10100,
            "grade": "second"})


@pytest.fixture
def events() -> Events:
    """A builder of contract-valid events."""
    return Events()


@pytest.fixture
def app(database_url: str, dealer_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Iterator[Flask]:
    """The reporting app on a fresh database, once on SQLite and once on PostgreSQL."""
    monkeypatch.setenv("DEALER_TZ", "Asia/Shanghai")
    yield from service_app("reporting", database_url)



@pytest.fixture
def consume(app: Flask) -> Callable[[list[dict[str, Any]]], None]:
    """Apply events as the consumer runner does: one transaction, a savepoint per event."""
    def apply(batch: list[dict[str, Any]]) -> None:
        with app.extensions["dealer"].sessions() as session, session.begin():
            for envelope in batch:
                with session.begin_nested():
                    store_and_project(session, envelope)
    return apply



@pytest.fixture
def on_staff(client: Any) -> Callable[..., None]:
    """Put people on the staff directory as a sales manager: ``on_staff("c1", "c2", role="consultant")``."""
    def put(*staff_ids: str, role: str = "consultant") -> None:
        for staff_id in staff_ids:
            answer = client.put(f"/api/v1/staff/{staff_id}", headers=token("sales_manager", "m1"),
                                json={"name": f"Staff {staff_id}", "role": role})
            assert answer.status_code == 200, answer.get_json()
    return put


@pytest.fixture
def bus(dealer_env: dict[str, str]) -> Iterator[Callable[[list[dict[str, Any]]], None]]:
    """Publish envelopes to this test's ``dealer.events`` with confirms, as a department's relay does.

    Reporting's queue is declared first (the same declaration its worker makes), so no event
    published before the worker is up is lost.
    """
    settings = load_settings("reporting")
    conn = broker.connect(settings.amqp_url)
    try:
        broker.declare_consumer_queues(broker.raw_channel(conn), settings, ["#"])
    finally:
        conn.close()
    publisher = ConfirmingPublisher(settings.amqp_url)

    def publish(envelopes: list[dict[str, Any]]) -> None:
        confirmed = publisher.publish([
            Outgoing(settings.exchange, routing_key_of(e["type"]), json.dumps(e).encode(), broker.message_properties(e))
            for e in envelopes])
        assert all(confirmed), "the broker refused an event"

    yield publish
    publisher.close()


# -- The back office's paperwork and after-sales for every car (round 2) --------------------------------------------
class PaperworkAndCare:
    """Builders of the paperwork and after-sales events, contract-checked by the suite's ``events``."""

    def __init__(self, events: Any) -> None:
        self.e = events

    def disbursed(self, order_id: str, when: datetime, amount: str = "100000.00") -> dict[str, Any]:
        return self.e.event("orders.loan.disbursed", order_id, {
            "order_id": order_id, "loan_id": self.e.new_id(), "amount": amount, "disbursed_at": when.isoformat()})

    def loan_decided(self, order_id: str, when: datetime, approved: bool) -> dict[str, Any]:
        return self.e.event("orders.loan.decided", order_id, {
            "order_id": order_id, "loan_id": self.e.new_id(), "approved": approved,
            "amount": "80000.00" if approved else "0.00", "decided_at": when.isoformat()})

    def policy(self, order_id: str, kind: str, starts: date) -> dict[str, Any]:
        return self.e.event("orders.insurance.arranged", order_id, {
            "order_id": order_id, "policy_id": self.e.new_id(), "kind": kind, "insurer": "PICC",
            "policy_no": f"P-{self.e.new_id()[:8]}", "premium": "950.00" if kind == "compulsory" else "4200.00",
            "starts_on": starts.isoformat(), "ends_on": (starts + timedelta(days=364)).isoformat()})

    def call(self, reminder_id: str, when: datetime, outcome: str, appointment_id: str | None = None) -> dict[str, Any]:
        return self.e.event("after_sales.reminder.called", reminder_id, {
            "reminder_id": reminder_id, "customer_id": "cust-1", "vin": self.e.vin(1), "outcome": outcome,
            "called_at": when.isoformat(), "called_by": "a1", "appointment_id": appointment_id})

    def booked(self, appointment_id: str, when: datetime, scheduled: datetime) -> dict[str, Any]:
        """Booked at ``when`` (the envelope's time: the event carries no booking time of its own)."""
        return self.e.event("after_sales.service_appointment.booked", appointment_id, {
            "appointment_id": appointment_id, "customer_id": "cust-1", "vin": self.e.vin(1),
            "scheduled_at": scheduled.isoformat(), "kind": "maintenance", "reminder_id": None, "booked_by": "a1"},
            time=when)

    def appointment_news(self, what: str, appointment_id: str, when: datetime, scheduled: datetime) -> dict[str, Any]:
        return self.e.event(f"after_sales.service_appointment.{what}", appointment_id, {
            "appointment_id": appointment_id, "at": when.isoformat(), "scheduled_at": scheduled.isoformat()})

    def questionnaire(self, when: datetime, answers: tuple[int, int, int, int] | None,
                      consultant: str | None) -> dict[str, Any]:
        visit_id = self.e.new_id()
        data: dict[str, Any] = {"return_visit_id": visit_id, "customer_id": "cust-1", "vin": self.e.vin(1),
                                "kind": "delivery", "satisfaction": 4, "completed_at": when.isoformat(),
                                "complaint_id": None}
        if answers is not None:
            sales_process, delivery, facility, recommend = answers
            data.update(answers={"sales_process": sales_process, "delivery": delivery, "facility": facility,
                                 "recommend": recommend}, consultant_id=consultant)
        return self.e.event("after_sales.return_visit.completed", visit_id, data)

    def customer(self, customer_id: str, when: datetime, source: str, grade: str) -> dict[str, Any]:
        """Filed at ``when`` (the envelope's time)."""
        return self.e.event("after_sales.customer.created", customer_id, {
            "customer_id": customer_id, "vin": self.e.vin(100 + int(customer_id[2:])), "model": "Aurora",
            "phone_masked": "138****5678", "grade": grade, "next_due_on": (when.date() + timedelta(days=180))
            .isoformat(), "next_due_km": 5000, "source": source}, time=when)

    def graded(self, customer_id: str, on: date, grade: str, previous: str) -> dict[str, Any]:
        return self.e.event("after_sales.customer.graded", customer_id, {
            "customer_id": customer_id, "grade": grade, "previous_grade": previous, "spend_12m": "12000.00",
            "graded_on": on.isoformat()}, time=self.e.at(on, 2))

    def notice(self, when: datetime, recipients: int) -> dict[str, Any]:
        notice_id = self.e.new_id()
        return self.e.event("after_sales.notice.sent", notice_id, {
            "notice_id": notice_id, "segment": {"grade": "vip"}, "recipients": recipients,
            "sent_at": when.isoformat()})


@pytest.fixture
def round2(events: Events) -> PaperworkAndCare:
    """Builders of the paperwork and after-sales events (contract-checked, kept in ``events.built``)."""
    return PaperworkAndCare(events)

"""A year of a big store's events, generated: the stream reporting consumes in its benchmarks.

Customers' journeys (inquiry, filing, appointment, visits, test drive, order, delivery), the cars
that serve them (received, inspected, reserved, delivered) and after-sales (customer file, return
call, services, complaints), with follow-ups no report reads. Every event matches its contract.
"""
from __future__ import annotations

import random
import uuid
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from shared.envelope import make_event

ZONE = ZoneInfo("Asia/Shanghai")
START = date(2025, 1, 1)
CONSULTANTS = tuple(f"c{n:02d}" for n in range(1, 25))
MODELS = (("Aurora", "189900.00"), ("Borealis", "239900.00"), ("Comet", "129900.00"),
          ("Dawn", "299900.00"), ("Ember", "159900.00"), ("Flare", "349900.00"))
COLORS = ("white", "black", "grey", "blue", "red")
SOURCES = ("walk_in", "phone_in", "online", "referral", "outreach", "event")


def _id(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


class Stream:
    """Builds events in journeys until ``count`` are made; ``metrics`` counts what the funnel must show."""

    def __init__(self, count: int, days: int = 365, seed: int = 8) -> None:
        self.rng = random.Random(seed)
        self.count, self.days = count, days
        self.events: list[dict[str, Any]] = []
        self.metrics: Counter[str] = Counter()
        self.vins = 0

    def _at(self, day_offset: float, hour: int | None = None) -> datetime:
        day = START + timedelta(days=min(int(day_offset), self.days - 1))
        hour = hour if hour is not None else self.rng.randint(9, 20)
        return datetime(day.year, day.month, day.day, hour, self.rng.randint(0, 59), tzinfo=ZONE)

    def _emit(self, routing_key: str, subject: str, data: dict[str, Any], metric: str | None = None) -> None:
        event = make_event(routing_key.split(".")[0], routing_key, subject, data, time=datetime.now(UTC))
        event["id"] = _id(self.rng)
        event["correlationid"] = event["id"]
        self.events.append(event)
        if metric:
            self.metrics[metric] += 1

    def build(self) -> list[dict[str, Any]]:
        """The events, in the order a day's departments would publish them (roughly by time)."""
        while len(self.events) < self.count:
            self._journey(self.rng.uniform(0, self.days))
        del self.events[self.count:]
        return self.events

    def _journey(self, start: float) -> None:
        rng, consultant = self.rng, self.rng.choice(CONSULTANTS)
        channel = rng.choice(("phone", "walk_in", "online"))
        inquiry_id, lead_id = _id(rng), _id(rng)
        when = self._at(start)
        filed = rng.random() < 0.7
        self._emit("leads.inquiry.received", inquiry_id, {
            "inquiry_id": inquiry_id, "channel": channel, "phone_masked": "138****5678", "filed": False,
            "lead_id": None, "received_by": consultant, "received_at": when.isoformat()}, "inquiries")
        if not filed:
            return
        self._emit("leads.lead.created", lead_id, {
            "lead_id": lead_id, "source": rng.choice(SOURCES), "model_interest": rng.choice(MODELS)[0],
            "level": rng.choice("HABC"), "status": "potential", "owner_id": consultant, "created_by": consultant,
            "created_at": when.isoformat(), "phone_masked": "138****5678", "inquiry_ids": [inquiry_id]}, "leads")
        day = start
        for _ in range(rng.randint(0, 2)):
            day += rng.uniform(1, 4)
            self._emit("leads.lead.followed_up", lead_id, {
                "lead_id": lead_id, "follow_up_id": _id(rng), "channel": "phone", "by": consultant,
                "owner_id": consultant, "at": self._at(day).isoformat(), "next_follow_up_at": None})
        appointment_id = None
        if rng.random() < 0.6:
            appointment_id = _id(rng)
            booked = self._at(day + 0.5)
            self._emit("leads.appointment.booked", lead_id, {
                "lead_id": lead_id, "appointment_id": appointment_id, "scheduled_at": (booked + timedelta(days=2))
                .isoformat(), "purpose": "test_drive", "booked_by": consultant, "owner_id": consultant,
                "booked_at": booked.isoformat()}, "appointments")
        if rng.random() < 0.55:
            self._visits(lead_id, consultant, day + 2, appointment_id)

    def _visits(self, lead_id: str, consultant: str, day: float, appointment_id: str | None) -> None:
        rng = self.rng
        for number in range(1, rng.choice((1, 1, 2, 2, 3)) + 1):
            self._emit("leads.visit.recorded", lead_id, {
                "lead_id": lead_id, "visit_id": _id(rng), "consultant_id": consultant,
                "appointment_id": appointment_id if number == 1 else None, "visit_number": number,
                "owner_id": consultant, "previous_owner_id": consultant, "visited_at": self._at(day, 10).isoformat()},
                "visits")
            if rng.random() < 0.5:
                self._emit("leads.test_drive.completed", lead_id, {
                    "lead_id": lead_id, "test_drive_id": _id(rng), "vin": "LSVDEMO0000000001", "escort_id": consultant,
                    "consultant_id": consultant, "owner_id": consultant, "at": self._at(day, 11).isoformat()},
                    "test_drives")
            day += rng.uniform(2, 12)
        if rng.random() < 0.45:
            self._order(lead_id, consultant, day)

    def _order(self, lead_id: str, consultant: str, day: float) -> None:
        rng = self.rng
        order_id, (model, price), color = _id(rng), rng.choice(MODELS), rng.choice(COLORS)
        self.vins += 1
        vin = f"LSVBENCH{self.vins:09d}"
        placed = self._at(day)
        self._emit("orders.order.placed", order_id, {
            "order_id": order_id, "lead_id": lead_id, "consultant_id": consultant, "model": model,
            "trim": "2.0T Luxury", "color": color, "vin": None, "msrp": price, "price": price,
            "deposit": "5000.00", "payment_method": "cash", "placed_at": placed.isoformat(),
            "customer_phone_masked": "138****5678"}, "orders")
        self._emit("inventory.vehicle.received", vin, {
            "vin": vin, "model": model, "trim": "2.0T Luxury", "color": color, "kind": "stock", "location": "main",
            "msrp": price, "status": "pending_inspection", "arrived_at": self._at(day - 20).isoformat()})
        self._emit("inventory.vehicle.inspected", vin, {"vin": vin, "passed": True, "status": "available",
                                                        "notes": "", "at": self._at(day - 19).isoformat()})
        self._emit("inventory.vehicle.reserved", vin, {"vin": vin, "order_id": order_id, "model": model,
                                                       "trim": "2.0T Luxury", "color": color,
                                                       "at": self._at(day, 21).isoformat()})
        if rng.random() < 0.15:
            return
        delivered = self._at(day + rng.uniform(3, 20))
        self._emit("orders.order.delivered", order_id, {
            "order_id": order_id, "lead_id": lead_id, "consultant_id": consultant,
            "customer": {"name": "Wang Lei", "phone": "13812345678", "id_number": "110101199003074514"},
            "vin": vin, "model": model, "trim": "2.0T Luxury", "color": color, "msrp": price, "price": price,
            "delivered_at": delivered.isoformat()}, "deliveries")
        self._emit("inventory.vehicle.delivered", vin, {"vin": vin, "order_id": order_id,
                                                        "at": delivered.isoformat()})
        self._after_sales(vin, model, consultant, order_id, delivered)

    def _after_sales(self, vin: str, model: str, consultant: str, order_id: str, delivered: datetime) -> None:
        rng, customer_id = self.rng, _id(self.rng)
        self._emit("after_sales.customer.created", customer_id, {
            "customer_id": customer_id, "vin": vin, "model": model, "consultant_id": consultant,
            "order_id": order_id, "delivered_on": delivered.date().isoformat(), "phone_masked": "138****5678",
            "grade": "second", "next_due_on": (delivered.date() + timedelta(days=180)).isoformat(),
            "next_due_km": 5000})
        visit_id = _id(rng)
        self._emit("after_sales.return_visit.completed", visit_id, {
            "return_visit_id": visit_id, "customer_id": customer_id, "vin": vin, "kind": "delivery",
            "satisfaction": rng.randint(3, 5), "completed_at": (delivered + timedelta(days=3)).isoformat(),
            "complaint_id": None}, "return_visits")
        if rng.random() < 0.1:
            complaint_id, opened = _id(rng), delivered + timedelta(days=5)
            self._emit("after_sales.complaint.opened", complaint_id, {
                "complaint_id": complaint_id, "customer_id": customer_id, "category": "service",
                "severity": "high", "owner_id": "a1", "deadline": (opened + timedelta(hours=24)).isoformat(),
                "opened_at": opened.isoformat(), "origin": "manual"})
            self._emit("after_sales.complaint.resolved", complaint_id, {
                "complaint_id": complaint_id, "opened_at": opened.isoformat(),
                "resolved_at": (opened + timedelta(hours=rng.randint(2, 40))).isoformat(), "resolved_by": "a1"})


def generate(count: int, days: int = 365, seed: int = 8) -> tuple[list[dict[str, Any]], Counter[str]]:
    """``count`` contract-valid events over ``days`` days, and how many of each funnel stage they hold."""
    stream = Stream(count, days, seed)
    events = stream.build()
    metrics: Counter[str] = Counter()
    stage_of = {"leads.inquiry.received": "inquiries", "leads.lead.created": "leads",
                "leads.appointment.booked": "appointments", "leads.visit.recorded": "visits",
                "leads.test_drive.completed": "test_drives", "orders.order.placed": "orders",
                "orders.order.delivered": "deliveries", "after_sales.return_visit.completed": "return_visits"}
    for event in events:  # recounted after the cut at ``count``
        stage = stage_of.get(event["type"].removeprefix("dealer.").rsplit(".", 1)[0])
        if stage:
            metrics[stage] += 1
    return events, metrics

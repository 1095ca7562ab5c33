"""Projections on plain dictionaries: what each event changes, in whatever order events arrive."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from reporting.models import AppointmentFact, CarDueFact, DailyCount, InquiryFact, LeadFact, SaleFact, VehicleFact
from reporting.projections import project
from reporting.projections.facts import MemoryFacts

DAY = date(2026, 11, 10)


def apply(events: list[dict[str, Any]], facts: MemoryFacts | None = None) -> MemoryFacts:
    facts = facts or MemoryFacts()
    for event in events:
        project(event, facts, event_zone())
    return facts


def event_zone() -> Any:
    from zoneinfo import ZoneInfo

    return ZoneInfo("Asia/Shanghai")


def counts(facts: MemoryFacts, metric: str) -> dict[tuple[date, str], int]:
    return {(r.day, r.consultant_id): r.value for r in facts.all(DailyCount) if r.metric == metric}


def test_an_event_counts_on_its_store_local_date(events) -> None:
    late_evening_utc = datetime(2026, 11, 9, 17, 30, tzinfo=UTC)  # 01:30 on the 10th in Shanghai
    facts = apply([events.inquiry(late_evening_utc, by="c1")])
    assert counts(facts, "inquiries") == {(DAY, "c1"): 1}


def test_an_inquiry_listed_when_its_customer_is_filed_counts_as_filed_in_either_order(events) -> None:
    inquiry = events.inquiry(events.at(DAY), channel="walk_in")
    lead = events.lead(events.at(DAY, 11), inquiry_ids=(inquiry["data"]["inquiry_id"],))
    for order in ([inquiry, lead], [lead, inquiry]):
        row = apply(order).find(InquiryFact, inquiry_id=inquiry["data"]["inquiry_id"])
        assert row is not None and row.filed and row.day == DAY and row.channel == "walk_in"


def test_an_appointment_is_kept_by_the_visit_that_names_it_in_either_order(events) -> None:
    lead = events.lead(events.at(DAY))["data"]["lead_id"]
    booked = events.appointment(lead, events.at(DAY))
    appointment_id = booked["data"]["appointment_id"]
    visit = events.visit(lead, events.at(DAY + timedelta(days=3)), 1, appointment_id=appointment_id)
    for order in ([booked, visit], [visit, booked]):
        row = apply(order).find(AppointmentFact, appointment_id=appointment_id)
        assert row is not None and row.kept and row.day == DAY


def test_first_and_return_visits_are_told_apart_by_visit_number(events) -> None:
    lead = events.lead(events.at(DAY))["data"]["lead_id"]
    facts = apply([events.visit(lead, events.at(DAY + timedelta(days=5)), 2),
                   events.visit(lead, events.at(DAY), 1), events.visit(lead, events.at(DAY + timedelta(days=9)), 3)])
    row = facts.find(LeadFact, lead_id=lead)
    assert row is not None
    assert (row.first_visit_day, row.return_visit_day) == (DAY, DAY + timedelta(days=5))


def test_conversion_follows_the_first_order_even_when_it_arrives_before_the_lead(events) -> None:
    created = events.at(DAY)
    lead = events.lead(created)
    lead_id = lead["data"]["lead_id"]
    late = events.order_placed(created + timedelta(days=31), lead_id)
    early = events.order_placed(created + timedelta(days=29), lead_id)
    facts = apply([late, lead])
    assert not facts.find(LeadFact, lead_id=lead_id).converted_30d
    apply([early], facts)
    assert facts.find(LeadFact, lead_id=lead_id).converted_30d


def test_a_second_delivery_notice_for_an_order_adds_no_unit(events) -> None:
    first = events.delivered(events.at(DAY), "o-1", None)
    again = events.delivered(events.at(DAY, 12), "o-1", None)
    facts = apply([first, again])
    assert len(facts.all(SaleFact)) == 1
    assert counts(facts, "deliveries") == {(DAY, "c1"): 1}


def test_a_cars_status_follows_the_latest_event_whatever_order_they_arrive_in(events) -> None:
    car = events.vin(7)
    received = events.received(car, events.at(DAY))
    inspected = events.inspected(car, events.at(DAY, 11))
    reserved = events.reserved(car, events.at(DAY, 12), "o-1")
    facts = apply([reserved, received, inspected])
    row = facts.find(VehicleFact, vin=car)
    assert row is not None and row.status == "reserved" and row.model == "Aurora" and row.kind == "stock"


def test_a_transfer_moves_the_car_but_keeps_its_stock_age(events) -> None:
    car = events.vin(8)
    arrived = events.at(DAY - timedelta(days=70))
    facts = apply([events.received(car, arrived), events.transferred(car, events.at(DAY), "east")])
    row = facts.find(VehicleFact, vin=car)
    assert row is not None and row.location == "east" and row.arrived_at == arrived


def test_the_latest_service_record_sets_the_next_due_date(events) -> None:
    car = events.vin(9)
    created = events.customer_created(car, DAY, DAY + timedelta(days=180))
    serviced = events.service_recorded(car, DAY + timedelta(days=170), DAY + timedelta(days=350))
    facts = apply([serviced, created])
    row = facts.find(CarDueFact, vin=car)
    assert row is not None and row.next_due_on == DAY + timedelta(days=350) and row.model == "Aurora"


def test_events_no_report_reads_change_nothing(events) -> None:
    facts = apply([events.event("leads.lead.lost", "l-1", {"lead_id": "l-1", "reason": "price", "owner_id": "c1",
                                                          "by": "c1"})])
    assert facts.rows == {}

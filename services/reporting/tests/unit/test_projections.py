"""Projections on plain dictionaries: what each event changes, in whatever order events arrive."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from itertools import permutations
from typing import Any

from reporting.models import AppointmentFact, CarDueFact, DailyCount, InquiryFact, LeadFact, SaleFact, VehicleFact
from reporting.projections import project
from reporting.projections.facts import MemoryFacts
from reporting.projections.lead_days import second_visit_day
from reporting.projections.rates import COUNTED_BY, counters_of

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
    booked = events.at(DAY)
    facts = apply([events.event("leads.lead.followed_up", "l-1", {
        "lead_id": "l-1", "follow_up_id": "f-1", "channel": "phone", "by": "c1", "owner_id": "c1",
        "at": booked.isoformat(), "next_follow_up_at": None}),
        events.rescheduled("l-1", "a-1", booked, booked + timedelta(days=3))])  # still the day it was booked
    assert facts.rows == {}


def counted(facts: MemoryFacts) -> dict[tuple[Any, ...], int]:
    """Every counter the fact rows count on (the rates, leads filed, losses), as the batch would write them."""
    found: dict[tuple[Any, ...], int] = {}
    for model in COUNTED_BY:
        for row in facts.all(model):
            for table, key in counters_of(model, {c.key: getattr(row, c.key) for c in model.__table__.columns}):
                found[(table.__tablename__, *key)] = found.get((table.__tablename__, *key), 0) + 1
    return found


def test_a_no_show_is_never_kept_whatever_order_it_and_a_visit_naming_it_arrive_in(events) -> None:
    lead = events.lead(events.at(DAY))["data"]["lead_id"]
    booked = events.appointment(lead, events.at(DAY), appointment_id="a-1")
    missed = events.no_show(lead, "a-1", events.at(DAY + timedelta(days=2)))
    stray = events.visit(lead, events.at(DAY + timedelta(days=4)), 1, appointment_id="a-1")
    for order in permutations([booked, missed, stray]):
        found = counted(apply(list(order)))
        assert found[("daily_counts", DAY, "rate_arrival_booked", "")] == 1
        assert found[("consultant_day_counts", "c1", DAY, "rate_arrival_booked")] == 1
        assert ("daily_counts", DAY, "rate_arrival_kept", "") not in found
        assert ("consultant_day_counts", "c1", DAY, "rate_arrival_kept") not in found


def test_a_loss_counts_only_while_no_reopening_came_after_it_in_whatever_order(events) -> None:
    first_loss = events.lost("l-1", events.at(DAY), "competitor", brand="吉利")
    reopened = events.reopened("l-1", events.at(DAY + timedelta(days=1)))
    second_loss = events.lost("l-1", events.at(DAY + timedelta(days=3)), "postponed")
    for order in permutations([first_loss, reopened]):
        assert not any(key[0] == "lost_reason_counts" for key in counted(apply(list(order))))
    for order in permutations([first_loss, reopened, second_loss]):
        losses = {key: n for key, n in counted(apply(list(order))).items() if key[0] == "lost_reason_counts"}
        assert losses == {("lost_reason_counts", DAY + timedelta(days=3), "postponed", "", "c1"): 1}


def test_a_loss_without_a_code_is_other_and_the_brand_only_goes_with_a_competitor(events) -> None:
    facts = apply([events.lost("l-1", events.at(DAY), None, first_version=True),
                   events.lost("l-2", events.at(DAY), "price", brand="吉利")])
    assert {key: n for key, n in counted(facts).items() if key[0] == "lost_reason_counts"} == {
        ("lost_reason_counts", DAY, "other", "", "c1"): 1, ("lost_reason_counts", DAY, "price", "", "c1"): 1}


def test_a_merged_duplicate_hands_its_days_to_the_survivor_in_whatever_order_the_merge_arrives(events) -> None:
    survivor, duplicate = events.lead(events.at(DAY), "c1"), events.lead(events.at(DAY), "c2")
    s_id, d_id = survivor["data"]["lead_id"], duplicate["data"]["lead_id"]
    stream = [survivor, duplicate, events.visit(s_id, events.at(DAY + timedelta(days=1)), 1),
              events.visit(d_id, events.at(DAY + timedelta(days=3)), 1, "c2"),
              events.visit(d_id, events.at(DAY + timedelta(days=6)), 2, "c2"),
              events.test_drive(d_id, events.at(DAY + timedelta(days=3)), "c2")]
    merge = events.merged(s_id, d_id, events.at(DAY + timedelta(days=8)))
    for at in range(len(stream) + 1):
        facts = apply([*stream[:at], merge, *stream[at:]])
        row, gone = facts.find(LeadFact, lead_id=s_id), facts.find(LeadFact, lead_id=d_id)
        assert (row.first_visit_day, row.return_visit_day) == (DAY + timedelta(days=1), DAY + timedelta(days=3))
        assert (row.visit_days, row.test_drive_days) == ("2026-11-11 2026-11-13 2026-11-16", "2026-11-13")
        assert (gone.merged_into, gone.visit_days) == (s_id, "")
        found = counted(facts)
        assert found[("daily_counts", DAY, "leads", "c1")] == 1 and ("daily_counts", DAY, "leads", "c2") not in found


def test_the_second_visit_of_two_joined_histories_is_the_later_first_or_an_earlier_return() -> None:
    first, later, between = DAY, DAY + timedelta(days=5), DAY + timedelta(days=2)
    assert second_visit_day(first, None, later, None) == later
    assert second_visit_day(later, None, first, between) == between
    assert second_visit_day(first, between, later, None) == between
    assert second_visit_day(None, None, first, later) == later
    assert second_visit_day(None, None, None, None) is None

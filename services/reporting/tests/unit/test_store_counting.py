"""The filing rate (建卡率) and 30-day conversion (30天转化率) as the store counts them (DOMAIN.md, "How the
store counts"), projected in memory in every order the events may arrive in."""
from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from itertools import permutations
from typing import Any
from zoneinfo import ZoneInfo

from reporting.models import DailyCount, LeadFact
from reporting.projections import project
from reporting.projections.facts import MemoryFacts
from reporting.projections.rates import CONVERSION, COUNTED_BY, FILING, counters_of

DAY = date(2026, 11, 10)
ZONE = ZoneInfo("Asia/Shanghai")


def apply(events: list[dict[str, Any]]) -> MemoryFacts:
    facts = MemoryFacts()
    for event in events:
        project(event, facts, ZONE)
    return facts


def team_rate(facts: MemoryFacts, metrics: tuple[str, str]) -> tuple[int, int]:
    """(numerator, denominator) of a rate over every day, as the team's counters would hold them."""
    counted: Counter[str] = Counter()
    for model in COUNTED_BY:
        for row in facts.all(model):
            values = {column.key: getattr(row, column.key) for column in model.__table__.columns}
            counted.update(key[1] for table, key in counters_of(model, values) if table is DailyCount and not key[2])
    denominator, numerator = metrics
    return counted[numerator], counted[denominator]


def every_order(events: list[dict[str, Any]]) -> list[MemoryFacts]:
    return [apply(list(order)) for order in permutations(events)]


def with_phone(event: dict[str, Any], phone: str) -> dict[str, Any]:
    """The event as leads or orders would send it for another customer (the phone masked, as always)."""
    field = "customer_phone_masked" if "customer_phone_masked" in event["data"] else "phone_masked"
    return {**event, "data": {**event["data"], field: phone}}


def test_a_repeat_call_from_a_customer_on_file_counts_on_neither_side_of_the_filing_rate(events) -> None:
    on_file = events.inquiry(events.at(DAY), "phone", filed=True, lead_id="L-known")
    assert team_rate(apply([on_file]), FILING) == (0, 0)


def test_a_call_filed_by_the_end_of_the_next_local_day_counts_as_filed_in_either_order(events) -> None:
    call = events.inquiry(events.at(DAY, 23, 30), "phone")  # 23:30 store time
    inquiry_id = call["data"]["inquiry_id"]
    filed = events.lead(events.at(DAY + timedelta(days=1), 23, 50), inquiry_ids=(inquiry_id,))  # next day, 23:50
    for facts in every_order([call, filed]):
        assert team_rate(facts, FILING) == (1, 1)  # one contact, filed in time; the lead lists it: not a contact


def test_a_call_filed_two_days_later_is_a_contact_not_filed_in_either_order(events) -> None:
    call = events.inquiry(events.at(DAY, 9), "walk_in")
    late = events.lead(events.at(DAY + timedelta(days=2), 0, 10), inquiry_ids=(call["data"]["inquiry_id"],))
    for facts in every_order([call, late]):
        assert team_rate(facts, FILING) == (0, 1)  # 00:10 two days on is past the end of the next day


def test_a_walk_in_filed_with_no_inquiry_logged_is_itself_a_contact_filed(events) -> None:
    walk_in = events.lead(events.at(DAY), source="walk_in")
    phone_in = events.lead(events.at(DAY), source="phone_in")
    online = events.lead(events.at(DAY), source="online")  # not a call or a walk-in: no contact
    assert team_rate(apply([walk_in, phone_in, online]), FILING) == (2, 2)


def test_a_cancelled_order_does_not_convert_its_lead_whichever_arrives_first(events) -> None:
    lead = events.lead(events.at(DAY))
    lead_id = lead["data"]["lead_id"]
    placed = events.order_placed(events.at(DAY + timedelta(days=3)), lead_id, order_id="O-1")
    cancelled = events.order_cancelled(events.at(DAY + timedelta(days=5)), "O-1", lead_id)
    for facts in every_order([lead, placed, cancelled]):
        assert team_rate(facts, CONVERSION) == (0, 1)
        assert facts.find(LeadFact, lead_id=lead_id).first_order_at is None


def test_a_cancelled_order_leaves_a_later_order_within_30_days_counting(events) -> None:
    lead = events.lead(events.at(DAY))
    lead_id = lead["data"]["lead_id"]
    first = events.order_placed(events.at(DAY + timedelta(days=2)), lead_id, order_id="O-1")
    cancelled = events.order_cancelled(events.at(DAY + timedelta(days=4)), "O-1", lead_id)
    second = events.order_placed(events.at(DAY + timedelta(days=20)), lead_id, order_id="O-2")
    for facts in every_order([lead, first, cancelled, second]):
        assert team_rate(facts, CONVERSION) == (1, 1)  # O-2 on day 20 of 30
        assert facts.find(LeadFact, lead_id=lead_id).first_order_at == events.at(DAY + timedelta(days=20))


def test_an_order_naming_no_lead_counts_for_the_lead_filed_under_its_phone_in_any_order(events) -> None:
    lead = with_phone(events.lead(events.at(DAY)), "139****0001")
    other = with_phone(events.lead(events.at(DAY)), "137****0002")
    order = with_phone(events.order_placed(events.at(DAY + timedelta(days=10)), None, order_id="O-9"), "139****0001")
    for facts in every_order([lead, other, order]):
        assert team_rate(facts, CONVERSION) == (1, 2)  # the 139 customer converted, the 137 one did not
        assert facts.find(LeadFact, lead_id=lead["data"]["lead_id"]).converted_30d


def test_an_order_by_a_masked_phone_two_leads_share_counts_for_neither_in_any_order(events) -> None:
    first = with_phone(events.lead(events.at(DAY)), "139****0001")
    second = with_phone(events.lead(events.at(DAY + timedelta(days=1))), "139****0001")
    order = with_phone(events.order_placed(events.at(DAY + timedelta(days=3)), None, order_id="O-9"), "139****0001")
    for facts in every_order([first, second, order]):
        assert team_rate(facts, CONVERSION) == (0, 2)  # which of the two ordered cannot be told: neither counts


def test_an_order_by_a_duplicates_phone_counts_for_the_survivor_whenever_the_merge_arrives(events) -> None:
    survivor = with_phone(events.lead(events.at(DAY), lead_id="P"), "139****0001")
    duplicate = with_phone(events.lead(events.at(DAY), lead_id="Q"), "137****0002")
    order = with_phone(events.order_placed(events.at(DAY + timedelta(days=3)), None, order_id="O-9"), "137****0002")
    merged = events.merged("P", "Q", events.at(DAY + timedelta(days=1)))
    for facts in every_order([survivor, duplicate, order, merged]):
        assert team_rate(facts, CONVERSION) == (1, 1)  # one customer (P), who ordered on day 3

"""30-day conversion (30天转化率) matches an order naming no lead to the lead filed under the same phone by the
phone's key (号码密钥), over HTTP on SQLite and PostgreSQL: two customers whose phones mask alike
(13812345678 and 13899995678, both 138****5678) are told apart, in any event order and after a rebuild; events
stored before keys fall back to the masked phone as before."""
from __future__ import annotations

from datetime import date
from typing import Any

from dealer_testing import DEFAULT_SECRET, token
from reporting.services import run_requested_rebuilds
from shared.config import phone_key_secret
from shared.privacy import mask_phone, phone_key

FIRST, SECOND = "13812345678", "13899995678"  # c1's customer and c2's: both 138****5678
OCTOBER = "reports/funnel?from=2026-10-01&to=2026-10-31"


def key_of(phone: str) -> str | None:
    """The key leads and orders put on their events (their token secret is the tests' one)."""
    return phone_key(phone, phone_key_secret(DEFAULT_SECRET))


def filed(events: Any, phone: str, owner: str, day: int, lead_id: str, keyed: bool = True) -> dict[str, Any]:
    """leads.lead.created for a customer filed on an October day; ``keyed``: False as stored before keys."""
    data = {"lead_id": lead_id, "source": "walk_in", "model_interest": "Aurora", "level": "A",
            "status": "potential", "owner_id": owner, "created_by": owner,
            "created_at": events.at(date(2026, 10, day)).isoformat(), "phone_masked": mask_phone(phone),
            "inquiry_ids": [], "referrer_phone_masked": None, "assigned_by": "filer"}
    return events.event("leads.lead.created", lead_id, {**data, "phone_key": key_of(phone)} if keyed else data)


def ordered(events: Any, phone: str, day: int, order_id: str, keyed: bool = True) -> dict[str, Any]:
    """orders.order.placed naming no lead, by the customer with ``phone``, on an October day."""
    data = {"order_id": order_id, "lead_id": None, "consultant_id": "c3", "model": "Aurora", "trim": "2.0T Luxury",
            "color": "white", "vin": None, "msrp": "199900.00", "price": "189900.00", "deposit": "5000.00",
            "payment_method": "cash", "placed_at": events.at(date(2026, 10, day)).isoformat(),
            "customer_phone_masked": mask_phone(phone)}
    return events.event("orders.order.placed", order_id,
                        {**data, "customer_phone_key": key_of(phone)} if keyed else data)


def conversion(client: Any, consultant: str | None = None) -> tuple[int, int, float]:
    """October's 30-day conversion, for the store or one consultant: numerator, denominator, rate."""
    path = f"{OCTOBER}&consultant_id={consultant}" if consultant else OCTOBER
    answer = client.get(f"/api/v1/{path}", headers=token("sales_manager", "m1"))
    assert answer.status_code == 200, answer.get_json()
    found = answer.get_json()
    parts = found["rate_details"]["conversion_30d"]
    return parts["numerator"], parts["denominator"], found["rates"]["conversion_30d"]


def by_whom(client: Any) -> tuple[tuple[int, int, float], ...]:
    return conversion(client), conversion(client, "c1"), conversion(client, "c2")


# the order is the second customer's: 1 of 2 leads converted = 50.0%; c1 0 of 1, c2 1 of 1
SECOND_CONVERTED = ((1, 2, 0.5), (0, 1, 0.0), (1, 1, 1.0))


def test_an_order_naming_no_lead_counts_for_the_lead_with_its_exact_phone_not_the_one_that_masks_alike(
        app, client, events, consume, as_role) -> None:
    first, second, order = events.new_id(), events.new_id(), events.new_id()
    consume([filed(events, FIRST, "c1", 5, first), filed(events, SECOND, "c2", 6, second),
             ordered(events, SECOND, 10, order)])  # ordered 4 days after filing: within 30
    assert by_whom(client) == SECOND_CONVERTED

    assert as_role("ops", "o1").post("/api/v1/admin/rebuild").status_code == 202
    with app.extensions["dealer"].sessions() as session:
        assert run_requested_rebuilds(session) == 3  # the three events, replayed
    assert by_whom(client) == SECOND_CONVERTED


def test_the_exact_match_is_the_same_whichever_event_arrives_first(client, events, consume) -> None:
    first, second, order = events.new_id(), events.new_id(), events.new_id()
    consume([ordered(events, SECOND, 10, order), filed(events, SECOND, "c2", 6, second),
             filed(events, FIRST, "c1", 5, first)])
    assert by_whom(client) == SECOND_CONVERTED


def test_a_cancelled_order_matched_by_its_key_counts_for_no_lead(client, events, consume) -> None:
    order = events.new_id()
    consume([filed(events, FIRST, "c1", 5, events.new_id()), filed(events, SECOND, "c2", 6, events.new_id()),
             ordered(events, SECOND, 10, order), events.order_cancelled(events.at(date(2026, 10, 12)), order, None)])
    assert conversion(client) == (0, 2, 0.0)  # 0 of 2: the only order was cancelled


def test_an_order_whose_key_matches_no_lead_does_not_count_for_a_lead_that_only_shares_its_mask(
        client, events, consume) -> None:
    consume([filed(events, FIRST, "c1", 5, events.new_id()), ordered(events, SECOND, 10, events.new_id())])
    assert conversion(client) == (0, 1, 0.0)  # the second customer has no file: c1's lead did not order


def test_events_stored_before_keys_are_matched_by_the_masked_phone_as_before(client, events, consume) -> None:
    consume([filed(events, FIRST, "c1", 5, events.new_id(), keyed=False),
             ordered(events, FIRST, 10, events.new_id(), keyed=False)])
    assert conversion(client) == (1, 1, 1.0)  # one lead under 138****5678, one order carrying it: 1 of 1


def test_a_keyed_order_falls_back_to_the_masked_phone_only_among_leads_filed_before_keys(
        client, events, consume) -> None:
    # c1's customer was filed with a key (another phone, provably); c2's before keys: the order can only be c2's
    consume([filed(events, FIRST, "c1", 5, events.new_id()), filed(events, SECOND, "c2", 6, events.new_id(),
                                                                    keyed=False),
             ordered(events, SECOND, 10, events.new_id())])
    assert by_whom(client) == SECOND_CONVERTED


def test_an_order_stored_before_keys_under_a_mask_two_leads_share_counts_for_neither(
        client, events, consume) -> None:
    consume([filed(events, FIRST, "c1", 5, events.new_id()), filed(events, SECOND, "c2", 6, events.new_id()),
             ordered(events, SECOND, 10, events.new_id(), keyed=False)])
    assert conversion(client) == (0, 2, 0.0)  # no key: 138****5678 could be either customer's, so neither's


def test_an_order_keyed_to_a_merged_duplicates_phone_counts_for_the_survivor_whenever_the_merge_arrives(
        client, events, consume) -> None:
    survivor, duplicate = events.new_id(), events.new_id()
    leads = [filed(events, FIRST, "c1", 5, survivor), filed(events, SECOND, "c1", 6, duplicate)]
    merge, order = events.merged(survivor, duplicate, events.at(date(2026, 10, 8))), ordered(
        events, SECOND, 10, events.new_id())
    consume([*leads, order, merge])
    # one customer filed twice, merged: the duplicate counts nowhere, the survivor ordered: 1 of 1
    assert conversion(client) == (1, 1, 1.0)


def test_an_order_keyed_to_a_merged_duplicates_phone_counts_for_the_survivor_when_the_merge_came_first(
        client, events, consume) -> None:
    survivor, duplicate = events.new_id(), events.new_id()
    consume([events.merged(survivor, duplicate, events.at(date(2026, 10, 8))), ordered(events, SECOND, 10,
                                                                                        events.new_id()),
             filed(events, SECOND, "c1", 6, duplicate), filed(events, FIRST, "c1", 5, survivor)])
    assert conversion(client) == (1, 1, 1.0)  # as above: 1 of 1

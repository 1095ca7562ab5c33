"""Leads reads an order event into a small typed value, and the rules of what an order does to its lead."""
from __future__ import annotations

from leads.consumers import OrderOfLead
from leads.domain import status_on_order_cancelled, status_on_order_placed
from shared.envelope import make_event


def test_an_order_event_is_read_for_its_order_and_lead_and_unknown_fields_are_ignored() -> None:
    envelope = make_event("orders", "orders.order.placed", "o-7", {"lead_id": "l-3", "price": "99.00", "new": 1})
    assert OrderOfLead.from_event(envelope) == OrderOfLead(order_id="o-7", lead_id="l-3")


def test_an_order_without_a_lead_reads_as_no_lead() -> None:
    for data in ({}, {"lead_id": None}, {"lead_id": ""}):
        assert OrderOfLead.from_event(make_event("orders", "orders.order.cancelled", "o-8", data)).lead_id is None


def test_an_order_placed_makes_any_lead_but_a_deal_a_deal() -> None:
    assert [status_on_order_placed(s) for s in ("potential", "intention", "lost", "deal")] == [
        "deal", "deal", "deal", None]


def test_a_cancelled_order_sends_only_a_deal_back_to_intention() -> None:
    assert [status_on_order_cancelled(s) for s in ("potential", "intention", "lost", "deal")] == [
        None, None, None, "intention"]

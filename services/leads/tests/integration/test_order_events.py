"""Orders' events move the lead: placed makes it a deal (成交), cancelled an intention again."""
from __future__ import annotations

import json

from sqlalchemy import select

from contracts import contract_errors
from leads.consumers import HANDLERS
from leads.models import Lead
from shared.envelope import make_event
from shared.outbox import OutboxEvent


def apply(app, routing_key: str, lead_id: str, order_id: str = "o-1") -> None:
    with app.extensions["dealer"].sessions() as session:
        HANDLERS[routing_key](session, make_event("orders", routing_key, order_id, {"lead_id": lead_id}))
        session.commit()


def status_of(app, lead_id: str) -> str:
    with app.extensions["dealer"].sessions() as session:
        return session.get(Lead, lead_id).status


def test_an_order_placed_for_a_lead_makes_it_a_deal_and_a_cancellation_reopens_it(app, as_role, new_lead) -> None:
    lead = new_lead(as_role("consultant", "c1"))
    apply(app, "orders.order.placed", lead["id"])
    assert status_of(app, lead["id"]) == "deal"
    apply(app, "orders.order.cancelled", lead["id"])
    assert status_of(app, lead["id"]) == "intention"
    with app.extensions["dealer"].sessions() as session:
        found = [json.loads(r.body) for r in session.scalars(select(OutboxEvent).order_by(OutboxEvent.position))]
    assert [e["type"] for e in found][-2:] == ["dealer.leads.lead.converted.v1", "dealer.leads.lead.reopened.v1"]
    assert all(contract_errors(e) == [] for e in found)


def test_an_order_without_a_lead_changes_no_lead(app, as_role, new_lead) -> None:
    lead = new_lead(as_role("consultant", "c1"))
    with app.extensions["dealer"].sessions() as session:
        HANDLERS["orders.order.placed"](session, make_event("orders", "orders.order.placed", "o-2", {"lead_id": None}))
        session.commit()
    assert status_of(app, lead["id"]) == "potential"

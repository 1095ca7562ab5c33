"""Handlers of the events the leads service consumes (tolerant readers).

An order placed for a lead makes it a deal (成交); a cancelled order sends it back
to intention, unless another of its orders is still open.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from leads import events
from leads.models import Lead


def _lead_of(session: Session, event: dict[str, Any]) -> Lead | None:
    lead_id = event["data"].get("lead_id")
    return session.get(Lead, lead_id) if lead_id else None


def order_placed(session: Session, event: dict[str, Any]) -> None:
    """The customer ordered: the lead is a deal."""
    lead = _lead_of(session, event)
    if lead is None or lead.status == "deal":
        return
    lead.status = "deal"
    events.publish(session, "leads.lead.converted", lead.id, events.status_changed(lead, event["subject"]))


def order_cancelled(session: Session, event: dict[str, Any]) -> None:
    """The order fell through: the customer is an intention again."""
    lead = _lead_of(session, event)
    if lead is None or lead.status != "deal":
        return
    lead.status = "intention"
    events.publish(session, "leads.lead.reopened", lead.id, events.status_changed(lead, event["subject"]))


HANDLERS = {
    "orders.order.placed": order_placed,
    "orders.order.cancelled": order_cancelled,
}

"""A lead's status history: each loss, reopening, change of owner, merge and conversion, kept as it happens.

The leads table holds only where a lead is now; what happened to it (when it was lost, who handed it to whom)
would be gone by the next change. Each use case that changes a lead's status or owner writes one row here in
its own transaction, so the history and the change are committed together or not at all.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from leads.domain import STATUS_CHANGES
from leads.models import Lead, LeadStatusChange


def record_change(session: Session, lead: Lead, kind: str, by: str | None, at: datetime,
                  **details: Any) -> LeadStatusChange:
    """Add one change of ``lead`` to its history (``details``: the columns the kind fills, e.g. ``rule``)."""
    if kind not in STATUS_CHANGES:
        raise ValueError(f"unknown status change {kind!r}")
    change = LeadStatusChange(lead_id=lead.id, kind=kind, by=by, at=at, **details)
    session.add(change)
    return change


def record_owner_change(session: Session, lead: Lead, previous_owner: str, by: str, at: datetime,
                        rule: str) -> LeadStatusChange | None:
    """An owner change (a visit's ownership rule, a manager's hand-over); nothing when the owner stayed."""
    if previous_owner == lead.owner_id:
        return None
    return record_change(session, lead, "owner_changed", by, at, owner_before=previous_owner,
                         owner_after=lead.owner_id, rule=rule)

"""The events the reporting service publishes: the sales managers' inputs a payroll system can follow.

The staff directory (``reporting.staff.updated``), the groups and their members
(``reporting.group.updated``) and the month's targets (``reporting.targets.set``). Names only, never
a phone or an ID number: reporting keeps none.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from reporting.dates import aware
from reporting.models import SalesGroup, StaffMember
from shared.envelope import make_event
from shared.outbox import record_event

SERVICE = "reporting"


def publish(session: Session, routing_key: str, subject: str, data: dict[str, Any]) -> None:
    """Write one event to the outbox in the caller's transaction."""
    record_event(session, make_event(SERVICE, routing_key, subject, data))


def _iso(moment: datetime) -> str:
    """ISO 8601 with its offset; a time read back from SQLite comes naive, and was stored in UTC."""
    return aware(moment).isoformat()


def staff_updated(member: StaffMember) -> dict[str, Any]:
    return {"staff_id": member.staff_id, "name": member.name, "role": member.role, "active": member.active,
            "by": member.updated_by, "at": _iso(member.updated_at)}


def group_updated(group: SalesGroup, members: list[str], effective_from: date) -> dict[str, Any]:
    """``members``: who is in the group from ``effective_from`` on."""
    return {"group_id": group.group_id, "name": group.name, "supervisor_id": group.supervisor_id,
            "members": members, "effective_from": effective_from.isoformat(), "by": group.updated_by,
            "at": _iso(group.updated_at)}


def targets_set(month: str, targets: list[dict[str, Any]], by: str, at: datetime) -> dict[str, Any]:
    """``targets``: each consultant's units and, when split, their units per model class (车型大类)."""
    return {"month": month, "targets": targets, "by": by, "at": _iso(at)}

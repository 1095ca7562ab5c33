"""Reads of the duty roster."""
from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from leads.models import DutyRoster
from shared.domain import NotFound


def roster_of(session: Session, day: date) -> DutyRoster:
    """The roster of a local day, or 404 when the manager has not set one."""
    roster = session.get(DutyRoster, day)
    if roster is None:
        raise NotFound(f"No duty roster for {day.isoformat()}: the sales manager sets it with PUT.")
    return roster

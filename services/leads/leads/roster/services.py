"""Use cases of the duty roster: the manager sets the day's list; each DCC filing takes the next turn.

The turn is taken in the database, in the filing's own transaction, by one ``UPDATE ... SET turn = turn + 1
... RETURNING``: PostgreSQL locks the roster's row until the filing commits, SQLite lets one writer at a time,
so concurrent filings in any number of processes get one turn each, in order, and a filing that fails (a
phone already on file) gives its turn back with its rollback.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import update
from sqlalchemy.orm import Session

from leads import domain, events
from leads.models import DutyRoster
from shared.actors import Actor
from shared.clock import utcnow


def set_roster(session: Session, day: date, consultant_ids: list[str], actor: Actor) -> DutyRoster:
    """The sales manager sets who is on duty on a local day (值班表); a changed list starts its rotation afresh."""
    roster = session.get(DutyRoster, day, with_for_update=True)  # a filing taking its turn finishes first
    if roster is None:
        roster = DutyRoster(day=day, consultant_ids=list(consultant_ids), turn=0)
        session.add(roster)
    else:
        roster.turn = domain.turn_after_roster_change(list(roster.consultant_ids), consultant_ids, roster.turn)
        roster.consultant_ids = list(consultant_ids)
    roster.set_by, roster.set_at = actor.sub, utcnow()
    session.flush()
    events.publish(session, "leads.roster.set", day.isoformat(), events.roster_set(roster))
    session.commit()
    return roster


def take_turn(session: Session, day: date) -> str:
    """The consultant on duty whose turn the next lead is (轮流分配); the caller's transaction keeps the turn."""
    taken = session.execute(
        update(DutyRoster).where(DutyRoster.day == day).values(turn=DutyRoster.turn + 1)
        .returning(DutyRoster.turn, DutyRoster.consultant_ids)
        .execution_options(synchronize_session=False)).one_or_none()
    turn, consultant_ids = (taken[0], list(taken[1])) if taken else (0, [])
    return domain.consultant_in_turn(consultant_ids, turn, day)

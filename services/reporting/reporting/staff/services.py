"""Use cases of the staff directory and the groups: a sales manager records a person, or a group's members.

A member's history is kept as rows from one local day to another (``group_memberships``), never
overlapping, so a consultant who moves mid-month counts for the group they were in on the day of each
action. Setting a group's members from a day rewrites what the record says from that day on: they are
in this group (leaving any other), and those left out are no longer in it.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from reporting import domain, events
from reporting.models import GroupMembership, SalesGroup, StaffMember
from reporting.staff.queries import group_on, known_staff
from shared.actors import Actor
from shared.clock import utcnow
from shared.domain import InvalidInput


def put_staff(session: Session, staff_id: str, data: dict[str, Any], actor: Actor) -> StaffMember:
    """Add someone to the staff directory (员工名录), or change their name, role or whether they are still here."""
    member = session.get(StaffMember, staff_id)
    if member is None:
        member = StaffMember(staff_id=staff_id)
        session.add(member)
    member.name, member.role, member.active = data["name"], data["role"], data["active"]
    member.updated_by, member.updated_at = actor.sub, utcnow()
    session.flush()
    events.publish(session, "reporting.staff.updated", staff_id, events.staff_updated(member))
    session.commit()
    return member


def _check_people(session: Session, supervisor_id: str, members: list[str]) -> None:
    """The supervisor is active staff; each member an active consultant or online sales (422 naming the field)."""
    supervisor = known_staff(session, [supervisor_id])[supervisor_id]
    if supervisor is None or not supervisor[1]:
        raise InvalidInput("supervisor_id", f"{supervisor_id} is not active staff in the directory")
    refused = domain.refused_members(known_staff(session, members))
    if refused:
        raise InvalidInput("members", f"not active consultants or online sales in the directory: {', '.join(refused)}")


def _set_members(session: Session, group_id: str, members: list[str], day: date) -> None:
    """From ``day`` on, ``members`` are in the group and nowhere else, and no one else is in it."""
    touching = session.scalars(select(GroupMembership).where(
        or_(GroupMembership.until_day.is_(None), GroupMembership.until_day > day),
        or_(GroupMembership.group_id == group_id, GroupMembership.staff_id.in_(members))))
    staying: set[str] = set()
    for row in touching:
        if row.group_id == group_id and row.staff_id in members and row.from_day <= day and row.until_day is None:
            staying.add(row.staff_id)  # already in it since before the day: their row goes on
        elif row.from_day >= day:
            session.delete(row)  # it began on or after the day: the record from the day on says otherwise
        else:
            row.until_day = day
    session.add_all(GroupMembership(group_id=group_id, staff_id=staff_id, from_day=day, until_day=None)
                    for staff_id in members if staff_id not in staying)


def _rewrites_history(session: Session, group_id: str, members: list[str], day: date) -> bool:
    """Whether setting the group from ``day`` changes a membership already on record for that day or later.

    Nothing on record (opening the books) or exactly what is on record (the same PUT sent again) changes none.
    """
    touching = list(session.scalars(select(GroupMembership).where(
        or_(GroupMembership.until_day.is_(None), GroupMembership.until_day > day),
        or_(GroupMembership.group_id == group_id, GroupMembership.staff_id.in_(members)))))
    unchanged = {row.staff_id for row in touching
                 if row.group_id == group_id and row.from_day <= day and row.until_day is None}
    return bool(touching) and not (len(unchanged) == len(touching) and unchanged == set(members))


def put_group(session: Session, group_id: str, data: dict[str, Any], actor: Actor, today: date) -> dict[str, Any]:
    """A sales manager names a group (小组), its supervisor (主管) and its members from a day (today by default)."""
    day = data["effective_from"] or today
    problem = domain.effective_day_problem(day, today, _rewrites_history(session, group_id, data["members"], day))
    if problem:
        raise InvalidInput("effective_from", problem)
    _check_people(session, data["supervisor_id"], data["members"])
    group = session.get(SalesGroup, group_id, with_for_update=True)
    if group is None:
        group = SalesGroup(group_id=group_id)
        session.add(group)
    group.name, group.supervisor_id = data["name"], data["supervisor_id"]
    group.updated_by, group.updated_at = actor.sub, utcnow()
    _set_members(session, group_id, data["members"], day)
    session.flush()
    events.publish(session, "reporting.group.updated", group_id, events.group_updated(group, data["members"], day))
    session.commit()
    return group_on(session, group_id, today)

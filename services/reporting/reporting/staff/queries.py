"""Reads of the staff directory and the groups: who is who, and who was in which group on a day."""
from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import Session

from reporting.models import GroupMembership, SalesGroup, StaffMember
from shared.domain import NotFound

NAMES = ("staff_id", "name")


def member_on(day: date) -> ColumnElement[bool]:
    """The membership rows that hold on a store-local day (from its first day, until the day it ended)."""
    return and_(GroupMembership.from_day <= day,
                or_(GroupMembership.until_day.is_(None), GroupMembership.until_day > day))


def known_staff(session: Session, staff_ids: list[str]) -> dict[str, tuple[str, bool] | None]:
    """Each id's role and whether they are still at the store; None for an id the directory does not know."""
    found = {member.staff_id: (member.role, member.active)
             for member in session.scalars(select(StaffMember).where(StaffMember.staff_id.in_(staff_ids)))}
    return {staff_id: found.get(staff_id) for staff_id in staff_ids}


def staff_directory(session: Session, today: date, names_only: bool) -> dict[str, Any]:
    """Everyone on the directory by id, with the group they are in today; ``names_only``: ids and names."""
    groups = dict(session.execute(select(GroupMembership.staff_id, GroupMembership.group_id)
                                  .where(member_on(today))).all())
    items = []
    for member in session.scalars(select(StaffMember).order_by(StaffMember.staff_id)):
        row = {"staff_id": member.staff_id, "name": member.name, "role": member.role, "active": member.active,
               "group_id": groups.get(member.staff_id), "updated_by": member.updated_by,
               "updated_at": member.updated_at}
        items.append({key: row[key] for key in NAMES} if names_only else row)
    return {"items": items}


def members_on(session: Session, day: date, group_ids: list[str] | None = None) -> dict[str, list[str]]:
    """Each group's members on a store-local day, by id (every group's, or those of ``group_ids``)."""
    query = select(GroupMembership.group_id, GroupMembership.staff_id).where(member_on(day))
    if group_ids is not None:
        query = query.where(GroupMembership.group_id.in_(group_ids))
    members: dict[str, list[str]] = {}
    for group_id, staff_id in session.execute(query.order_by(GroupMembership.staff_id)):
        members.setdefault(group_id, []).append(staff_id)
    return members


def _view(group: SalesGroup, day: date, members: list[str]) -> dict[str, Any]:
    return {"group_id": group.group_id, "name": group.name, "supervisor_id": group.supervisor_id, "date": day,
            "members": members, "updated_by": group.updated_by, "updated_at": group.updated_at}


def group_of(session: Session, group_id: str) -> SalesGroup:
    """A group, or 404."""
    group = session.get(SalesGroup, group_id)
    if group is None:
        raise NotFound(f"No sales group {group_id}: a sales manager creates it with PUT /api/v1/groups/{group_id}.")
    return group


def group_on(session: Session, group_id: str, day: date) -> dict[str, Any]:
    """One group with its members on a store-local day, or 404."""
    group = group_of(session, group_id)
    return _view(group, day, members_on(session, day, [group_id]).get(group_id, []))


def groups_on(session: Session, day: date) -> dict[str, Any]:
    """Every group by id, with its members on a store-local day."""
    members = members_on(session, day)
    groups = session.scalars(select(SalesGroup).order_by(SalesGroup.group_id))
    return {"items": [_view(group, day, members.get(group.group_id, [])) for group in groups]}

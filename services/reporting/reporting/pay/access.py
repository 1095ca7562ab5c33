"""Who may read or write a group's pay figures: a sales manager, or the group's supervisor (主管).

A supervisor is whoever a group names (``sales_groups.supervisor_id``), whatever their role, so the
routes let every staff role through and check the group here (as leads checks a lead's owner).
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from reporting.models import SalesGroup
from reporting.pay.domain import MANAGER
from shared.actors import Actor, Forbidden


def supervised(session: Session, actor: Actor) -> set[str]:
    """The groups the caller supervises."""
    return set(session.scalars(select(SalesGroup.group_id).where(SalesGroup.supervisor_id == actor.sub)))


def readable_groups(session: Session, actor: Actor, everyone: tuple[str, ...] = (MANAGER,)) -> set[str] | None:
    """None when the caller reads every group (a role of ``everyone``), else the groups they supervise."""
    return None if actor.role in everyone else supervised(session, actor)


def check_group_reader(session: Session, actor: Actor, group_id: str, everyone: tuple[str, ...] = (MANAGER,)) -> None:
    """A role of ``everyone`` or the group's supervisor; else 403 (an unknown group too, for them)."""
    readable = readable_groups(session, actor, everyone)
    if readable is not None and group_id not in readable:
        raise Forbidden(f"Only a sales manager or the supervisor of group {group_id} may read this.")


def check_group_keeper(actor: Actor, group: SalesGroup) -> None:
    """The group's supervisor or a sales manager records its meetings and plans; else 403."""
    if actor.role != MANAGER and actor.sub != group.supervisor_id:
        raise Forbidden(f"Only group {group.group_id}'s supervisor or a sales manager may record this.")

"""Who in which group delivered what against which target over a range of store-local days (销量完成率).

A unit counts for the group its consultant was in on the delivery's local day. A group's target is the
sum of its members' targets; a consultant who moved group mid-month brings each group the share of
their target (in total and per model class, 车型大类) of the days of the month they spent in it.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from reporting.dates import month_range
from reporting.models import GroupMembership, SaleFact, SalesGroup, StaffMember, Target
from reporting.pay.domain import day_share, ratio

Span = tuple[str, str, date, date]  # group, staff, first day, last day (both included)


@dataclass
class Member:
    """One member's month (or week) in one group."""

    staff_id: str
    name: str
    units: int = 0
    class_units: Counter[str] = field(default_factory=Counter)
    target: Decimal = Decimal(0)
    class_targets: dict[str, Decimal] = field(default_factory=dict)


@dataclass
class Group:
    """A group's members over the range, with what they delivered and were set."""

    group_id: str
    name: str
    supervisor_id: str
    members: dict[str, Member] = field(default_factory=dict)

    @property
    def units(self) -> int:
        return sum(member.units for member in self.members.values())

    @property
    def target(self) -> Decimal:
        return sum((member.target for member in self.members.values()), Decimal(0))

    @property
    def completion(self) -> Decimal | None:
        """Units ÷ target; None when the group has no target."""
        return ratio(self.units, self.target) if self.target else None

    def class_units(self) -> Counter[str]:
        return sum((member.class_units for member in self.members.values()), Counter())

    def class_targets(self) -> dict[str, Decimal]:
        totals: dict[str, Decimal] = {}
        for member in self.members.values():
            for name, share in member.class_targets.items():
                totals[name] = totals.get(name, Decimal(0)) + share
        return totals


def spans(session: Session, first: date, last: date) -> list[Span]:
    """Every membership that holds on a day of the range, clipped to it."""
    rows = session.execute(select(GroupMembership.group_id, GroupMembership.staff_id, GroupMembership.from_day,
                                  GroupMembership.until_day)
                           .where(GroupMembership.from_day <= last,
                                  or_(GroupMembership.until_day.is_(None), GroupMembership.until_day > first)))
    return [(group_id, staff_id, max(since, first), min(until - timedelta(days=1), last) if until else last)
            for group_id, staff_id, since, until in rows]


def group_on(member_spans: list[Span], staff_id: str, day: date) -> str | None:
    """The group a consultant was in on a day, if any."""
    return next((group for group, staff, since, until in member_spans if staff == staff_id and since <= day <= until),
                None)


def sales(session: Session, first: date, last: date) -> list[tuple[date, str, str | None]]:
    """Each delivery (交车) of the range: its local day, consultant and model class."""
    return [tuple(row) for row in session.execute(  # type: ignore[misc]
        select(SaleFact.day, SaleFact.consultant_id, SaleFact.model_class).where(SaleFact.day.between(first, last)))]


def _groups(session: Session) -> dict[str, Group]:
    return {g.group_id: Group(g.group_id, g.name, g.supervisor_id)
            for g in session.scalars(select(SalesGroup).order_by(SalesGroup.group_id))}


def names(session: Session) -> dict[str, str]:
    """Everyone's name on the staff directory."""
    return dict(session.execute(select(StaffMember.staff_id, StaffMember.name)).all())  # type: ignore[arg-type]


def _member(group: Group, staff_id: str, known: dict[str, str]) -> Member:
    return group.members.setdefault(staff_id, Member(staff_id, known.get(staff_id, staff_id)))


def _split_targets(session: Session, month: str, groups: dict[str, Group], known: dict[str, str]) -> None:
    """Each member's share of their month's target for each group, by the days of the month in it."""
    first, last = month_range(month)
    days_in_month = (last - first).days + 1
    targets = {t.consultant_id: t for t in session.scalars(select(Target).where(Target.month == month))}
    for group_id, staff_id, since, until in spans(session, first, last):
        target, days = targets.get(staff_id), (until - since).days + 1
        if target is None or group_id not in groups:
            continue
        member = _member(groups[group_id], staff_id, known)
        member.target += day_share(target.units, days, days_in_month)
        for name, units in (target.by_model_class or {}).items():
            member.class_targets[name] = member.class_targets.get(name, Decimal(0)) + day_share(
                int(units), days, days_in_month)


def standings(session: Session, first: date, last: date, month: str | None) -> dict[str, Group]:
    """Every group's members over the range with their units, and, given ``month``, their target shares."""
    groups, known = _groups(session), names(session)
    member_spans = spans(session, first, last)
    for group_id, staff_id, _, _ in member_spans:
        if group_id in groups:
            _member(groups[group_id], staff_id, known)
    if month is not None:
        _split_targets(session, month, groups, known)
    for day, consultant, model_class in sales(session, first, last):
        group_id = group_on(member_spans, consultant, day)
        if group_id in groups:
            member = _member(groups[group_id], consultant, known)  # type: ignore[index]
            member.units += 1
            if model_class:
                member.class_units[model_class] += 1
    return groups


def store_target(session: Session, month: str) -> int:
    """The store's month target: every consultant's, in a group or not."""
    return sum(int(units) for units in session.scalars(select(Target.units).where(Target.month == month)))

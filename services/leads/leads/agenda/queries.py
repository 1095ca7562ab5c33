"""The SQL of the agenda (今日待办) and of a lead's history.

The agenda reads one consultant's open leads with, per lead, the latest follow-up's plan and the latest of
each kind of contact (on PostgreSQL each table aggregated once over the consultant's leads, joined by
``lead_id``; on SQLite looked up by index), and keeps in SQL only the rows due, overdue or idle.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import DateTime, and_, case, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from leads.models import Appointment, CampaignInvitation, FollowUp, Lead, LeadStatusChange, TestDrive, Visit
from leads.queries import store_day_start

CLOSED = ("lost", "deal", "merged")  # no follow-up is owed on these
NO_APPOINTMENT = ("lost", "merged")  # a deal's delivery appointment still belongs on the day
IDLE_DAYS = 7  # no contact for 7 days or more (DOMAIN.md "The sales floor's day")
WHEN = DateTime(timezone=True)
OTHER_CONTACTS = {"visited_at": Visit.visited_at, "booked_at": Appointment.booked_at, "drove_at": TestDrive.at}
CONTACTS = ("followed_up_at", *OTHER_CONTACTS)  # each lead's latest of each kind of contact
LEAD_COLUMNS = (Lead.id.label("lead_id"), Lead.name, Lead.level, Lead.status, Lead.phone, Lead.owner_id,
                Lead.created_at)
ROW_COLUMNS = ("lead_id", "name", "level", "status", "phone", "owner_id", "due_at")  # what an agenda item shows


@dataclass(frozen=True)
class Day:
    """The agenda's local day as UTC bounds, and the start of the day from which a lead counts as idle."""

    start: datetime
    end: datetime
    idle_before: datetime

    @classmethod
    def of(cls, day: date) -> Day:
        return cls(store_day_start(day), store_day_start(day + timedelta(days=1)),
                   store_day_start(day - timedelta(days=IDLE_DAYS - 1)))


def _latest(column: Any, lead_id: Any) -> Any:
    """The latest ``column`` of the lead's rows in ``column``'s table (correlated to the lead only)."""
    return select(func.max(column)).where(column.class_.lead_id == lead_id).correlate(Lead).scalar_subquery()


def _greatest(session: Session, *moments: Any) -> ColumnElement[Any]:
    """The latest of several times: GREATEST on PostgreSQL, the many-argument max() on SQLite."""
    greatest = func.greatest if session.get_bind().dialect.name == "postgresql" else func.max
    return greatest(*moments, type_=WHEN)


def last_contact(session: Session) -> ColumnElement[Any]:
    """A lead's last contact (latest follow-up, visit, appointment booked or test drive, else its filing), looked
    up per row by index."""
    return _greatest(session, Lead.created_at, *(func.coalesce(_latest(column, Lead.id), Lead.created_at)
                                                 for column in (FollowUp.at, *OTHER_CONTACTS.values())))


def work_rows(session: Session, consultant_id: str, day: Day) -> list[Mapping[str, Any]]:
    """The consultant's leads due, overdue (not followed up since the date set) or idle on ``day``, longest without
    contact first; each row says which lists it is in (``due``, ``overdue``, ``idle``: 1 or 0; a lead may be in two).

    The lists are decided here, where the times already are, rather than by turning every row's times into
    Python objects to compare them. Ranking and cutting the long lists here too (window functions) cost SQLite a
    sort of every row per list, more than the few hundred rows it would save.
    """
    lead = _per_lead(session, consultant_id)
    lists = {"due": and_(lead.due_at >= day.start, lead.due_at < day.end),
             "overdue": and_(lead.due_at < day.start, lead.followed_up_at < lead.due_at),
             "idle": lead.last_contact_at < day.idle_before}
    shown = (*(lead[name] for name in ROW_COLUMNS), lead.last_contact_at)  # not followed_up_at: a time to parse
    query = (select(*shown, *(case((condition, 1), else_=0).label(name) for name, condition in lists.items()))
             .where(or_(*lists.values())).order_by(lead.last_contact_at, lead.lead_id))
    return list(session.execute(query).mappings())


def _per_lead(session: Session, consultant_id: str) -> Any:
    """Per open lead of the consultant: what an agenda item shows, its latest follow-up and its last contact.

    Each lead's latest follow-up and latest other contacts are read once. PostgreSQL reads each table once for the
    consultant's leads (aggregates hash-joined by lead); SQLite, which joins by nested loops, looks each lead's
    latest rows up by index, in a materialised CTE: inlined, it repeated every look-up in the filter and the
    order, twice the time. Both answer the same rows.
    """
    postgres = session.get_bind().dialect.name == "postgresql"
    per_lead = (_joined if postgres else _looked_up)(consultant_id).cte("per_lead")
    per_lead = per_lead.prefix_with("MATERIALIZED", dialect="sqlite")
    filed = per_lead.c.created_at
    contact = _greatest(session, filed, *(func.coalesce(per_lead.c[name], filed) for name in CONTACTS))
    return select(*(per_lead.c[name] for name in (*ROW_COLUMNS, "followed_up_at")),
                  contact.label("last_contact_at")).subquery().c


def _mine(consultant_id: str) -> Any:
    """The consultant's open leads (ids), read once per agenda."""
    return select(Lead.id).where(Lead.owner_id == consultant_id, Lead.status.not_in(CLOSED)).cte("mine")


def _plans(mine: Any) -> Any:
    """Per lead, its latest follow-up's time and the next follow-up date it set (None when it set none)."""
    ranked = (select(FollowUp.lead_id, FollowUp.next_follow_up_at, FollowUp.at, func.row_number().over(
        partition_by=FollowUp.lead_id, order_by=(FollowUp.at.desc(), FollowUp.id.desc())).label("rank"))
        .join(mine, mine.c.id == FollowUp.lead_id).subquery())
    return select(ranked.c.lead_id, ranked.c.next_follow_up_at.label("due_at"),
                  ranked.c.at.label("followed_up_at")).where(ranked.c.rank == 1).subquery()


def _latest_per_lead(column: Any, mine: Any) -> Any:
    """Per lead of ``mine``, the latest ``column`` of its rows in ``column``'s table."""
    lead_id = column.class_.lead_id
    return (select(lead_id, func.max(column).label("at")).join(mine, mine.c.id == lead_id)
            .group_by(lead_id).subquery())


def _joined(consultant_id: str) -> Any:
    """Per open lead of the consultant: the latest follow-up's plan and the latest of each kind of contact."""
    mine = _mine(consultant_id)
    plans = _plans(mine)
    query = (select(*LEAD_COLUMNS, plans.c.due_at, plans.c.followed_up_at).join(mine, mine.c.id == Lead.id)
             .outerjoin(plans, plans.c.lead_id == Lead.id))
    for name, column in OTHER_CONTACTS.items():
        latest = _latest_per_lead(column, mine)
        query = query.add_columns(latest.c.at.label(name)).outerjoin(latest, latest.c.lead_id == Lead.id)
    return query


def _looked_up(consultant_id: str) -> Any:
    """As :func:`_joined`, each value looked up per lead by index."""
    plan = (select(FollowUp.next_follow_up_at).where(FollowUp.lead_id == Lead.id)
            .order_by(FollowUp.at.desc(), FollowUp.id.desc()).limit(1).correlate(Lead).scalar_subquery())
    return (select(*LEAD_COLUMNS, plan.label("due_at"), _latest(FollowUp.at, Lead.id).label("followed_up_at"),
                   *(_latest(column, Lead.id).label(name) for name, column in OTHER_CONTACTS.items()))
            .where(Lead.owner_id == consultant_id, Lead.status.not_in(CLOSED)))


def appointments_on(session: Session, consultant_id: str, day: Day) -> list[dict[str, Any]]:
    """The consultant's appointments still booked (not kept, cancelled or missed) for the local day, earliest first."""
    query = (select(Appointment.id.label("appointment_id"), Appointment.scheduled_at, Appointment.purpose,
                    Lead.id.label("lead_id"), Lead.name, Lead.level, Lead.status, Lead.phone, Lead.owner_id,
                    last_contact(session).label("last_contact_at"))
             .join(Lead, Lead.id == Appointment.lead_id)
             .where(Lead.owner_id == consultant_id, Lead.status.not_in(NO_APPOINTMENT),
                    Appointment.scheduled_at >= day.start, Appointment.scheduled_at < day.end,
                    Appointment.status == "booked")
             .order_by(Appointment.scheduled_at, Appointment.id))
    return [dict(row) for row in session.execute(query).mappings()]


def history(session: Session, lead_id: str) -> dict[str, list[Any]]:
    """Everything the leads tables record of one lead, by kind (each list in time order)."""
    def of(model: Any, order: Any) -> list[Any]:
        return list(session.scalars(select(model).where(model.lead_id == lead_id).order_by(order, model.id)))
    return {"follow_up": of(FollowUp, FollowUp.at), "appointment": of(Appointment, Appointment.booked_at),
            "visit": of(Visit, Visit.visited_at), "test_drive": of(TestDrive, TestDrive.at),
            "status_change": of(LeadStatusChange, LeadStatusChange.at),
            "campaign_invitation": of(CampaignInvitation, CampaignInvitation.invited_at)}

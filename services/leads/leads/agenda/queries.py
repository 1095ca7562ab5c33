"""The SQL of the agenda (今日待办) and of a lead's history.

The agenda reads one consultant's open leads with, per lead, the latest follow-up's plan and the last
contact (each table aggregated once over the consultant's leads, joined by ``lead_id``), and keeps in SQL
only the rows due, overdue or idle.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import DateTime, and_, func, or_, select, union_all
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from leads.models import Appointment, FollowUp, Lead, TestDrive, Visit
from leads.queries import store_day_start

CLOSED = ("lost", "deal", "merged")  # no follow-up is owed on these
NO_APPOINTMENT = ("lost", "merged")  # a deal's delivery appointment still belongs on the day
IDLE_DAYS = 7  # no contact for 7 days or more (DOMAIN.md "The sales floor's day")
WHEN = DateTime(timezone=True)


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


def last_contact(session: Session) -> ColumnElement[Any]:
    """A lead's last contact (latest follow-up, visit, appointment booked or test drive, else its filing), looked
    up per row by index."""
    moments = [func.coalesce(_latest(column, Lead.id), Lead.created_at) for column in
               (FollowUp.at, Visit.visited_at, Appointment.booked_at, TestDrive.at)]
    greatest = func.greatest if session.get_bind().dialect.name == "postgresql" else func.max
    return greatest(Lead.created_at, *moments, type_=WHEN)


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


def _contacts(mine: Any) -> Any:
    """Per lead, its latest contact: a follow-up, a visit, an appointment booked or a test drive."""
    every = union_all(*(select(column.class_.lead_id, column.label("at")).join(mine, mine.c.id == column.class_.lead_id)
                        for column in (FollowUp.at, Visit.visited_at, Appointment.booked_at, TestDrive.at))).subquery()
    return select(every.c.lead_id, func.max(every.c.at).label("at")).group_by(every.c.lead_id).subquery()


def work_rows(session: Session, consultant_id: str, day: Day) -> list[dict[str, Any]]:
    """The consultant's leads due, overdue (not followed up since the date set) or idle on ``day``.

    PostgreSQL reads each table once for the consultant's leads (aggregates hash-joined by lead); SQLite, which
    joins by nested loops, looks each lead's latest rows up by index instead. Both answer the same rows.
    """
    postgres = session.get_bind().dialect.name == "postgresql"
    rows = (_joined if postgres else _looked_up)(session, consultant_id).subquery()
    due = and_(rows.c.due_at >= day.start, rows.c.due_at < day.end)
    overdue = and_(rows.c.due_at < day.start, rows.c.followed_up_at < rows.c.due_at)
    query = (select(rows).where(or_(due, overdue, rows.c.last_contact_at < day.idle_before))
             .order_by(rows.c.last_contact_at, rows.c.lead_id))  # longest without contact first
    return [dict(row) for row in session.execute(query).mappings()]


LEAD_COLUMNS = (Lead.id.label("lead_id"), Lead.name, Lead.level, Lead.status, Lead.phone, Lead.owner_id)


def _joined(session: Session, consultant_id: str) -> Any:
    mine = _mine(consultant_id)
    plans, contacts = _plans(mine), _contacts(mine)
    contact = func.greatest(Lead.created_at, func.coalesce(contacts.c.at, Lead.created_at), type_=WHEN)
    return (select(*LEAD_COLUMNS, plans.c.due_at, plans.c.followed_up_at, contact.label("last_contact_at"))
            .join(mine, mine.c.id == Lead.id).outerjoin(plans, plans.c.lead_id == Lead.id)
            .outerjoin(contacts, contacts.c.lead_id == Lead.id))


def _looked_up(session: Session, consultant_id: str) -> Any:
    plan = (select(FollowUp.next_follow_up_at).where(FollowUp.lead_id == Lead.id)
            .order_by(FollowUp.at.desc(), FollowUp.id.desc()).limit(1).correlate(Lead).scalar_subquery())
    return (select(*LEAD_COLUMNS, plan.label("due_at"), _latest(FollowUp.at, Lead.id).label("followed_up_at"),
                   last_contact(session).label("last_contact_at"))
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
            "visit": of(Visit, Visit.visited_at), "test_drive": of(TestDrive, TestDrive.at)}

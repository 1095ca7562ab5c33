"""Reads of the leads service for its lists and single records: the SQL the routes need lives here."""
from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from leads.models import Appointment, Inquiry, Lead
from shared.business_time import store_zone
from shared.domain import NotFound
from shared.web.pagination import page_of

EQUAL_FILTERS = ("status", "owner_id", "source", "level")


def lead_page(session: Session, filters: dict[str, Any]) -> dict[str, Any]:
    """One page of leads, newest first, filtered by status, owner, source, level and filing date.

    Merged duplicates are one customer's second file: left out unless ``status=merged`` asks for them.
    """
    query = select(Lead).order_by(Lead.created_at.desc(), Lead.id)
    if "status" not in filters:
        query = query.where(Lead.status != "merged")
    for column in EQUAL_FILTERS:
        if column in filters:
            query = query.where(getattr(Lead, column) == filters[column])
    if "created_from" in filters:
        query = query.where(Lead.created_at >= filters["created_from"])
    if "created_to" in filters:
        query = query.where(Lead.created_at < filters["created_to"])
    return page_of(session, query, filters["page"], filters["page_size"])


def get_inquiry(session: Session, inquiry_id: str) -> Inquiry:
    """An inquiry by id, or 404."""
    inquiry = session.get(Inquiry, inquiry_id)
    if inquiry is None:
        raise NotFound(f"No inquiry {inquiry_id}.")
    return inquiry


def store_day_start(day: date) -> datetime:
    """The UTC instant the store's local ``day`` begins (DEALER_TZ): stored times are UTC, days are the store's."""
    return datetime.combine(day, time.min, tzinfo=store_zone()).astimezone(UTC)


def inquiry_page(session: Session, filters: dict[str, Any]) -> dict[str, Any]:
    """The call register: one page of inquiries, newest first, by channel, local days and filed or not."""
    query = select(Inquiry).order_by(Inquiry.received_at.desc(), Inquiry.id)
    if "channel" in filters:
        query = query.where(Inquiry.channel == filters["channel"])
    if "from_" in filters:
        query = query.where(Inquiry.received_at >= store_day_start(filters["from_"]))
    if "to" in filters:
        query = query.where(Inquiry.received_at < store_day_start(filters["to"] + timedelta(days=1)))
    if "filed" in filters:
        query = query.where(Inquiry.lead_id.is_not(None) if filters["filed"] else Inquiry.lead_id.is_(None))
    return page_of(session, query, filters["page"], filters["page_size"])


def lead_owners(session: Session, lead_ids: set[str]) -> dict[str, str]:
    """The owner of each of these leads (who may see a filed caller's phone in full)."""
    if not lead_ids:
        return {}
    rows = session.execute(select(Lead.id, Lead.owner_id).where(Lead.id.in_(lead_ids)))
    return {lead_id: owner for lead_id, owner in rows}


def appointment_page(session: Session, filters: dict[str, Any], owner_id: str | None) -> dict[str, Any]:
    """One page of appointments by scheduled time, of one local day and status; ``owner_id``: that owner's leads."""
    query = select(Appointment).order_by(Appointment.scheduled_at, Appointment.id)
    if owner_id is not None:
        query = query.join(Lead, Lead.id == Appointment.lead_id).where(Lead.owner_id == owner_id)
    if "date" in filters:
        query = query.where(Appointment.scheduled_at >= store_day_start(filters["date"]),
                            Appointment.scheduled_at < store_day_start(filters["date"] + timedelta(days=1)))
    if "status" in filters:
        query = query.where(Appointment.status == filters["status"])
    return page_of(session, query, filters["page"], filters["page_size"])

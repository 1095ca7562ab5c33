"""Reads of the leads service for its lists and single records: the SQL the routes need lives here."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from leads.models import Inquiry, Lead
from shared.domain import NotFound
from shared.web.pagination import page_of

EQUAL_FILTERS = ("status", "owner_id", "source", "level")


def lead_page(session: Session, filters: dict[str, Any]) -> dict[str, Any]:
    """One page of leads, newest first, filtered by status, owner, source, level and filing date."""
    query = select(Lead).order_by(Lead.created_at.desc(), Lead.id)
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

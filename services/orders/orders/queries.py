"""Reads of the orders service for its lists: the SQL the routes need lives here."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from orders.models import Order
from shared.web.pagination import page_of

EQUAL_FILTERS = ("status", "consultant_id", "lead_id", "vin")


def order_page(session: Session, filters: dict[str, Any]) -> dict[str, Any]:
    """One page of orders, newest first, filtered by status, consultant, lead and car."""
    query = select(Order).order_by(Order.placed_at.desc(), Order.id)
    for column in EQUAL_FILTERS:
        if column in filters:
            query = query.where(getattr(Order, column) == filters[column])
    return page_of(session, query, filters["page"], filters["page_size"])

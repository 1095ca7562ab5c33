"""Reads of the orders service for its lists: the SQL the routes need lives here.

The back office's work queues are conditions on the order's own columns, so a count and a list use the
same definition: review (a drafted contract, 待审核), manager_approval (reviewed, over the limit, 待经理审批),
payment (approved, money outstanding, 待收款), delivery (paid, 待交车), overdue (past the promised day, 超期).
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, select
from sqlalchemy.orm import Session

from orders.domain import CLOSED, QUEUES, ContractStatus, OrderStatus
from orders.models import Order
from shared.business_time import from_store_time
from shared.web.pagination import page_of

EQUAL_FILTERS = ("status", "consultant_id", "lead_id", "vin")
LEDGER_LIMIT = 100_000  # a period's export; a store sells a few thousand cars a year


def _open() -> ColumnElement[bool]:
    return Order.status.not_in(tuple(CLOSED))


def queue_condition(queue: str, today: date) -> ColumnElement[bool]:
    """The condition an order meets while it waits in ``queue``."""
    return {
        "review": and_(_open(), Order.contract_status == ContractStatus.DRAFTED),
        "manager_approval": and_(_open(), Order.contract_status == ContractStatus.REVIEWED),
        "payment": and_(_open(), Order.contract_status == ContractStatus.APPROVED, Order.paid_total < Order.price),
        "delivery": Order.status == OrderStatus.PAID,
        "overdue": and_(_open(), Order.promised_delivery_on < today),
    }[queue]


def _filtered(filters: dict[str, Any], today: date) -> Select[Any]:
    query = select(Order).order_by(Order.placed_at.desc(), Order.id)
    for column in EQUAL_FILTERS:
        if column in filters:
            query = query.where(getattr(Order, column) == filters[column])
    if "placed_from" in filters:
        query = query.where(Order.placed_at >= _start_of(filters["placed_from"]))
    if "placed_to" in filters:
        query = query.where(Order.placed_at < _start_of(filters["placed_to"] + timedelta(days=1)))
    if "overdue" in filters:
        overdue = queue_condition("overdue", today)
        query = query.where(overdue if filters["overdue"] else ~overdue)
    if "awaiting" in filters:
        query = query.where(queue_condition(filters["awaiting"], today))
    return query


def order_page(session: Session, filters: dict[str, Any], today: date) -> dict[str, Any]:
    """One page of orders, newest first, filtered by status, consultant, lead, car, period and queue."""
    return page_of(session, _filtered(filters, today), filters["page"], filters["page_size"])


def ledger(session: Session, filters: dict[str, Any], today: date) -> list[Order]:
    """Every order the filters select, oldest first: the sales ledger (销售台账) of a period."""
    query = _filtered(filters, today).order_by(None).order_by(Order.placed_at, Order.id)
    return list(session.scalars(query.limit(LEDGER_LIMIT)))


def queue_counts(session: Session, today: date) -> dict[str, int]:
    """How many orders wait in each of the back office's queues, in one query."""
    counts = [func.count().filter(queue_condition(queue, today)).label(queue) for queue in QUEUES]
    row = session.execute(select(*counts).select_from(Order)).one()
    return {queue: int(getattr(row, queue) or 0) for queue in QUEUES}


def _start_of(day: date) -> datetime:
    """The first moment of a local day, in UTC as stored."""
    return from_store_time(datetime.combine(day, time.min))

"""The lists of calls to make (回访), complaints (投诉) and claims (保修 / 保险理赔) staff work from.

Each function turns a list's filters into one query; the API pages it.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from after_sales.models import Claim, Complaint, ReturnVisit


def return_visits(args: dict[str, Any], due_from: date | None, due_to: date | None) -> Select[Any]:
    """Calls to make (or made), the longest-waiting first."""
    query = (select(ReturnVisit).options(selectinload(ReturnVisit.customer))
             .where(ReturnVisit.status == args["status"]).order_by(ReturnVisit.due_on, ReturnVisit.id))
    for column in ("kind", "customer_id", "vin"):
        if column in args:
            query = query.where(getattr(ReturnVisit, column) == args[column])
    if due_from is not None:
        query = query.where(ReturnVisit.due_on >= due_from)
    if due_to is not None:
        query = query.where(ReturnVisit.due_on <= due_to)
    return query


def complaints(args: dict[str, Any]) -> Select[Any]:
    """Complaints, the nearest deadline first."""
    query = select(Complaint).order_by(Complaint.deadline, Complaint.id)
    for column in ("status", "severity", "category", "owner_id", "customer_id", "origin"):
        if column in args:
            query = query.where(getattr(Complaint, column) == args[column])
    if "prospect" in args:
        query = query.where(Complaint.prospect.is_(args["prospect"]))
    if "escalated" in args:
        escalated = Complaint.escalated_at.is_not(None)
        query = query.where(escalated if args["escalated"] else ~escalated)
    return query


def claims(args: dict[str, Any]) -> Select[Any]:
    """Claims, newest first."""
    query = select(Claim).order_by(Claim.filed_at.desc(), Claim.id)
    for column in ("kind", "status", "customer_id"):
        if column in args:
            query = query.where(getattr(Claim, column) == args[column])
    if "vin" in args:
        query = query.where(Claim.vin == args["vin"].strip().upper())
    return query

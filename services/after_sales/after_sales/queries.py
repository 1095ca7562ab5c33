"""The lists after-sales staff work from: customer files, reminders, calls, complaints, claims.

Each function turns a list's filters into one query; the API pages it.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import selectinload

from after_sales.models import Claim, Complaint, Customer, ReturnVisit, ServiceRecord, Vehicle


def customers(args: dict[str, Any]) -> Select[Any]:
    """Customer files, newest first, by phone, VIN, grade or part of the name."""
    query = select(Customer).order_by(Customer.created_at.desc(), Customer.id)
    if "phone" in args:
        query = query.where(Customer.phone == args["phone"])
    if "grade" in args:
        query = query.where(Customer.grade == args["grade"])
    if "name" in args:
        query = query.where(func.lower(Customer.name).contains(args["name"].strip().lower(), autoescape=True))
    if "vin" in args:
        query = query.where(Customer.vehicles.any(Vehicle.vin == args["vin"].strip().upper()))
    return query


def reminders(due_from: date | None, due_to: date) -> Select[Any]:
    """Cars whose service falls due in the window, or whose mileage already reached it, oldest first."""
    by_date = Vehicle.next_due_on <= due_to
    if due_from is not None:
        by_date = and_(by_date, Vehicle.next_due_on >= due_from)
    by_mileage = and_(Vehicle.last_mileage_km.is_not(None), Vehicle.last_mileage_km >= Vehicle.next_due_km)
    return (select(Vehicle).options(selectinload(Vehicle.customer)).where(or_(by_date, by_mileage))
            .order_by(Vehicle.next_due_on, Vehicle.vin))


def service_records(args: dict[str, Any]) -> Select[Any]:
    """Service history, newest first, for a car or a customer."""
    query = select(ServiceRecord).order_by(ServiceRecord.service_date.desc(), ServiceRecord.recorded_at.desc())
    if "vin" in args:
        query = query.where(ServiceRecord.vin == args["vin"].strip().upper())
    if "customer_id" in args:
        query = query.where(ServiceRecord.customer_id == args["customer_id"])
    return query


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

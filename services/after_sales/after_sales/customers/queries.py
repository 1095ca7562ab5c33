"""The lists of customer files and service history staff work from.

Each function turns a list's filters into one query; the API pages it.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select

from after_sales.models import Customer, ServiceRecord, Vehicle


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


def service_records(args: dict[str, Any]) -> Select[Any]:
    """Service history, newest first, for a car or a customer."""
    query = select(ServiceRecord).order_by(ServiceRecord.service_date.desc(), ServiceRecord.recorded_at.desc())
    if "vin" in args:
        query = query.where(ServiceRecord.vin == args["vin"].strip().upper())
    if "customer_id" in args:
        query = query.where(ServiceRecord.customer_id == args["customer_id"])
    return query

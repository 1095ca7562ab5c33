"""Schemas of customer files, service records and reminders (also the OpenAPI document)."""
from __future__ import annotations

from datetime import date
from typing import Any

import marshmallow as ma
from marshmallow import validate

from after_sales.domain import GRADES
from shared.web.fields import Money, OccurredAt, Phone, StoreTime, text
from shared.web.pagination import PageArgs, page_schema

Vin = ma.fields.String(validate=validate.Length(equal=17))
Id = ma.fields.String(validate=validate.Length(min=1, max=64))


class StoreDate(ma.fields.Date):
    """A calendar day of the store (YYYY-MM-DD), within a sane range of years."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> date:
        day = super()._deserialize(value, attr, data, **kwargs)
        if not 2000 <= day.year <= 2100:
            raise ma.ValidationError("Must be between the years 2000 and 2100.")
        return day


# --- customer files (客户档案) ---

class ServiceRecordOut(ma.Schema):
    id = ma.fields.String()
    vin = ma.fields.String()
    customer_id = ma.fields.String()
    service_date = ma.fields.Date()
    mileage_km = ma.fields.Integer()
    items = ma.fields.List(ma.fields.String())
    cost = Money()
    next_due_on = ma.fields.Date()
    next_due_km = ma.fields.Integer()
    recorded_by = ma.fields.String()
    recorded_at = StoreTime()


class VehicleOut(ma.Schema):
    vin = ma.fields.String()
    model = ma.fields.String()
    trim = ma.fields.String()
    color = ma.fields.String()
    price = Money(allow_none=True)
    plate = ma.fields.String(allow_none=True)
    source = ma.fields.String(metadata={"description": "sale (sold here) or walk_in (bought elsewhere, 外购车)"})
    order_id = ma.fields.String(allow_none=True)
    consultant_id = ma.fields.String(allow_none=True)
    delivered_at = StoreTime(allow_none=True)
    delivered_on = ma.fields.Date()
    next_due_on = ma.fields.Date()
    next_due_km = ma.fields.Integer()
    last_service_on = ma.fields.Date(allow_none=True)
    last_mileage_km = ma.fields.Integer(allow_none=True)
    interval_months = ma.fields.Integer(allow_none=True,
                                        metadata={"description": "the car's own plan; null: the store's default"})
    interval_km = ma.fields.Integer(allow_none=True)
    warranty_until = ma.fields.Date(allow_none=True, metadata={"description": "null for a car bought elsewhere"})
    services = ma.fields.List(ma.fields.Nested(ServiceRecordOut))


class CustomerOut(ma.Schema):
    id = ma.fields.String()
    name = ma.fields.String()
    phone = ma.fields.String()
    id_number = ma.fields.String(allow_none=True)
    address = ma.fields.String(allow_none=True, metadata={"description": "masked for roles that may not see it"})
    source = ma.fields.String(metadata={"description": "sale or walk_in: how the file was opened"})
    grade = ma.fields.String()
    total_spent = Money()
    spend_12m = Money(metadata={"description": "spend in the last 12 months: what the grade follows"})
    marketing_consent = ma.fields.Boolean()
    created_at = StoreTime()
    vehicles = ma.fields.List(ma.fields.Nested(VehicleOut))


CustomerPage = page_schema(CustomerOut)


class CustomerFilter(PageArgs):
    phone = Phone()
    vin = Vin
    grade = ma.fields.String(validate=validate.OneOf(GRADES))
    name = text(100, required=False)


class PlateIn(ma.Schema):
    plate = text(20)


class WalkInCarIn(ma.Schema):
    vin = ma.fields.String(required=True, validate=validate.Length(equal=17))
    model = text(100)
    trim = text(100, required=False)
    color = text(50, required=False)
    plate = text(20, required=False, allow_none=True)
    mileage_km = ma.fields.Integer(strict=True, validate=validate.Range(min=0, max=2_000_000),
                                   metadata={"description": "the odometer when filed, if read"})


class WalkInIn(ma.Schema):
    """A car bought elsewhere (外购车) brought in for service: its owner's file and the car."""

    name = text(100)
    phone = Phone(required=True)
    address = text(200)
    vehicle = ma.fields.Nested(WalkInCarIn, required=True)
    occurred_at = OccurredAt()  # when the owner was filed, for a paper file keyed in late (补录)


# --- maintenance (保养) ---

class ServiceRecordIn(ma.Schema):
    vin = ma.fields.String(required=True, validate=validate.Length(equal=17))
    service_date = StoreDate(load_default=None)
    mileage_km = ma.fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=2_000_000))
    items = ma.fields.List(text(200), required=True, validate=validate.Length(min=1, max=50))
    cost = Money(required=True)


ServiceRecordPage = page_schema(ServiceRecordOut)


class ServiceRecordFilter(PageArgs):
    vin = Vin
    customer_id = Id


class WindowArgs(PageArgs):
    """A window of due dates: ``from``/``to`` (inclusive), or ``within_days`` from today."""

    from_ = StoreDate(data_key="from")
    to = StoreDate()
    within_days = ma.fields.Integer(validate=validate.Range(min=0, max=366))

    @ma.validates_schema
    def _one_end(self, data: dict[str, Any], **_: Any) -> None:
        if "to" in data and "within_days" in data:
            raise ma.ValidationError("Give either to or within_days, not both.", "within_days")
        if "from_" in data and "to" in data and data["from_"] > data["to"]:
            raise ma.ValidationError("Must not be before from.", "to")

"""Schemas of maintenance plans, the reminder desk and service appointments (also the OpenAPI document)."""
from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from after_sales.customers.schemas import Id, StoreDate, Vin, WindowArgs
from after_sales.maintenance.domain import APPOINTMENT_KINDS, BOOKED, CALL_OUTCOMES, CANCELLED, KEPT, MISSED
from shared.web.fields import AwareDateTime, OccurredAt, StoreTime, text
from shared.web.pagination import PageArgs, page_schema

REMINDER_STATUSES = ("open", "booked", "declined", "wrong_number", "done")


class PlanIn(ma.Schema):
    interval_months = ma.fields.Integer(required=True, strict=True)
    interval_km = ma.fields.Integer(required=True, strict=True)


class ReminderFilter(WindowArgs):
    status = ma.fields.String(load_default="open", validate=validate.OneOf(REMINDER_STATUSES))
    vin = Vin
    customer_id = Id


class ReminderOut(ma.Schema):
    id = ma.fields.String()
    status = ma.fields.String()
    attempts = ma.fields.Integer()
    last_outcome = ma.fields.String(allow_none=True)
    vin = ma.fields.String()
    customer_id = ma.fields.String()
    customer_name = ma.fields.String()
    phone = ma.fields.String()
    model = ma.fields.String()
    plate = ma.fields.String(allow_none=True)
    delivered_on = ma.fields.Date()
    next_due_on = ma.fields.Date()
    next_due_km = ma.fields.Integer()
    remind_on = ma.fields.Date(metadata={"description": "the due date, or earlier the day the projected km is reached"})
    last_service_on = ma.fields.Date(allow_none=True)
    last_mileage_km = ma.fields.Integer(allow_none=True)
    due_by = ma.fields.String(metadata={"description": "date or mileage: what made it due"})
    days_overdue = ma.fields.Integer(metadata={"description": "negative: days until it is due"})


ReminderPage = page_schema(ReminderOut)


class CallIn(ma.Schema):
    outcome = ma.fields.String(required=True, validate=validate.OneOf(CALL_OUTCOMES))
    note = text(500, required=False, load_default="")
    scheduled_at = AwareDateTime(load_default=None, allow_none=True,
                                 metadata={"description": "a booked call: when the car comes in"})
    kind = ma.fields.String(load_default="maintenance", validate=validate.OneOf(APPOINTMENT_KINDS))
    occurred_at = OccurredAt()


class CallOut(ma.Schema):
    id = ma.fields.String()
    reminder_id = ma.fields.String()
    outcome = ma.fields.String()
    note = ma.fields.String()
    appointment_id = ma.fields.String(allow_none=True)
    called_at = StoreTime()
    called_by = ma.fields.String()


class AppointmentIn(ma.Schema):
    customer_id = ma.fields.String(required=True, validate=validate.Length(min=1, max=64))
    vin = ma.fields.String(required=True, validate=validate.Length(equal=17))
    scheduled_at = AwareDateTime(required=True)
    kind = ma.fields.String(required=True, validate=validate.OneOf(APPOINTMENT_KINDS))
    occurred_at = OccurredAt()


class ArriveIn(ma.Schema):
    occurred_at = OccurredAt()


class CancelIn(ma.Schema):
    reason = text(500, required=False, load_default="")
    occurred_at = OccurredAt()


class AppointmentOut(ma.Schema):
    id = ma.fields.String()
    customer_id = ma.fields.String()
    customer_name = ma.fields.String()
    phone = ma.fields.String()
    vin = ma.fields.String()
    scheduled_at = StoreTime()
    kind = ma.fields.String()
    status = ma.fields.String()
    reminder_id = ma.fields.String(allow_none=True)
    booked_by = ma.fields.String()
    booked_at = StoreTime()
    closed_at = StoreTime(allow_none=True)
    cancel_reason = ma.fields.String(allow_none=True)


AppointmentPage = page_schema(AppointmentOut)


class AppointmentFilter(PageArgs):
    date = StoreDate(metadata={"description": "the store's day the appointments are for"})
    status = ma.fields.String(validate=validate.OneOf((BOOKED, KEPT, CANCELLED, MISSED)))
    vin = Vin
    customer_id = Id

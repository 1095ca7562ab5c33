"""Request and response schemas of the leads API (also the OpenAPI document)."""
from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from leads.domain import FOLLOW_UP_CHANNELS, INQUIRY_CHANNELS, LEVELS, SOURCES, STATUSES
from shared.web.fields import STORE_TIME_IN, AwareDateTime, IdNumber, OccurredAt, Phone, StoreTime, text
from shared.web.pagination import PageArgs, page_schema

ConsultantId = ma.fields.String(validate=validate.Length(min=1, max=64))


class InquiryIn(ma.Schema):
    channel = ma.fields.String(required=True, validate=validate.OneOf(INQUIRY_CHANNELS))
    phone = Phone(load_default=None, allow_none=True)
    note = text(1000, required=False, load_default="")
    occurred_at = OccurredAt()  # a call or walk-in from the paper register (补录)


class InquiryOut(ma.Schema):
    id = ma.fields.String()
    channel = ma.fields.String()
    phone = ma.fields.String(allow_none=True)
    note = ma.fields.String()
    lead_id = ma.fields.String(allow_none=True)
    filed = ma.fields.Boolean()
    received_by = ma.fields.String()
    received_at = StoreTime()


class LeadIn(ma.Schema):
    name = text(100)
    phone = Phone(required=True)
    source = ma.fields.String(required=True, validate=validate.OneOf(SOURCES))
    model_interest = text(100)
    level = ma.fields.String(load_default="C", validate=validate.OneOf(LEVELS))
    id_number = IdNumber(load_default=None, allow_none=True)
    owner_id = ma.fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=64))
    inquiry_id = ma.fields.String(load_default=None, allow_none=True, validate=validate.Length(max=36))
    occurred_at = OccurredAt()  # when the customer was filed


class LeadOut(ma.Schema):
    id = ma.fields.String()
    name = ma.fields.String()
    phone = ma.fields.String()
    id_number = ma.fields.String(allow_none=True)
    source = ma.fields.String()
    model_interest = ma.fields.String()
    level = ma.fields.String()
    status = ma.fields.String()
    owner_id = ma.fields.String()
    created_by = ma.fields.String()
    created_at = StoreTime()
    lost_reason = ma.fields.String(allow_none=True)
    visits = ma.fields.Integer()


LeadPage = page_schema(LeadOut)


class LeadFilter(PageArgs):
    status = ma.fields.String(validate=validate.OneOf(STATUSES))
    owner_id = ConsultantId
    source = ma.fields.String(validate=validate.OneOf(SOURCES))
    level = ma.fields.String(validate=validate.OneOf(LEVELS))
    created_from = AwareDateTime()
    created_to = AwareDateTime()


class FollowUpIn(ma.Schema):
    channel = ma.fields.String(required=True, validate=validate.OneOf(FOLLOW_UP_CHANNELS))
    summary = text(2000)
    next_follow_up_at = AwareDateTime(load_default=None, allow_none=True)
    occurred_at = OccurredAt()


class FollowUpOut(FollowUpIn):
    id = ma.fields.String()
    lead_id = ma.fields.String()
    by = ma.fields.String()
    at = StoreTime()


class AppointmentIn(ma.Schema):
    scheduled_at = AwareDateTime(required=True, metadata={"description": STORE_TIME_IN + " Not in the past: after "
                                                          "the booking (now, or occurred_at for one keyed in late)."})
    purpose = ma.fields.String(load_default="consultation",
                               validate=validate.OneOf(("consultation", "test_drive", "negotiation", "delivery")))
    occurred_at = OccurredAt()  # when it was booked


class AppointmentOut(AppointmentIn):
    id = ma.fields.String()
    lead_id = ma.fields.String()
    booked_by = ma.fields.String()
    booked_at = StoreTime()
    kept_visit_id = ma.fields.String(allow_none=True)


class VisitIn(ma.Schema):
    consultant_id = ma.fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=64))
    appointment_id = ma.fields.String(load_default=None, allow_none=True, validate=validate.Length(max=36))
    requested_consultant_id = ma.fields.String(load_default=None, allow_none=True,
                                               validate=validate.Length(min=1, max=64))
    occurred_at = OccurredAt()  # when the customer arrived


class VisitOut(ma.Schema):
    id = ma.fields.String()
    lead_id = ma.fields.String()
    consultant_id = ma.fields.String()
    appointment_id = ma.fields.String(allow_none=True)
    requested_consultant_id = ma.fields.String(allow_none=True)
    visit_number = ma.fields.Integer()
    owner_id = ma.fields.String(attribute="owner_after")
    previous_owner_id = ma.fields.String(attribute="owner_before")
    ownership_rule = ma.fields.String()
    visited_at = StoreTime()


class TestDriveIn(ma.Schema):
    __test__ = False
    vin = ma.fields.String(required=True, validate=validate.Length(equal=17))
    driver_license_no = text(30)
    escort_id = text(64)
    occurred_at = OccurredAt()


class TestDriveOut(TestDriveIn):
    id = ma.fields.String()
    lead_id = ma.fields.String()
    consultant_id = ma.fields.String()
    at = StoreTime()
    driver_license_no = ma.fields.String()


class LostIn(ma.Schema):
    reason = text(500)


class QualifyIn(ma.Schema):
    level = ma.fields.String(validate=validate.OneOf(LEVELS))
    status = ma.fields.String(validate=validate.OneOf(("potential", "intention")))
    occurred_at = OccurredAt()


class AssignIn(ma.Schema):
    owner_id = text(64)

"""Request and response schemas of the leads API (also the OpenAPI document)."""
from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import validate

from leads.domain import (
    APPOINTMENT_STATUSES,
    FOLLOW_UP_CHANNELS,
    INQUIRY_CHANNELS,
    LEVELS,
    LOST_REASONS,
    SOURCES,
    STAFF_ID,
    STATUSES,
)
from shared.web.fields import STORE_TIME_IN, AwareDateTime, IdNumber, Money, OccurredAt, Phone, StoreTime, text
from shared.web.pagination import PageArgs, page_schema

ConsultantId = ma.fields.String(validate=validate.Length(min=1, max=64))


PURCHASE_TIMEFRAMES = ("within_7_days", "within_15_days", "within_30_days", "later")  # when they mean to buy
TIMEFRAME_HELP = ("When the caller means to buy: within_7_days, within_15_days, within_30_days or later "
                  "(as the levels H, A, B, C read it).")


class InquiryIn(ma.Schema):
    channel = ma.fields.String(required=True, validate=validate.OneOf(INQUIRY_CHANNELS))
    phone = Phone(load_default=None, allow_none=True)
    note = text(1000, required=False, load_default="")
    occurred_at = OccurredAt()  # a call or walk-in from the paper register (补录)
    # The call register (来电客户登记表): what the caller asked for, each optional.
    name = ma.fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=100))
    model_interest = ma.fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=100))
    budget = Money(load_default=None, allow_none=True)
    purchase_timeframe = ma.fields.String(load_default=None, allow_none=True,
                                          validate=validate.OneOf(PURCHASE_TIMEFRAMES),
                                          metadata={"description": TIMEFRAME_HELP})


class InquiryOut(ma.Schema):
    id = ma.fields.String()
    channel = ma.fields.String()
    phone = ma.fields.String(allow_none=True)
    note = ma.fields.String()
    lead_id = ma.fields.String(allow_none=True)
    filed = ma.fields.Boolean()
    received_by = ma.fields.String()
    received_at = StoreTime()
    name = ma.fields.String(allow_none=True)
    model_interest = ma.fields.String(allow_none=True)
    budget = Money(allow_none=True)
    purchase_timeframe = ma.fields.String(allow_none=True, metadata={"description": TIMEFRAME_HELP})


InquiryPage = page_schema(InquiryOut)


class InquiryFilter(PageArgs):
    """The call register read back by local day, channel and whether the caller was filed."""

    channel = ma.fields.String(validate=validate.OneOf(INQUIRY_CHANNELS))
    from_ = ma.fields.Date(data_key="from", metadata={"description": "First local day (DEALER_TZ), inclusive."})
    to = ma.fields.Date(metadata={"description": "Last local day (DEALER_TZ), inclusive."})
    filed = ma.fields.Boolean(metadata={"description": "true: only callers filed as leads; false: only the others."})

    @ma.validates_schema
    def _from_before_to(self, data: dict[str, Any], **_: Any) -> None:
        if "from_" in data and "to" in data and data["from_"] > data["to"]:
            raise ma.ValidationError("must not be after 'to'", field_name="from")


class LeadIn(ma.Schema):
    name = text(100)
    phone = Phone(required=True)
    source = ma.fields.String(required=True, validate=validate.OneOf(SOURCES))
    model_interest = text(100)
    level = ma.fields.String(load_default="C", validate=validate.OneOf(LEVELS))
    id_number = IdNumber(load_default=None, allow_none=True)
    owner_id = ma.fields.String(load_default=None, allow_none=True,
                                validate=validate.Regexp(STAFF_ID, error="does not look like a staff id"),
                                metadata={"description": "The consultant to own the lead, named by a sales manager "
                                                         "or the DCC (online_sales); without it the DCC's lead goes "
                                                         "to the duty roster in turn. A consultant owns what they "
                                                         "file."})
    inquiry_id = ma.fields.String(load_default=None, allow_none=True, validate=validate.Length(max=36))
    occurred_at = OccurredAt()  # when the customer was filed
    referrer_phone = Phone(load_default=None, allow_none=True, metadata={
        "pattern": r"^1[3-9][0-9]{9}$", "example": "13912345678",
        "description": "The referring customer's mobile (转介绍): required for source referral, refused otherwise."})


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
    lost_reason_code = ma.fields.String(allow_none=True)
    competitor_brand = ma.fields.String(allow_none=True)
    referrer_phone = ma.fields.String(allow_none=True)
    visits = ma.fields.Integer()
    merged_into = ma.fields.String(allow_none=True, metadata={
        "description": "The lead this one was merged into as a duplicate (status merged); null otherwise."})


LeadPage = page_schema(LeadOut)


class LeadFilter(PageArgs):
    status = ma.fields.String(validate=validate.OneOf(STATUSES), metadata={
        "description": "Merged duplicates are left out unless status=merged asks for them."})
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
    status = ma.fields.String(metadata={"description": "booked, kept, cancelled or no_show (爽约)"})
    cancel_reason = ma.fields.String(allow_none=True)


AppointmentPage = page_schema(AppointmentOut)


class AppointmentFilter(PageArgs):
    """Appointments by the local day (DEALER_TZ) they are scheduled for, and by status."""

    date = ma.fields.Date(metadata={"description": "Local day (DEALER_TZ) the appointment is scheduled for."})
    status = ma.fields.String(validate=validate.OneOf(APPOINTMENT_STATUSES))


class RescheduleIn(ma.Schema):
    scheduled_at = AwareDateTime(required=True, metadata={"description": STORE_TIME_IN + " Not in the past."})


class CancelIn(ma.Schema):
    reason = text(500)


class VisitIn(ma.Schema):
    consultant_id = ma.fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=64))
    appointment_id = ma.fields.String(load_default=None, allow_none=True, validate=validate.Length(max=36))
    requested_consultant_id = ma.fields.String(load_default=None, allow_none=True,
                                               validate=validate.Length(min=1, max=64))
    campaign_id = ma.fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=36),
                                   metadata={"description": "The campaign (市场活动) the customer came for: one "
                                                            "running on the visit's local day. Counts as attendance, "
                                                            "invited or not."})
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
    campaign_id = ma.fields.String(allow_none=True)


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
    """A loss (战败) with its reason from the store's list; the old ``{"reason": text}`` still works, as other."""

    reason_code = ma.fields.String(load_default=None, validate=validate.OneOf(LOST_REASONS))
    competitor_brand = ma.fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=50),
                                        metadata={"description": "Required with reason_code competitor, "
                                                                 "refused with any other."})
    note = text(500, required=False, load_default=None, allow_none=True)
    reason = text(500, required=False, metadata={"description": "Deprecated: the old free text; taken as "
                                                                "reason_code other with this text as the note."})

    @ma.validates_schema
    def _one_way_to_say_why(self, data: dict[str, Any], **_: Any) -> None:
        if "reason" not in data:
            if data.get("reason_code") is None:
                raise ma.ValidationError("Missing data for required field.", field_name="reason_code")
            return
        if data.get("reason_code") is not None or data.get("note") is not None:
            raise ma.ValidationError("send reason_code (and note), or the old reason alone", field_name="reason")
        if not data["reason"].strip():
            raise ma.ValidationError("a lost lead needs a reason", field_name="reason")

    @ma.post_load
    def _old_reason_as_other(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        if "reason" in data:
            return {"reason_code": "other", "competitor_brand": data["competitor_brand"], "note": data["reason"]}
        return data


class ReopenIn(ma.Schema):
    """Nothing to say: the lead goes back to the stage it was lost from."""


class QualifyIn(ma.Schema):
    level = ma.fields.String(validate=validate.OneOf(LEVELS))
    status = ma.fields.String(validate=validate.OneOf(("potential", "intention")))
    occurred_at = OccurredAt()


class AssignIn(ma.Schema):
    owner_id = text(64)


class MergeIn(ma.Schema):
    """The duplicate file of the same person (filed under another phone), merged into the lead in the path."""

    duplicate_lead_id = ma.fields.String(required=True, validate=validate.Length(min=1, max=36))

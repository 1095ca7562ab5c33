"""Schemas of return visits, complaints and claims (also the OpenAPI document)."""
from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from after_sales.customers.schemas import Id, StoreDate, Vin, WindowArgs
from after_sales.domain import (
    CLAIM_APPROVED,
    CLAIM_FILED,
    CLAIM_KINDS,
    CLAIM_REJECTED,
    COMPLAINT_CATEGORIES,
    COMPLAINT_OPEN,
    COMPLAINT_RESOLVED,
    SEVERITIES,
    VISIT_COMPLETED,
    VISIT_KINDS,
    VISIT_SCHEDULED,
)
from shared.web.fields import Money, OccurredAt, Phone, StoreTime, text
from shared.web.pagination import PageArgs, page_schema

# --- return visits (回访) ---

class ReturnVisitFilter(WindowArgs):
    status = ma.fields.String(load_default=VISIT_SCHEDULED, validate=validate.OneOf((VISIT_SCHEDULED,
                                                                                    VISIT_COMPLETED)))
    kind = ma.fields.String(validate=validate.OneOf(VISIT_KINDS))
    customer_id = Id
    vin = Vin


class ReturnVisitOut(ma.Schema):
    id = ma.fields.String()
    customer_id = ma.fields.String()
    customer_name = ma.fields.String()
    phone = ma.fields.String()
    vin = ma.fields.String()
    kind = ma.fields.String()
    due_on = ma.fields.Date()
    status = ma.fields.String()
    satisfaction = ma.fields.Integer(allow_none=True)
    answers = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer(), allow_none=True)
    csi = ma.fields.Decimal(as_string=True, allow_none=True, metadata={"description": "mean of the 1-5 answers"})
    feedback = ma.fields.String(allow_none=True)
    complaint_id = ma.fields.String(allow_none=True)
    scheduled_at = StoreTime()
    completed_at = StoreTime(allow_none=True)
    completed_by = ma.fields.String(allow_none=True)


ReturnVisitPage = page_schema(ReturnVisitOut)


def _score(top: int, bottom: int = 1) -> ma.fields.Integer:
    return ma.fields.Integer(required=True, strict=True, validate=validate.Range(min=bottom, max=top))


class AnswersIn(ma.Schema):
    """The questionnaire (问卷): sales process, delivery, facility 1-5 each; would recommend 0-10."""

    sales_process = _score(5)
    delivery = _score(5)
    facility = _score(5)
    recommend = _score(10, 0)


class CompleteVisitIn(ma.Schema):
    satisfaction = ma.fields.Integer(strict=True, validate=validate.Range(min=1, max=5),
                                     metadata={"description": "required unless answers are given (then: CSI rounded)"})
    answers = ma.fields.Nested(AnswersIn)
    feedback = text(2000, required=False, load_default="")
    occurred_at = OccurredAt()  # when the call was made, for a call log keyed in late

    @ma.validates_schema
    def _a_score(self, data: dict[str, object], **_: object) -> None:
        if "satisfaction" not in data and "answers" not in data:
            raise ma.ValidationError("Give satisfaction, or the answers to the questionnaire.", "satisfaction")


# --- complaints (投诉) ---

class ComplaintIn(ma.Schema):
    customer_id = ma.fields.String(validate=validate.Length(min=1, max=64))
    phone = Phone(metadata={"description": "instead of customer_id: a caller without a file (a prospect, 潜客)"})
    name = text(100, required=False)
    vin = ma.fields.String(load_default=None, allow_none=True, validate=validate.Length(equal=17))
    category = ma.fields.String(required=True, validate=validate.OneOf(COMPLAINT_CATEGORIES))
    severity = ma.fields.String(required=True, validate=validate.OneOf(SEVERITIES))
    description = text(2000)
    owner_id = ma.fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=64))
    occurred_at = OccurredAt()  # when the customer complained; the deadline runs from it

    @ma.validates_schema
    def _who(self, data: dict[str, object], **_: object) -> None:
        if ("customer_id" in data) == ("phone" in data):
            raise ma.ValidationError("Give either customer_id or phone (a prospect), exactly one.", "customer_id")


class ComplaintOut(ma.Schema):
    id = ma.fields.String()
    customer_id = ma.fields.String(allow_none=True)
    prospect = ma.fields.Boolean()
    contact_name = ma.fields.String(allow_none=True)
    phone = ma.fields.String(allow_none=True, metadata={"description": "a prospect's phone, masked per role"})
    vin = ma.fields.String(allow_none=True)
    category = ma.fields.String()
    severity = ma.fields.String()
    description = ma.fields.String()
    owner_id = ma.fields.String()
    origin = ma.fields.String()
    return_visit_id = ma.fields.String(allow_none=True)
    status = ma.fields.String()
    opened_by = ma.fields.String()
    opened_at = StoreTime()
    deadline = StoreTime()
    escalated = ma.fields.Boolean()
    escalated_at = StoreTime(allow_none=True)
    resolved_at = StoreTime(allow_none=True)
    resolved_by = ma.fields.String(allow_none=True)
    resolution_note = ma.fields.String(allow_none=True)


ComplaintPage = page_schema(ComplaintOut)


class ComplaintFilter(PageArgs):
    status = ma.fields.String(validate=validate.OneOf((COMPLAINT_OPEN, COMPLAINT_RESOLVED)))
    severity = ma.fields.String(validate=validate.OneOf(SEVERITIES))
    category = ma.fields.String(validate=validate.OneOf(COMPLAINT_CATEGORIES))
    origin = ma.fields.String(validate=validate.OneOf(("manual", "return_visit")))
    owner_id = Id
    customer_id = Id
    escalated = ma.fields.Boolean()
    prospect = ma.fields.Boolean()


class ResolveIn(ma.Schema):
    note = text(2000)
    occurred_at = OccurredAt()


# --- warranty (保修) and insurance (保险理赔) claims ---

class ClaimIn(ma.Schema):
    kind = ma.fields.String(required=True, validate=validate.OneOf(CLAIM_KINDS))
    vin = ma.fields.String(required=True, validate=validate.Length(equal=17))
    description = text(2000)
    claim_date = StoreDate(load_default=None)
    mileage_km = ma.fields.Integer(load_default=None, allow_none=True, strict=True,
                                   validate=validate.Range(min=0, max=2_000_000))
    amount = Money(load_default=None, allow_none=True)
    insurer = ma.fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=100))


class ClaimOut(ma.Schema):
    id = ma.fields.String()
    kind = ma.fields.String()
    vin = ma.fields.String()
    customer_id = ma.fields.String()
    description = ma.fields.String()
    claim_date = ma.fields.Date()
    mileage_km = ma.fields.Integer(allow_none=True)
    amount = Money(allow_none=True)
    insurer = ma.fields.String(allow_none=True)
    status = ma.fields.String()
    reason = ma.fields.String()
    filed_by = ma.fields.String()
    filed_at = StoreTime()
    decided_by = ma.fields.String(allow_none=True)
    decided_at = StoreTime(allow_none=True)


ClaimPage = page_schema(ClaimOut)


class ClaimFilter(PageArgs):
    kind = ma.fields.String(validate=validate.OneOf(CLAIM_KINDS))
    status = ma.fields.String(validate=validate.OneOf((CLAIM_FILED, CLAIM_APPROVED, CLAIM_REJECTED)))
    vin = Vin
    customer_id = Id


class DecisionIn(ma.Schema):
    decision = ma.fields.String(required=True, validate=validate.OneOf((CLAIM_APPROVED, CLAIM_REJECTED)))
    reason = text(500, required=False, load_default="")

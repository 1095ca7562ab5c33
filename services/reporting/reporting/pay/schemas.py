"""Schemas of the scorecard, template, commission, groups and weekly routes (also the OpenAPI document).

Decimals (weights, targets, money, rates as fractions) travel as text, as money does everywhere in the API.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any

import marshmallow as ma
from marshmallow import validate

from reporting.domain import MODEL_CLASSES
from reporting.meetings.schemas import MONTH_FORMAT, staff_id
from reporting.pay.domain import MAX_DEDUCTION, MIN_DEDUCTION
from reporting.schemas import FormatArgs
from shared.web.fields import StoreTime

Dict = ma.fields.Dict


def between(low: int, high: int) -> Any:
    """A bound on a Decimal, stated in the OpenAPI document as plain numbers (a ``Range`` there would be dumped
    as Decimal text, which the document's schema refuses)."""
    def check(value: Decimal) -> None:
        if not low <= value <= high:
            raise ma.ValidationError(f"Must be between {low} and {high}.")
    return check


def fraction(**kwargs: Any) -> ma.fields.Decimal:
    metadata = {"minimum": 0, "maximum": 1, **kwargs.pop("metadata", {})}
    return ma.fields.Decimal(places=4, validate=between(0, 1), metadata=metadata, **kwargs)


class SheetLineIn(ma.Schema):
    line = ma.fields.Integer(required=True, validate=validate.Range(min=1, max=7))
    weight = fraction(metadata={"description": "A fraction: 0.20 is 20%; left out: the default's."})
    target = fraction(metadata={"description": "A fraction: 0.90 is 90%; left out: the default's."})


class TemplateIn(ma.Schema):
    lines = ma.fields.List(ma.fields.Nested(SheetLineIn), load_default=list, validate=validate.Length(max=7),
                           metadata={"description": "Lines to change; the rest keep the default sheet. The seven "
                                                    "weights must add up to 1 (100%)."})
    working_days = ma.fields.List(ma.fields.Integer(validate=validate.Range(min=1, max=7)), load_default=None,
                                  validate=validate.Length(min=1, max=7),
                                  metadata={"description": "ISO weekdays meetings are due on (1 = Monday); "
                                                           "Monday to Saturday by default."})
    class_deductions = Dict(keys=ma.fields.String(validate=validate.OneOf(MODEL_CLASSES)),
                            values=ma.fields.Decimal(places=2, validate=between(int(MIN_DEDUCTION),
                                                                                int(MAX_DEDUCTION)),
                                                     metadata={"minimum": int(MIN_DEDUCTION),
                                                               "maximum": int(MAX_DEDUCTION)}),
                            load_default=dict, metadata={"description": "CNY 100–300 per model class (扣发); 200 "
                                                                        "for a class left out."})


class SheetLineOut(ma.Schema):
    line = ma.fields.Integer()
    kpi = ma.fields.String()
    weight = ma.fields.String()
    target = ma.fields.String()


class TemplateOut(ma.Schema):
    month = ma.fields.String()
    lines = ma.fields.List(ma.fields.Nested(SheetLineOut))
    working_days = ma.fields.List(ma.fields.Integer())
    class_deductions = Dict(keys=ma.fields.String(), values=ma.fields.String())
    set_by = ma.fields.String(allow_none=True, metadata={"description": "None: the store's default sheet."})
    set_at = StoreTime(allow_none=True)


class MonthArgs(FormatArgs):
    month = ma.fields.String(load_default=None, validate=MONTH_FORMAT, metadata={"description": "This month by "
                                                                                                "default."})


class ScorecardArgs(MonthArgs):
    group_id = staff_id(required=True)


class ScoreLine(SheetLineOut):
    actual = ma.fields.String()
    numerator = ma.fields.String()
    denominator = ma.fields.String()
    score = ma.fields.String()


class ScorecardOut(ma.Schema):
    group_id = ma.fields.String()
    month = ma.fields.String()
    lines = ma.fields.List(ma.fields.Nested(ScoreLine))
    total = ma.fields.String(metadata={"description": "0–100, the sum of the unrounded lines, to 2 places."})


class CommissionRow(ma.Schema):
    consultant_id = ma.fields.String()
    name = ma.fields.String()
    group_id = ma.fields.String()
    group_name = ma.fields.String()
    units = ma.fields.Integer()
    rate_per_unit = ma.fields.String()
    gross = ma.fields.String()
    deductions = ma.fields.String()
    net = ma.fields.String()
    group_completion = ma.fields.String(allow_none=True)
    classes_below_90 = ma.fields.List(ma.fields.String())


class CommissionsOut(ma.Schema):
    month = ma.fields.String()
    items = ma.fields.List(ma.fields.Nested(CommissionRow))


class WeeklyArgs(FormatArgs):
    week = ma.fields.String(load_default=None, metadata={"description": "An ISO week, 2026-W48; this week by "
                                                                        "default."})


class PlanIn(ma.Schema):
    plan = ma.fields.String(required=True, validate=validate.Length(min=1, max=5000))


class PlanOut(ma.Schema):
    week = ma.fields.String()
    group_id = ma.fields.String()
    plan = ma.fields.String()
    written_by = ma.fields.String()
    written_at = StoreTime()


class Person(ma.Schema):
    staff_id = ma.fields.String()
    name = ma.fields.String(allow_none=True)


class GroupsRow(ma.Schema):
    group_id = ma.fields.String()
    name = ma.fields.String()
    supervisor = ma.fields.Nested(Person)
    units = ma.fields.Integer()
    target = ma.fields.String()
    completion = ma.fields.String(allow_none=True)
    rates = Dict()
    rate_details = Dict()
    consultants = ma.fields.List(Dict())


class GroupsOut(ma.Schema):
    month = ma.fields.String()
    items = ma.fields.List(ma.fields.Nested(GroupsRow))


class WeeklyOut(ma.Schema):
    week = ma.fields.String()
    from_ = ma.fields.Date(data_key="from", attribute="from")
    to = ma.fields.Date()
    month = ma.fields.String()
    groups = ma.fields.List(Dict())
    store = Dict(allow_none=True, metadata={"description": "None for staff who supervise no group."})

"""Query, request and response schemas of the reporting API (also its OpenAPI document)."""
from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import validate

from reporting.domain import FUNNEL_STAGES, LOST_REASONS, MODEL_CLASSES, RATE_NAMES, class_units_problem
from shared.web.fields import Money, StoreTime, text

MONTH = validate.Regexp(r"^\d{4}-(0[1-9]|1[0-2])$", error="must be a month as YYYY-MM")


class FormatArgs(ma.Schema):
    format = ma.fields.String(load_default="json", validate=validate.OneOf(("json", "csv")))


class RangeArgs(FormatArgs):
    from_ = ma.fields.Date(data_key="from", load_default=None)
    to = ma.fields.Date(load_default=None)


class FunnelArgs(RangeArgs):
    consultant_id = ma.fields.String(load_default=None, validate=validate.Length(min=1, max=64), metadata={
        "description": "One consultant's funnel: their own work, and the rates of the leads they filed (see the "
                       "guide for who each figure counts for); an id no event names gives zeros."})
    group_id = ma.fields.String(load_default=None, validate=validate.Length(min=1, max=64), metadata={
        "description": "One sales group's funnel (小组): its members' figures on the days each was in it; an "
                       "unknown group answers 404. Not with consultant_id."})

    @ma.validates_schema
    def _one_consultant_or_one_group(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("consultant_id") is not None and data.get("group_id") is not None:
            raise ma.ValidationError("give consultant_id or group_id, not both", field_name="group_id")


class LostReasonsArgs(RangeArgs):
    consultant_id = ma.fields.String(load_default=None, validate=validate.Length(min=1, max=64), metadata={
        "description": "The losses of the leads this consultant owned when they were lost."})


class SalesArgs(FormatArgs):
    period = ma.fields.String(load_default="day", validate=validate.OneOf(("day", "month")))
    date = ma.fields.String(load_default=None, validate=validate.Length(max=10))


class DailyArgs(FormatArgs):
    to = ma.fields.Date(load_default=None)
    days = ma.fields.Integer(load_default=30, validate=validate.Range(min=1, max=366))


class MonthArgs(FormatArgs):
    month = ma.fields.String(load_default=None, validate=MONTH)


class AfterSalesArgs(RangeArgs):
    window = ma.fields.Integer(load_default=30, validate=validate.Range(min=0, max=365))


def _from_field() -> ma.fields.Date:
    return ma.fields.Date(attribute="from", data_key="from")


class RateDetail(ma.Schema):
    numerator = ma.fields.Integer()
    denominator = ma.fields.Integer()


class ConversionDetail(RateDetail):
    not_yet_30_days = ma.fields.Integer(metadata={"description": "Leads filed in the range whose 30 days have not "
                                                                 "passed today: on neither side of the rate."})
    ordered_so_far = ma.fields.Integer(metadata={"description": "Of those, the leads with an order not cancelled."})


class CompletionDetail(ma.Schema):
    numerator = ma.fields.Integer(metadata={"description": "Units delivered."})
    denominator = ma.fields.Integer(allow_none=True, metadata={"description": "The target; null when none was set."})


FunnelOut = ma.Schema.from_dict({
    "from": _from_field(), "to": ma.fields.Date(), "consultant_id": ma.fields.String(allow_none=True),
    "group_id": ma.fields.String(allow_none=True),
    "consultant_name": ma.fields.String(allow_none=True, metadata={"description": "From the staff directory."}),
    **{stage: ma.fields.Integer() for stage in FUNNEL_STAGES},
    "rates": ma.fields.Nested(ma.Schema.from_dict({n: ma.fields.Float() for n in RATE_NAMES}, name="Rates")),
    "rate_details": ma.fields.Nested(ma.Schema.from_dict(
        {n: ma.fields.Nested(ConversionDetail if n == "conversion_30d" else RateDetail) for n in RATE_NAMES},
        name="RateDetails")),
    "populations": ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.String(),
                                  metadata={"description": "What each figure and rate counts."}),
}, name="Funnel")


class ReasonShare(ma.Schema):
    reason_code = ma.fields.String(validate=validate.OneOf(LOST_REASONS))
    count = ma.fields.Integer()
    share = ma.fields.Float()


class BrandShare(ma.Schema):
    brand = ma.fields.String()
    count = ma.fields.Integer()
    share = ma.fields.Float()


class LostReasonsOut(ma.Schema):
    from_ = _from_field()
    to = ma.fields.Date()
    consultant_id = ma.fields.String(allow_none=True)
    consultant_name = ma.fields.String(allow_none=True)
    lost = ma.fields.Integer()
    reasons = ma.fields.List(ma.fields.Nested(ReasonShare))
    competitor_brands = ma.fields.List(ma.fields.Nested(BrandShare))


class CampaignRow(ma.Schema):
    campaign_id = ma.fields.String()
    name = ma.fields.String(allow_none=True)
    kind = ma.fields.String(allow_none=True)
    starts_on = ma.fields.Date()
    ends_on = ma.fields.Date()
    invited = ma.fields.Integer()
    arrived = ma.fields.Integer()
    test_drives = ma.fields.Integer()
    orders = ma.fields.Integer()
    deliveries = ma.fields.Integer()


class CampaignsOut(ma.Schema):
    from_ = _from_field()
    to = ma.fields.Date()
    campaigns = ma.fields.List(ma.fields.Nested(CampaignRow))


def _breakdown(key: str, name: str, named: bool = False) -> ma.fields.List:
    fields = {key: ma.fields.String(), "units": ma.fields.Integer(), "revenue": Money()}
    if named:  # a person's name from the staff directory beside the id (null when unknown)
        fields["name"] = ma.fields.String(allow_none=True)
    return ma.fields.List(ma.fields.Nested(ma.Schema.from_dict(fields, name=name)))


class DayPoint(ma.Schema):
    date = ma.fields.Date()
    units = ma.fields.Integer()
    revenue = Money()


class ModelShare(ma.Schema):
    model = ma.fields.String()
    units = ma.fields.Integer()
    share = ma.fields.Float()


class SalesOut(ma.Schema):
    period = ma.fields.String()
    date = ma.fields.String()
    from_ = _from_field()
    to = ma.fields.Date()
    units = ma.fields.Integer()
    revenue = Money()
    by_model = _breakdown("model", "SalesByModel")
    by_color = _breakdown("color", "SalesByColor")
    by_consultant = _breakdown("consultant_id", "SalesByConsultant", named=True)
    by_source = _breakdown("source", "SalesBySource")
    model_mix = ma.fields.List(ma.fields.Nested(ModelShare))
    by_day = ma.fields.List(ma.fields.Nested(DayPoint))
    revenue_net_of_vat = Money()  # 不含税收入: each price less its VAT (price × 13 ÷ 113, to the fen)
    vat = Money()
    penetration = ma.fields.Nested("Penetration")  # round 2's schemas are at the end
    penetration_details = ma.fields.Nested("PenetrationDetails")


class SalesDailyOut(ma.Schema):
    from_ = _from_field()
    to = ma.fields.Date()
    items = ma.fields.List(ma.fields.Nested(DayPoint))


class ConsultantRow(ma.Schema):
    rank = ma.fields.Integer()
    consultant_id = ma.fields.String()
    leads = ma.fields.Integer()
    visits = ma.fields.Integer()
    test_drives = ma.fields.Integer()
    orders = ma.fields.Integer()
    deliveries = ma.fields.Integer()
    target = ma.fields.Integer(allow_none=True)
    completion = ma.fields.Float(allow_none=True)
    name = ma.fields.String(allow_none=True, metadata={"description": "From the staff directory; null when unknown."})
    completion_details = ma.fields.Nested(CompletionDetail)
    by_model_class = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Nested(ma.Schema.from_dict(
        {"units": ma.fields.Integer(), "target": ma.fields.Integer(allow_none=True)}, name="ClassUnits")),
        metadata={"description": "Units delivered per model class (车型大类) beside the class's target."})


class TeamRow(ma.Schema):
    deliveries = ma.fields.Integer()
    target = ma.fields.Integer()
    completion = ma.fields.Float(allow_none=True)
    completion_details = ma.fields.Nested(CompletionDetail)


class ConsultantsOut(ma.Schema):
    month = ma.fields.String()
    items = ma.fields.List(ma.fields.Nested(ConsultantRow))
    team = ma.fields.Nested(TeamRow, allow_none=True)


class StockItem(ma.Schema):
    model = ma.fields.String()
    trim = ma.fields.String()
    color = ma.fields.String()
    on_hand = ma.fields.Integer()
    in_transit = ma.fields.Integer()
    pending_inspection = ma.fields.Integer()
    available = ma.fields.Integer()
    on_hold = ma.fields.Integer()
    reserved = ma.fields.Integer()
    ageing = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer())
    oldest_days = ma.fields.Integer()


class FleetCar(ma.Schema):
    vin = ma.fields.String()
    model = ma.fields.String(allow_none=True)
    trim = ma.fields.String(allow_none=True)
    color = ma.fields.String(allow_none=True)
    location = ma.fields.String(allow_none=True)
    status = ma.fields.String(allow_none=True)


class SlowMover(ma.Schema):
    model = ma.fields.String()
    trim = ma.fields.String()
    color = ma.fields.String()
    on_hand = ma.fields.Integer()
    oldest_days = ma.fields.Integer()
    last_model_delivery = ma.fields.Date(allow_none=True)


class Selling(ma.Schema):
    model = ma.fields.String()
    sold_last_60_days = ma.fields.Integer()
    on_hand = ma.fields.Integer()


class StockOut(ma.Schema):
    as_of = ma.fields.Date()
    on_hand = ma.fields.Integer()
    by_status = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer())
    ageing = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer())
    items = ma.fields.List(ma.fields.Nested(StockItem))
    test_drive_fleet = ma.fields.List(ma.fields.Nested(FleetCar))
    demo_cars = ma.fields.Integer()
    slow_movers = ma.fields.List(ma.fields.Nested(SlowMover))
    selling = ma.fields.List(ma.fields.Nested(Selling))


class Complaints(ma.Schema):
    opened = ma.fields.Integer()
    resolved = ma.fields.Integer()
    escalated = ma.fields.Integer()
    open_now = ma.fields.Integer()
    mean_hours_to_resolve = ma.fields.Float(allow_none=True)


class Reminder(ma.Schema):
    vin = ma.fields.String()
    customer_id = ma.fields.String(allow_none=True)
    model = ma.fields.String(allow_none=True)
    next_due_on = ma.fields.Date()


class AfterSalesOut(ma.Schema):
    from_ = _from_field()
    to = ma.fields.Date()
    csi = ma.fields.Float(allow_none=True)
    csi_details = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer())
    complaints = ma.fields.Nested(Complaints)
    window_days = ma.fields.Integer()
    due_by = ma.fields.Date()
    reminders_due = ma.fields.Integer()
    reminders = ma.fields.List(ma.fields.Nested(Reminder))
    reminder_calls = ma.fields.Nested("ReminderCalls")  # round 2's schemas are at the end
    service_appointments = ma.fields.Nested("ServiceAppointments")
    questionnaire = ma.fields.Nested("Questionnaire")
    customers_filed = ma.fields.Nested("CustomersFiled")
    notices = ma.fields.Nested("Notices")
    grades = ma.fields.Nested("Grades")


UNITS = validate.Range(min=0, max=10000)


class TargetItem(ma.Schema):
    consultant_id = text(64, metadata={"description": "Staff on the directory (PUT /api/v1/staff/{staff_id})."})
    units = ma.fields.Integer(required=True, strict=True, validate=UNITS)
    by_model_class = ma.fields.Dict(
        keys=ma.fields.String(validate=validate.OneOf(MODEL_CLASSES)),
        values=ma.fields.Integer(strict=True, validate=UNITS), load_default=dict, metadata={
            "description": "Units per model class (车型大类: SUV, sedan, MPV, NEV, other), each a whole number "
                           "from 0; together at most ``units`` (units not split count for no class)."})

    @ma.validates_schema
    def _classes_within_the_target(self, data: dict[str, Any], **_: Any) -> None:
        problem = class_units_problem(data.get("units", 0), data.get("by_model_class", {}))
        if problem:
            raise ma.ValidationError(problem, field_name="by_model_class")


class TargetsIn(ma.Schema):
    targets = ma.fields.List(ma.fields.Nested(TargetItem), required=True, validate=validate.Length(max=500))

    @ma.validates_schema
    def one_target_per_consultant(self, data: dict[str, Any], **_: Any) -> None:
        """A consultant has one target a month."""
        ids = [item["consultant_id"] for item in data.get("targets", [])]
        if len(ids) != len(set(ids)):
            raise ma.ValidationError("each consultant may appear once", field_name="targets")


class TargetsOut(ma.Schema):
    month = ma.fields.String()
    targets = ma.fields.List(ma.fields.Nested(TargetItem))
    team_target = ma.fields.Integer(allow_none=True)


class RebuildOut(ma.Schema):
    id = ma.fields.String()
    status = ma.fields.String()
    processed = ma.fields.Integer()
    total = ma.fields.Integer()
    requested_by = ma.fields.String()
    requested_at = StoreTime()
    finished_at = StoreTime(allow_none=True)
    error = ma.fields.String(allow_none=True)


class StatusOut(ma.Schema):
    events_stored = ma.fields.Integer()
    events_by_source = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer())
    feed_cursors = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer())
    latest_rebuild = ma.fields.Nested(RebuildOut, allow_none=True)


# -- The back office's paperwork and after-sales for every car (round 2): the sales and after-sales reports' parts.

def _counts(names: tuple[str, ...], name: str) -> type[ma.Schema]:
    return ma.Schema.from_dict({field: ma.fields.Integer() for field in names}, name=name)


class Penetration(ma.Schema):
    loan = ma.fields.Float()  # 金融渗透率
    commercial_insurance = ma.fields.Float()  # 商业险
    compulsory_insurance = ma.fields.Float()  # 交强险


class PenetrationDetails(ma.Schema):
    loan = ma.fields.Nested(RateDetail)
    commercial_insurance = ma.fields.Nested(RateDetail)
    compulsory_insurance = ma.fields.Nested(RateDetail)


class ReminderCalls(ma.Schema):
    calls = ma.fields.Integer()
    booked = ma.fields.Integer()
    declined = ma.fields.Integer()
    no_answer = ma.fields.Integer()
    wrong_number = ma.fields.Integer()


class CustomersFiled(ma.Schema):
    sale = ma.fields.Integer()
    walk_in = ma.fields.Integer()  # 外购车


class Notices(ma.Schema):
    sent = ma.fields.Integer()
    recipients = ma.fields.Integer()


class Grades(ma.Schema):
    vip = ma.fields.Integer()
    first = ma.fields.Integer()  # 一级
    second = ma.fields.Integer()  # 二级
    other = ma.fields.Integer()


class ServiceAppointments(ma.Schema):
    made = ma.fields.Integer()
    kept = ma.fields.Integer()
    missed = ma.fields.Integer()
    cancelled = ma.fields.Integer()
    pending = ma.fields.Integer()
    keep_rate = ma.fields.Float()
    keep_rate_details = ma.fields.Nested(RateDetail)


class Satisfaction(ma.Schema):
    questionnaires = ma.fields.Integer()
    csi = ma.fields.Float(allow_none=True)
    csi_details = ma.fields.Nested(_counts(("answer_points", "answers"), "CsiDetails"))
    nps = ma.fields.Float(allow_none=True)
    nps_details = ma.fields.Nested(_counts(("promoters", "passives", "detractors", "responses"), "NpsDetails"))


class SatisfactionOfMonth(Satisfaction):
    month = ma.fields.String()


class SatisfactionOfConsultant(Satisfaction):
    consultant_id = ma.fields.String()
    name = ma.fields.String(allow_none=True)


class Questionnaire(Satisfaction):
    by_month = ma.fields.List(ma.fields.Nested(SatisfactionOfMonth))
    by_consultant = ma.fields.List(ma.fields.Nested(SatisfactionOfConsultant))

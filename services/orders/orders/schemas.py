"""Request and response schemas of the orders API (also the OpenAPI document)."""
from __future__ import annotations

import re
from typing import Any

import marshmallow as ma
from marshmallow import validate

from orders.domain import CHECKLIST_ITEMS, MONEY_METHODS, QUEUES, OrderStatus, PaymentKind
from orders.paperwork.schemas import InvoiceOut, LoanOut, PolicyOut, RegistrationOut
from shared.web.fields import IdNumber, Money, OccurredAt, Phone, StoreTime, text
from shared.web.pagination import PageArgs, page_schema

VIN_SHAPE = re.compile(r"^[A-HJ-NPR-Z0-9]{17}$")  # 17 characters, no I, O or Q; inventory checks the rest
PAYMENT_METHODS = ("cash", "loan")  # 全款 | 贷款


class Vin(ma.fields.String):
    """A VIN in its stored form (upper case), shaped as ISO 3779 says."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        vin = super()._deserialize(value, attr, data, **kwargs).strip().upper()
        if not VIN_SHAPE.match(vin):
            raise ma.ValidationError("A VIN is 17 letters and digits, without I, O or Q.")
        return vin


class CustomerIn(ma.Schema):
    name = text(100)
    phone = Phone(required=True)
    id_number = IdNumber(required=True)


class VehicleIn(ma.Schema):
    model = text(100)
    trim = text(100)
    color = text(50)


class OrderIn(ma.Schema):
    lead_id = ma.fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=36))
    customer = ma.fields.Nested(CustomerIn, required=True)
    vehicle = ma.fields.Nested(VehicleIn, load_default=None, allow_none=True)
    vin = Vin(load_default=None, allow_none=True)
    msrp = Money(required=True)
    price = Money(required=True)
    deposit = Money(required=True)
    deposit_paid = ma.fields.Boolean(load_default=True)  # false: the deposit is agreed, paid later
    deposit_method = ma.fields.String(load_default="cash", validate=validate.OneOf(MONEY_METHODS))
    payment_method = ma.fields.String(load_default="cash", validate=validate.OneOf(PAYMENT_METHODS))
    special_requests = text(1000, required=False, load_default="")
    consultant_id = ma.fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=64))
    occurred_at = OccurredAt()  # when the order and its deposit were taken (补录: from the paper file)
    # 约定交车日期, the store's local day; omitted (older clients): the placing day + 30 days
    promised_delivery_on = ma.fields.Date(load_default=None, allow_none=True)

    @ma.validates_schema
    def _names_a_car(self, data: dict[str, Any], **_: Any) -> None:
        if not data.get("vehicle") and not data.get("vin"):
            raise ma.ValidationError("Name the car: vehicle {model, trim, color}, or a vin.", "vehicle")


class CustomerOut(ma.Schema):
    name = ma.fields.String()
    phone = ma.fields.String()
    id_number = ma.fields.String()


class VehicleOut(ma.Schema):
    model = ma.fields.String()
    trim = ma.fields.String()
    color = ma.fields.String()


class ContractOut(ma.Schema):
    order_id = ma.fields.String()
    status = ma.fields.String()
    order_status = ma.fields.String()
    customer = ma.fields.Nested(CustomerOut)
    vehicle = ma.fields.Nested(VehicleOut)
    vin = ma.fields.String(allow_none=True)
    msrp = Money()
    price = Money()
    discount = Money()
    deposit = Money()
    payment_method = ma.fields.String()
    special_requests = ma.fields.String()
    deposit_terms = ma.fields.String()
    drafted_by = ma.fields.String(allow_none=True)
    drafted_at = StoreTime(allow_none=True)
    approved_by = ma.fields.String(allow_none=True)
    approver_role = ma.fields.String(allow_none=True)
    approved_at = StoreTime(allow_none=True)
    reviewed_by = ma.fields.String(allow_none=True)  # the back office's review (审核)
    reviewed_at = StoreTime(allow_none=True)
    review_passed = ma.fields.Boolean(allow_none=True)
    review_notes = ma.fields.String(allow_none=True)
    needs_manager_approval = ma.fields.Boolean()  # the discount is over the consultant's limit


class ReviewIn(ma.Schema):
    """The back office's verdict on a drafted contract; a failed review says why."""

    passed = ma.fields.Boolean(required=True, truthy={True}, falsy={False})
    notes = text(1000, required=False, load_default="")
    occurred_at = OccurredAt()

    @ma.validates_schema
    def _failure_says_why(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("passed") is False and not data.get("notes", "").strip():
            raise ma.ValidationError("Say what must be put right when the review fails.", "notes")


class PaymentIn(ma.Schema):
    amount = Money(required=True)
    method = ma.fields.String(required=True, validate=validate.OneOf(MONEY_METHODS))
    kind = ma.fields.String(required=True, validate=validate.OneOf(tuple(PaymentKind)))
    occurred_at = OccurredAt()  # the date on the payment slip


class PaymentOut(ma.Schema):
    id = ma.fields.String()
    order_id = ma.fields.String()
    amount = Money()
    kind = ma.fields.String()
    method = ma.fields.String()
    received_by = ma.fields.String()
    at = StoreTime()
    paid_total = Money()
    outstanding = Money()
    order_status = ma.fields.String()


class OrderOut(ma.Schema):
    id = ma.fields.String()
    status = ma.fields.String()
    lead_id = ma.fields.String(allow_none=True)
    consultant_id = ma.fields.String()
    customer = ma.fields.Nested(CustomerOut)
    vehicle = ma.fields.Nested(VehicleOut)
    requested_vin = ma.fields.String(allow_none=True)
    vin = ma.fields.String(allow_none=True)
    model_class = ma.fields.String(allow_none=True)  # the reserved car's 车型大类; null before reservation
    msrp = Money()
    price = Money()
    discount = Money()
    deposit = Money()
    paid_total = Money()
    outstanding = Money()
    payment_method = ma.fields.String()
    special_requests = ma.fields.String()
    backorder_reason = ma.fields.String(allow_none=True)
    contract = ma.fields.Nested(ContractOut, allow_none=True)
    payments = ma.fields.List(ma.fields.Nested(PaymentOut))
    placed_at = StoreTime()
    reserved_at = StoreTime(allow_none=True)
    delivered_at = StoreTime(allow_none=True)
    delivery_checklist = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Boolean(), allow_none=True)
    cancelled_at = StoreTime(allow_none=True)
    cancel_reason = ma.fields.String(allow_none=True)
    refund = Money(allow_none=True)
    forfeited = Money(allow_none=True)
    promised_delivery_on = ma.fields.Date(allow_none=True)  # 约定交车日期
    overdue = ma.fields.Boolean()  # past the promised day and neither delivered nor cancelled
    loan = ma.fields.Nested(LoanOut, allow_none=True)  # the current application (贷款)
    insurance = ma.fields.List(ma.fields.Nested(PolicyOut))  # 保单
    invoice = ma.fields.Nested(InvoiceOut, allow_none=True)  # the live invoice (发票)
    invoices = ma.fields.List(ma.fields.Nested(InvoiceOut))  # every invoice, voided ones too
    registration = ma.fields.Nested(RegistrationOut, allow_none=True)  # 上牌


OrderPage = page_schema(OrderOut)


class OrderFilter(PageArgs):
    status = ma.fields.String(validate=validate.OneOf(tuple(OrderStatus)))
    consultant_id = ma.fields.String(validate=validate.Length(min=1, max=64))
    lead_id = ma.fields.String(validate=validate.Length(min=1, max=36))
    vin = Vin()
    placed_from = ma.fields.Date()  # the sales ledger (销售台账): local days, both included
    placed_to = ma.fields.Date()
    overdue = ma.fields.Boolean()
    awaiting = ma.fields.String(validate=validate.OneOf(QUEUES))
    format = ma.fields.String(load_default="json", validate=validate.OneOf(("json", "csv")))

    @ma.validates_schema
    def _period_in_order(self, data: dict[str, Any], **_: Any) -> None:
        if "placed_from" in data and "placed_to" in data and data["placed_to"] < data["placed_from"]:
            raise ma.ValidationError("Must not be before placed_from.", "placed_to")


QueueCounts = ma.Schema.from_dict({queue: ma.fields.Integer() for queue in QUEUES}, name="QueueCounts")


class DeliverIn(ma.Schema):
    checklist = ma.fields.Dict(keys=ma.fields.String(validate=validate.OneOf(CHECKLIST_ITEMS)),
                               values=ma.fields.Boolean(truthy={True}, falsy={False}), required=True)
    occurred_at = OccurredAt()


class StepIn(ma.Schema):
    """The optional body of a contract step: when it happened, for a past record."""

    occurred_at = OccurredAt()


class CancelIn(ma.Schema):
    reason = text(500)
    occurred_at = OccurredAt()

"""Request and response schemas of the paperwork routes (also their OpenAPI document)."""
from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import marshmallow as ma
from marshmallow import validate

from orders.domain import MONEY_METHODS
from orders.paperwork.domain import LoanStatus, PolicyKind, RegisteredBy
from shared.web.fields import Money, OccurredAt, StoreTime, text

# A mainland plate (号牌): province character, issuing-office letter, 5 characters (6 for a new-energy plate).
PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
PLATE_SHAPE = re.compile(rf"^[{PROVINCES}][A-HJ-NP-Z][A-HJ-NP-Z0-9]{{5,6}}$")
INVOICE_NO_SHAPE = r"^[0-9]{8,20}$"  # 8 digits on a paper invoice, 20 on a digital one (全电发票)
MAX_RATE = Decimal(36)  # 年利率 in percent; above 36 % a loan contract is not enforceable


class Rate(ma.fields.Decimal):
    """An annual rate in percent as a decimal string ("3.85" is 3.85 %), at most 4 places."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("metadata", {"type": "string", "pattern": r"^[0-9]{1,2}(\.[0-9]{1,4})?$", "example": "3.85"})
        super().__init__(as_string=True, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Decimal:
        if isinstance(value, float):
            raise ma.ValidationError('Send the rate as a decimal string, e.g. "3.85".')
        rate = super()._deserialize(value, attr, data, **kwargs)
        if not rate.is_finite() or rate.as_tuple().exponent < -4:  # type: ignore[operator]
            raise ma.ValidationError("At most four decimal places.")
        if rate < 0 or rate > MAX_RATE:
            raise ma.ValidationError(f"Must be a percentage between 0 and {MAX_RATE}.")
        return rate


class Plate(ma.fields.String):
    """A plate number, upper case without spaces, shaped as a mainland plate (京A12345, 粤BD12345)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        plate = super()._deserialize(value, attr, data, **kwargs).replace(" ", "").replace("·", "").upper()
        if not PLATE_SHAPE.match(plate):
            raise ma.ValidationError("A plate is a province character, a letter and 5 or 6 letters and digits "
                                     "(no I or O), e.g. 京A12345.")
        return plate


class LoanIn(ma.Schema):
    lender = text(100)  # 贷款机构: a bank or the maker's finance company
    amount = Money(required=True)
    term_months = ma.fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=120))
    annual_rate = Rate(required=True)
    occurred_at = OccurredAt()


class LoanDecisionIn(ma.Schema):
    approved = ma.fields.Boolean(required=True, truthy={True}, falsy={False})
    amount = Money(load_default=None, allow_none=True)  # the amount granted; omitted: as applied
    occurred_at = OccurredAt()


class DisbursementIn(ma.Schema):
    amount = Money(load_default=None, allow_none=True)  # omitted: the approved amount
    method = ma.fields.String(load_default="lender", validate=validate.OneOf(MONEY_METHODS))
    occurred_at = OccurredAt()


class LoanOut(ma.Schema):
    id = ma.fields.String()
    order_id = ma.fields.String()
    lender = ma.fields.String()
    amount = Money()
    term_months = ma.fields.Integer()
    annual_rate = Rate()  # percent, as a decimal string
    status = ma.fields.String(metadata={"enum": list(LoanStatus)})
    applied_by = ma.fields.String()
    applied_at = StoreTime()
    approved_amount = Money(allow_none=True)
    decided_by = ma.fields.String(allow_none=True)
    decided_at = StoreTime(allow_none=True)
    disbursed_amount = Money(allow_none=True)
    disbursed_at = StoreTime(allow_none=True)
    customer_share = Money()  # what the customer pays: the price less what the loan covers


class PolicyIn(ma.Schema):
    insurer = text(100)
    policy_no = ma.fields.String(required=True, validate=validate.Regexp(r"^[0-9A-Za-z-]{4,40}$",
                                 error="4 to 40 letters, digits or hyphens."))
    kind = ma.fields.String(required=True, validate=validate.OneOf(tuple(PolicyKind)))
    premium = Money(required=True)
    starts_on = ma.fields.Date(required=True)
    ends_on = ma.fields.Date(required=True)


class PolicyOut(ma.Schema):
    id = ma.fields.String()
    order_id = ma.fields.String()
    kind = ma.fields.String()
    insurer = ma.fields.String()
    policy_no = ma.fields.String()
    premium = Money()
    starts_on = ma.fields.Date()
    ends_on = ma.fields.Date()
    recorded_by = ma.fields.String()
    recorded_at = StoreTime()


class InvoiceIn(ma.Schema):
    invoice_no = ma.fields.String(required=True, validate=validate.Regexp(INVOICE_NO_SHAPE,
                                  error="8 to 20 digits, as printed on the invoice."))
    issued_on = ma.fields.Date(required=True)


class VoidIn(ma.Schema):
    reason = text(500, required=False, load_default="")


class InvoiceOut(ma.Schema):
    id = ma.fields.String()
    order_id = ma.fields.String()
    invoice_no = ma.fields.String()
    amount = Money()
    tax = Money()
    issued_on = ma.fields.Date()
    issued_by = ma.fields.String()
    voided_at = StoreTime(allow_none=True)
    voided_by = ma.fields.String(allow_none=True)
    void_reason = ma.fields.String(allow_none=True)


class RegistrationIn(ma.Schema):
    plate_no = Plate(required=True)
    registered_on = ma.fields.Date(required=True)
    by = ma.fields.String(required=True, validate=validate.OneOf(tuple(RegisteredBy)))
    power_of_attorney = ma.fields.Boolean(load_default=False, truthy={True}, falsy={False})  # 委托书 signed


class RegistrationOut(ma.Schema):
    order_id = ma.fields.String()
    vin = ma.fields.String()
    plate_no = ma.fields.String()
    registered_on = ma.fields.Date()
    by = ma.fields.String()
    power_of_attorney = ma.fields.Boolean()
    recorded_by = ma.fields.String()
    recorded_at = StoreTime()

"""HTTP routes of the paperwork: loans (贷款), insurance (保险), invoice (发票), registration (上牌)."""
from __future__ import annotations

from typing import Any

from orders.paperwork import services, views
from orders.paperwork.schemas import (
    DisbursementIn,
    InvoiceIn,
    InvoiceOut,
    LoanDecisionIn,
    LoanIn,
    LoanOut,
    PolicyIn,
    PolicyOut,
    RegistrationIn,
    RegistrationOut,
    VoidIn,
)
from orders.services import get_order
from shared.web.app import db
from shared.web.auth import current_actor, require
from shared.web.blueprint import Blueprint

blp = Blueprint("paperwork", __name__, url_prefix="/api/v1",
                description="The back office's paperwork: loans, insurance, invoice, registration")
DESK = ("consultant", "sales_manager", "back_office")  # a consultant only on the orders they sell
BACK_OFFICE = ("back_office", "sales_manager")  # the lender's answers, the money and the invoice
READERS = ("consultant", "sales_manager", "back_office", "service")


@blp.post("/orders/<order_id>/loan")
@blp.arguments(LoanIn)
@blp.response(201, LoanOut)
@require(*DESK)
def apply_for_loan(data: dict[str, Any], order_id: str) -> dict[str, Any]:
    """File the loan application (贷款申请): lender, amount, term in months, annual rate in percent."""
    loan = services.apply_for_loan(db(), order_id, data, current_actor())
    return views.loan_view(loan, get_order(db(), order_id))


@blp.post("/orders/<order_id>/loan/decision")
@blp.arguments(LoanDecisionIn)
@blp.response(200, LoanOut)
@require(*BACK_OFFICE)
def decide_loan(data: dict[str, Any], order_id: str) -> dict[str, Any]:
    """Record the lender's decision (批贷 / 拒贷); ``amount`` granted, at most as applied (omitted: as applied)."""
    loan = services.decide_loan(db(), order_id, data, current_actor())
    return views.loan_view(loan, get_order(db(), order_id))


@blp.post("/orders/<order_id>/loan/disburse")
@blp.arguments(DisbursementIn)
@blp.response(201, LoanOut)
@require(*BACK_OFFICE)
def disburse_loan(data: dict[str, Any], order_id: str) -> dict[str, Any]:
    """The lender paid out (放款): a payment of kind loan_disbursement, at most the approved amount."""
    loan = services.disburse_loan(db(), order_id, data, current_actor())
    return views.loan_view(loan, get_order(db(), order_id))


@blp.post("/orders/<order_id>/insurance")
@blp.arguments(PolicyIn)
@blp.response(201, PolicyOut)
@require(*DESK)
def arrange_insurance(data: dict[str, Any], order_id: str) -> dict[str, Any]:
    """Record a policy: compulsory (交强险, needed on the delivery day) or commercial (商业险)."""
    return views.policy_view(services.arrange_insurance(db(), order_id, data, current_actor()))


@blp.get("/orders/<order_id>/insurance")
@blp.response(200, PolicyOut(many=True))
@require(*READERS)
def list_insurance(order_id: str) -> list[dict[str, Any]]:
    """The order's policies, earliest cover first."""
    return [views.policy_view(policy) for policy in get_order(db(), order_id).insurance_policies]


@blp.post("/orders/<order_id>/invoice")
@blp.arguments(InvoiceIn)
@blp.response(201, InvoiceOut)
@require(*BACK_OFFICE)
def issue_invoice(data: dict[str, Any], order_id: str) -> dict[str, Any]:
    """Issue the invoice (开票) once paid in full; ``amount`` is the price, ``tax`` = price × 13 ÷ 113."""
    return views.invoice_view(services.issue_invoice(db(), order_id, data, current_actor()))


@blp.post("/orders/<order_id>/invoice/void")
@blp.arguments(VoidIn)
@blp.response(200, InvoiceOut)
@require(*BACK_OFFICE)
def void_invoice(data: dict[str, Any], order_id: str) -> dict[str, Any]:
    """Void (作废) the order's invoice; its number stays used, and a new invoice may be issued."""
    return views.invoice_view(services.void_invoice(db(), order_id, data, current_actor()))


@blp.post("/orders/<order_id>/registration")
@blp.arguments(RegistrationIn)
@blp.response(201, RegistrationOut)
@require(*DESK)
def register_vehicle(data: dict[str, Any], order_id: str) -> dict[str, Any] | None:
    """Record the registration (上牌): plate, day, by the customer or by the store under a power of attorney."""
    return views.registration_view(services.register_vehicle(db(), order_id, data, current_actor()))

"""Rules of the back office's paperwork (loans, insurance, invoice, registration); no framework, no SQL.

Functions take objects with the models' attributes (or test fakes), check the rule and change attributes;
they never save. Money is Decimal; days are the store's local dates.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Protocol

from shared.domain import DomainError, InvalidInput

FEN = Decimal("0.01")
VAT_RATE = Decimal(13)  # 增值税 13 %, included in the deal price


class LoanStatus(StrEnum):
    """Where a loan application (贷款申请) stands with the lender."""

    APPLIED = "applied"  # 已申请
    APPROVED = "approved"  # 已批贷
    REJECTED = "rejected"  # 已拒贷
    DISBURSED = "disbursed"  # 已放款


class PolicyKind(StrEnum):
    COMPULSORY = "compulsory"  # 交强险, required by law before the car is on the road
    COMMERCIAL = "commercial"  # 商业险, the customer's choice


class RegisteredBy(StrEnum):
    CUSTOMER = "customer"  # 客户自行上牌
    STORE = "store"  # 门店代办, under a power of attorney (委托书)


class LoanLike(Protocol):
    status: str
    amount: Decimal
    approved_amount: Decimal | None
    disbursed_amount: Decimal | None


class PolicyLike(Protocol):
    kind: str
    starts_on: date
    ends_on: date


class InvoiceLike(Protocol):
    voided_at: object | None


def current_loan(loans: Iterable[LoanLike]) -> LoanLike | None:
    """The order's latest application: an earlier one was rejected (only then may another be made)."""
    latest = list(loans)
    return latest[-1] if latest else None


def loan_cover(loan: LoanLike | None) -> Decimal:
    """How much of the price the loan pays: applied for, then approved, then what was disbursed."""
    if loan is None or loan.status == LoanStatus.REJECTED:
        return Decimal("0.00")
    if loan.status == LoanStatus.DISBURSED:
        return loan.disbursed_amount or Decimal("0.00")
    if loan.status == LoanStatus.APPROVED:
        return loan.approved_amount or Decimal("0.00")
    return loan.amount


def check_application(loan: LoanLike | None, payment_method: str, amount: Decimal, still_owed: Decimal) -> None:
    """A loan order may apply once at a time (again after a rejection), for at most what is still owed."""
    if payment_method != "loan":
        raise DomainError("this order is paid in cash (全款); a loan needs an order placed with payment_method loan")
    if loan is not None and loan.status != LoanStatus.REJECTED:
        raise DomainError(f"the order already has a loan that is {loan.status}")
    if amount <= 0:
        raise InvalidInput("amount", "must be greater than 0")
    if amount > still_owed:
        raise InvalidInput("amount", f"must not exceed what the customer still owes, {still_owed:.2f}")


def decide(loan: LoanLike | None, approved: bool, amount: Decimal | None) -> None:
    """Record the lender's decision on the applied loan; an approval may be for less than applied, never more."""
    if loan is None or loan.status != LoanStatus.APPLIED:
        raise DomainError(f"there is no loan waiting for a decision (it is {loan.status if loan else 'none'})")
    if not approved:
        loan.status = LoanStatus.REJECTED
        return
    granted = loan.amount if amount is None else amount
    if granted <= 0 or granted > loan.amount:
        raise InvalidInput("amount", f"must be greater than 0 and at most the amount applied for, {loan.amount:.2f}")
    loan.status, loan.approved_amount = LoanStatus.APPROVED, granted


def check_payment(kind: str, amount: Decimal, price: Decimal, customer_paid: Decimal, loan: LoanLike | None) -> None:
    """A disbursement is at most the approved loan; the customer pays at most the price less the loan's share."""
    if kind == "loan_disbursement":
        if loan is None or loan.status != LoanStatus.APPROVED:
            raise DomainError(f"there is no approved loan to disburse (it is {loan.status if loan else 'none'})")
        if amount > (loan.approved_amount or 0):
            raise DomainError(f"a disbursement of {amount:.2f} exceeds the approved loan {loan.approved_amount:.2f}")
        return
    share = price - loan_cover(loan)
    if loan_cover(loan) > 0 and customer_paid + amount > share:
        raise DomainError(f"the customer's share is {share:.2f} (the loan pays the rest) and {customer_paid:.2f} "
                          f"is paid; a payment of {amount:.2f} would exceed it")


def disburse(loan: LoanLike, amount: Decimal) -> None:
    """The lender paid out (放款): the loan is done, and covers exactly what was paid."""
    loan.status, loan.disbursed_amount = LoanStatus.DISBURSED, amount


def check_policy(starts_on: date, ends_on: date, premium: Decimal) -> None:
    """A policy covers at least its first day and costs something."""
    if ends_on < starts_on:
        raise InvalidInput("ends_on", "must not be before starts_on")
    if premium <= 0:
        raise InvalidInput("premium", "must be greater than 0")


def insured_on(policies: Iterable[PolicyLike], day: date) -> bool:
    """A compulsory policy (交强险) whose cover includes ``day``: the store's checklist before the handover."""
    return any(p.kind == PolicyKind.COMPULSORY and p.starts_on <= day <= p.ends_on for p in policies)


def tax_included(price: Decimal) -> Decimal:
    """The VAT inside a tax-inclusive price: price × 13 ÷ 113, to the fen, half up."""
    return (price * VAT_RATE / (100 + VAT_RATE)).quantize(FEN, rounding=ROUND_HALF_UP)


def live_invoice(invoices: Iterable[InvoiceLike]) -> InvoiceLike | None:
    """The invoice not voided, if any: there is at most one."""
    return next((invoice for invoice in invoices if invoice.voided_at is None), None)


def check_invoicing(fully_paid: bool, cancelled: bool, live: InvoiceLike | None) -> None:
    """One invoice per sale, issued once the car is paid in full (a voided one may be issued anew)."""
    if cancelled:
        raise DomainError("cannot invoice a cancelled order")
    if not fully_paid:
        raise DomainError("the invoice is issued once the car is paid in full")
    if live is not None:
        raise DomainError("the order already has an invoice; void it before issuing a new one")


def check_registration(by: str, power_of_attorney: bool, vin: str | None, invoiced: bool, registered: bool) -> None:
    """A car is registered once, with its invoice; the store registers it only under a power of attorney."""
    if registered:
        raise DomainError("the car is already registered")
    if not vin:
        raise DomainError("no car is reserved for this order")
    if not invoiced:
        raise DomainError("registration needs the sale's invoice (购车发票); issue it first")
    if by == RegisteredBy.STORE and not power_of_attorney:
        raise InvalidInput("power_of_attorney", "the store registers a car only under the customer's power of "
                           "attorney (委托书): send true once it is signed")

"""The paperwork's rules with fakes: loans, the customer's share, insurance cover, VAT, invoices, plates."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest

from orders.paperwork import domain
from shared.domain import DomainError, InvalidInput

D = Decimal


@dataclass
class FakeLoan:
    status: str = "applied"
    amount: Decimal = D("100000.00")
    approved_amount: Decimal | None = None
    disbursed_amount: Decimal | None = None


@dataclass
class FakePolicy:
    kind: str
    starts_on: date
    ends_on: date


@dataclass
class FakeInvoice:
    voided_at: object | None = None


@pytest.mark.parametrize(("price", "tax"), [
    ("189900.00", "21846.90"),  # 189900 × 13 ÷ 113 = 21846.902654... -> 21846.90
    ("113.00", "13.00"),  # 113 × 13 ÷ 113 = 13 exactly
    ("100.00", "11.50"),  # 100 × 13 ÷ 113 = 11.504424... -> 11.50
    ("1.00", "0.12"),  # 13 ÷ 113 = 0.115044... -> 0.12
    ("0.50", "0.06"),  # 6.5 ÷ 113 = 0.057522... -> 0.06
    ("4.31", "0.50"),  # 56.03 ÷ 113 = 0.495840... -> 0.50
])
def test_the_vat_inside_the_price_is_price_times_13_over_113_rounded_half_up(price: str, tax: str) -> None:
    # No whole-fen price gives an exact half fen (113 is prime), so half-up decides only through ≥ .xx5 digits.
    assert domain.tax_included(D(price)) == D(tax)


def test_a_loan_covers_what_was_applied_then_approved_then_disbursed() -> None:
    assert domain.loan_cover(None) == D("0")
    assert domain.loan_cover(FakeLoan()) == D("100000.00")
    assert domain.loan_cover(FakeLoan(status="approved", approved_amount=D("90000.00"))) == D("90000.00")
    assert domain.loan_cover(FakeLoan(status="disbursed", approved_amount=D("90000.00"),
                                      disbursed_amount=D("80000.00"))) == D("80000.00")
    assert domain.loan_cover(FakeLoan(status="rejected")) == D("0")


def test_the_customer_pays_at_most_the_price_less_the_approved_loan() -> None:
    loan = FakeLoan(status="approved", approved_amount=D("100000.00"))
    # share = 189900.00 - 100000.00 = 89900.00; 5000.00 paid, so 84900.00 more fits and 84900.01 does not
    domain.check_payment("balance", D("84900.00"), D("189900.00"), D("5000.00"), loan)
    with pytest.raises(DomainError, match="the customer's share is 89900.00"):
        domain.check_payment("balance", D("84900.01"), D("189900.00"), D("5000.00"), loan)


def test_a_disbursement_needs_an_approved_loan_and_stays_within_it() -> None:
    with pytest.raises(DomainError, match="no approved loan to disburse"):
        domain.check_payment("loan_disbursement", D("1.00"), D("189900.00"), D("0"), FakeLoan())
    approved = FakeLoan(status="approved", approved_amount=D("90000.00"))
    domain.check_payment("loan_disbursement", D("90000.00"), D("189900.00"), D("0"), approved)
    with pytest.raises(DomainError, match="exceeds the approved loan 90000.00"):
        domain.check_payment("loan_disbursement", D("90000.01"), D("189900.00"), D("0"), approved)


def test_a_cash_order_or_a_second_live_loan_cannot_apply() -> None:
    with pytest.raises(DomainError, match="paid in cash"):
        domain.check_application(None, "cash", D("1000.00"), D("184900.00"))
    with pytest.raises(DomainError, match="already has a loan that is applied"):
        domain.check_application(FakeLoan(), "loan", D("1000.00"), D("184900.00"))
    domain.check_application(FakeLoan(status="rejected"), "loan", D("1000.00"), D("184900.00"))


def test_a_loan_is_at_most_what_the_customer_still_owes() -> None:
    with pytest.raises(InvalidInput, match="amount: must not exceed what the customer still owes, 184900.00"):
        domain.check_application(None, "loan", D("184900.01"), D("184900.00"))


def test_a_lender_may_grant_less_than_applied_but_never_more() -> None:
    loan = FakeLoan()
    with pytest.raises(InvalidInput, match="at most the amount applied for, 100000.00"):
        domain.decide(loan, True, D("100000.01"))
    domain.decide(loan, True, D("80000.00"))
    assert (loan.status, loan.approved_amount) == ("approved", D("80000.00"))
    with pytest.raises(DomainError, match="no loan waiting for a decision"):
        domain.decide(loan, False, None)


def test_delivery_needs_a_compulsory_policy_covering_the_day() -> None:
    day = date(2026, 12, 6)
    commercial = FakePolicy("commercial", date(2026, 12, 1), date(2027, 11, 30))
    assert not domain.insured_on([commercial], day)
    assert domain.insured_on([FakePolicy("compulsory", day, day)], day)  # cover from the day itself
    assert not domain.insured_on([FakePolicy("compulsory", date(2026, 12, 7), date(2027, 12, 6))], day)
    assert not domain.insured_on([FakePolicy("compulsory", date(2025, 12, 1), date(2026, 12, 5))], day)


def test_one_live_invoice_per_sale_and_only_when_paid_in_full() -> None:
    with pytest.raises(DomainError, match="paid in full"):
        domain.check_invoicing(False, False, None)
    with pytest.raises(DomainError, match="void it before issuing"):
        domain.check_invoicing(True, False, FakeInvoice())
    assert domain.live_invoice([FakeInvoice(voided_at="then"), FakeInvoice()]) is not None
    assert domain.live_invoice([FakeInvoice(voided_at="then")]) is None


def test_the_store_registers_a_car_only_under_a_power_of_attorney() -> None:
    with pytest.raises(InvalidInput, match="power_of_attorney"):
        domain.check_registration("store", False, "LSVAU2182N2183290", True, False)
    domain.check_registration("store", True, "LSVAU2182N2183290", True, False)
    domain.check_registration("customer", False, "LSVAU2182N2183290", True, False)
    with pytest.raises(DomainError, match="invoice"):
        domain.check_registration("customer", False, "LSVAU2182N2183290", False, False)

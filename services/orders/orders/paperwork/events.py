"""Payloads of the paperwork events (``subject`` = order id); published through ``orders.events.publish``.

None carries a name, phone or ID number: reporting counts them and after-sales files the plate by VIN.
"""
from __future__ import annotations

from typing import Any

from orders.events import _day, _iso, _money
from orders.models import InsurancePolicy, Invoice, Loan, Registration


def loan_applied(loan: Loan) -> dict[str, Any]:
    return {"order_id": loan.order_id, "loan_id": loan.id, "lender": loan.lender, "amount": _money(loan.amount),
            "term_months": loan.term_months, "annual_rate": f"{loan.annual_rate:.4f}",
            "applied_at": _iso(loan.applied_at)}


def loan_decided(loan: Loan) -> dict[str, Any]:
    """``amount`` is what the lender granted; 0.00 on a rejection."""
    approved = loan.approved_amount is not None
    return {"order_id": loan.order_id, "loan_id": loan.id, "approved": approved,
            "amount": _money(loan.approved_amount), "decided_at": _iso(loan.decided_at)}


def loan_disbursed(loan: Loan) -> dict[str, Any]:
    return {"order_id": loan.order_id, "loan_id": loan.id, "amount": _money(loan.disbursed_amount),
            "disbursed_at": _iso(loan.disbursed_at)}


def insurance_arranged(policy: InsurancePolicy) -> dict[str, Any]:
    return {"order_id": policy.order_id, "policy_id": policy.id, "kind": policy.kind, "insurer": policy.insurer,
            "policy_no": policy.policy_no, "premium": _money(policy.premium), "starts_on": _day(policy.starts_on),
            "ends_on": _day(policy.ends_on)}


def invoice_issued(invoice: Invoice) -> dict[str, Any]:
    return {"order_id": invoice.order_id, "invoice_no": invoice.invoice_no, "amount": _money(invoice.amount),
            "tax": _money(invoice.tax), "issued_on": _day(invoice.issued_on)}


def invoice_voided(invoice: Invoice) -> dict[str, Any]:
    return {"order_id": invoice.order_id, "invoice_no": invoice.invoice_no, "voided_at": _iso(invoice.voided_at)}


def vehicle_registered(registration: Registration) -> dict[str, Any]:
    return {"order_id": registration.order_id, "vin": registration.vin, "plate_no": registration.plate_no,
            "registered_on": _day(registration.registered_on), "by": registration.by}

"""The paperwork as answered: plain dicts the response schemas dump (no SQL, no framework)."""
from __future__ import annotations

from typing import Any

from orders.models import InsurancePolicy, Invoice, Loan, Order, Registration
from orders.paperwork import domain

LOAN_COLUMNS = ("id", "order_id", "lender", "amount", "term_months", "annual_rate", "status", "applied_by",
                "applied_at", "approved_amount", "decided_by", "decided_at", "disbursed_amount", "disbursed_at")
POLICY_COLUMNS = ("id", "order_id", "kind", "insurer", "policy_no", "premium", "starts_on", "ends_on",
                  "recorded_by", "recorded_at")
INVOICE_COLUMNS = ("id", "order_id", "invoice_no", "amount", "tax", "issued_on", "issued_by", "voided_at",
                   "voided_by", "void_reason")
REGISTRATION_COLUMNS = ("order_id", "vin", "plate_no", "registered_on", "by", "power_of_attorney", "recorded_by",
                        "recorded_at")


def loan_view(loan: Loan, order: Order) -> dict[str, Any]:
    """A loan with the customer's share of the price (what the loan does not cover)."""
    return {**_columns(loan, LOAN_COLUMNS), "customer_share": order.price - domain.loan_cover(loan)}


def policy_view(policy: InsurancePolicy) -> dict[str, Any]:
    return _columns(policy, POLICY_COLUMNS)


def invoice_view(invoice: Invoice) -> dict[str, Any]:
    return _columns(invoice, INVOICE_COLUMNS)


def registration_view(registration: Registration | None) -> dict[str, Any] | None:
    return _columns(registration, REGISTRATION_COLUMNS) if registration is not None else None


def paperwork_of(order: Order) -> dict[str, Any]:
    """The order's paperwork for its own answer: current loan, policies, live invoice and every invoice, plate."""
    loan = domain.current_loan(order.loans)
    live = domain.live_invoice(order.invoices)
    return {"loan": loan_view(loan, order) if isinstance(loan, Loan) else None,
            "insurance": [policy_view(p) for p in order.insurance_policies],
            "invoice": invoice_view(live) if isinstance(live, Invoice) else None,
            "invoices": [invoice_view(i) for i in order.invoices],
            "registration": registration_view(order.registration)}


def _columns(row: Any, columns: tuple[str, ...]) -> dict[str, Any]:
    return {column: getattr(row, column) for column in columns}

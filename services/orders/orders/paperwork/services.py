"""Use cases of the paperwork: one transaction each, the event written to the outbox in it.

Each locks the order's row first (as ``orders.services`` does), so a loan decision and a payment, or two
invoices for one order, are applied one after the other.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from orders import events
from orders.domain import CLOSED, OrderStatus, PaymentKind
from orders.models import InsurancePolicy, Invoice, Loan, Order, Registration
from orders.paperwork import domain
from orders.paperwork import events as paperwork_events
from orders.services import _own, _take_payment, _when, get_order
from shared.actors import Actor
from shared.business_time import to_store_time
from shared.clock import utcnow
from shared.domain import DomainError, InvalidInput


def apply_for_loan(session: Session, order_id: str, data: dict[str, Any], actor: Actor) -> Loan:
    """File a loan application (贷款申请) for a loan order: lender, amount, term and annual rate."""
    order = _open(session, order_id, actor)
    at = _when(order, data.get("occurred_at"))
    customer_paid = sum((p.amount for p in order.payments if p.kind != PaymentKind.LOAN_DISBURSEMENT), Decimal(0))
    domain.check_application(domain.current_loan(order.loans), order.payment_method, data["amount"],
                             order.price - customer_paid)
    loan = Loan(order_id=order.id, lender=data["lender"], amount=data["amount"], term_months=data["term_months"],
                annual_rate=data["annual_rate"], status=domain.LoanStatus.APPLIED, applied_by=actor.sub, applied_at=at)
    order.loans.append(loan)
    session.flush()
    events.publish(session, "orders.loan.applied", order, paperwork_events.loan_applied(loan))
    session.commit()
    return loan


def decide_loan(session: Session, order_id: str, data: dict[str, Any], actor: Actor) -> Loan:
    """Record the lender's answer (批贷 / 拒贷); an approval may grant less than applied for."""
    order = _open(session, order_id, actor)
    loan = domain.current_loan(order.loans)
    at = _when(order, data.get("occurred_at"), loan.applied_at if loan else None)
    domain.decide(loan, data["approved"], data.get("amount"))
    assert loan is not None  # decide refuses an order without one
    loan.decided_by, loan.decided_at = actor.sub, at
    events.publish(session, "orders.loan.decided", order, paperwork_events.loan_decided(loan))
    session.commit()
    return loan


def disburse_loan(session: Session, order_id: str, data: dict[str, Any], actor: Actor) -> Loan:
    """The lender paid out (放款): a payment of kind loan_disbursement, at most the approved amount."""
    order = get_order(session, order_id, for_update=True)
    loan = domain.current_loan(order.loans)
    at = _when(order, data.get("occurred_at"), loan.decided_at if loan else None)
    if data.get("amount") is not None and data["amount"] <= 0:
        raise InvalidInput("amount", "must be greater than 0")
    amount = data.get("amount") or (loan.approved_amount if loan and loan.approved_amount else Decimal(0))
    if amount <= 0:
        raise DomainError(f"there is no approved loan to disburse (it is {loan.status if loan else 'none'})")
    _take_payment(session, order, amount, PaymentKind.LOAN_DISBURSEMENT, data["method"], actor, at)
    session.commit()
    assert loan is not None  # the payment is refused without an approved loan
    return loan


def arrange_insurance(session: Session, order_id: str, data: dict[str, Any], actor: Actor) -> InsurancePolicy:
    """Record a policy (保单) arranged for the car before delivery; policy numbers are unique per insurer."""
    order = _open(session, order_id, actor)
    domain.check_policy(data["starts_on"], data["ends_on"], data["premium"])
    _unique(session, select(InsurancePolicy.id).where(InsurancePolicy.insurer == data["insurer"],
                                                      InsurancePolicy.policy_no == data["policy_no"]),
            "policy_no", f"{data['insurer']} already has a policy with this number")
    policy = InsurancePolicy(order_id=order.id, recorded_by=actor.sub, recorded_at=utcnow(), **data)
    order.insurance_policies.append(policy)
    session.flush()
    events.publish(session, "orders.insurance.arranged", order, paperwork_events.insurance_arranged(policy))
    session.commit()
    return policy


def issue_invoice(session: Session, order_id: str, data: dict[str, Any], actor: Actor) -> Invoice:
    """Issue the sale's invoice (开票) once paid in full: amount the price, tax = price × 13 ÷ 113."""
    order = get_order(session, order_id, for_update=True)
    fully_paid = order.paid_total == order.price
    domain.check_invoicing(fully_paid, order.status == OrderStatus.CANCELLED, domain.live_invoice(order.invoices))
    _check_day("issued_on", data["issued_on"], order)
    _unique(session, select(Invoice.id).where(Invoice.invoice_no == data["invoice_no"]), "invoice_no",
            "another invoice already has this number (invoice numbers are never reused)")
    invoice = Invoice(order_id=order.id, invoice_no=data["invoice_no"], amount=order.price,
                      tax=domain.tax_included(order.price), issued_on=data["issued_on"], issued_by=actor.sub,
                      recorded_at=utcnow())
    order.invoices.append(invoice)
    session.flush()
    events.publish(session, "orders.invoice.issued", order, paperwork_events.invoice_issued(invoice))
    session.commit()
    return invoice


def void_invoice(session: Session, order_id: str, data: dict[str, Any], actor: Actor) -> Invoice:
    """Void (作废) the live invoice; it stays on file with its number, and a new one may be issued."""
    order = get_order(session, order_id, for_update=True)
    invoice = domain.live_invoice(order.invoices)
    if invoice is None:
        raise DomainError("the order has no invoice to void")
    assert isinstance(invoice, Invoice)
    invoice.voided_at, invoice.voided_by, invoice.void_reason = utcnow(), actor.sub, data["reason"]
    events.publish(session, "orders.invoice.voided", order, paperwork_events.invoice_voided(invoice))
    session.commit()
    return invoice


def register_vehicle(session: Session, order_id: str, data: dict[str, Any], actor: Actor) -> Registration:
    """Record the registration (上牌): the plate chosen, the day, by the customer or the store (委托书)."""
    order = _own(session, order_id, actor)
    invoiced = domain.live_invoice(order.invoices) is not None
    domain.check_registration(data["by"], data["power_of_attorney"], order.vin, invoiced,
                              order.registration is not None)
    _check_day("registered_on", data["registered_on"], order)
    _unique(session, select(Registration.id).where(Registration.plate_no == data["plate_no"]), "plate_no",
            "another car already carries this plate")
    registration = Registration(order_id=order.id, vin=order.vin, recorded_by=actor.sub, recorded_at=utcnow(),
                                **data)
    order.registration = registration
    session.flush()
    events.publish(session, "orders.vehicle.registered", order, paperwork_events.vehicle_registered(registration))
    session.commit()
    return registration


def _open(session: Session, order_id: str, actor: Actor) -> Order:
    """The order, locked, for a step only an order not yet delivered or cancelled takes."""
    order = _own(session, order_id, actor)
    if order.status in CLOSED:
        raise DomainError(f"cannot change the paperwork of an order that is {order.status}")
    return order


def _check_day(field: str, day: date, order: Order) -> None:
    """A paper's date lies between the order's day and today (store time)."""
    today, placed_on = to_store_time(utcnow()).date(), to_store_time(order.placed_at).date()
    if day > today:
        raise InvalidInput(field, "must not be in the future")
    if day < placed_on:
        raise InvalidInput(field, f"must not be before the order's day {placed_on.isoformat()}")


def _unique(session: Session, query: Any, field: str, reason: str) -> None:
    """Refuse a number already on file (409 naming the field); the unique index catches a race."""
    if session.scalar(query.limit(1)) is not None:
        raise DomainError(f"{field}: {reason}", errors={field: [reason]})



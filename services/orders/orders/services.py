"""Use cases of the orders service: one transaction each, events written to the outbox in it.

Every change first locks the order's row (``FOR UPDATE`` on PostgreSQL; SQLite
serialises writers anyway), so a payment and a reservation arriving together
are applied one after the other, never one over the other. The routes' use cases
commit; the saga's (called by ``consumers``) run in the consumer's transaction,
which commits them with the inbox row that marks the event done.
"""
from __future__ import annotations

import json
import logging
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from orders import domain, events
from orders.domain import OrderStatus, PaymentKind
from orders.models import Order, Payment
from orders.paperwork import domain as paperwork
from orders.paperwork import events as paperwork_events
from shared.actors import Actor, Forbidden
from shared.business_time import aware, business_time, to_store_time
from shared.clock import utcnow
from shared.domain import DomainError, InvalidInput, NotFound

log = logging.getLogger("orders.consumers")  # the saga's log name, kept for those who filter on it
NO_CAR = "no matching car in stock"
DEFAULT_PROMISE = timedelta(days=30)  # 约定交车日期 when the order names none: the placing day + 30 days


def get_order(session: Session, order_id: str, for_update: bool = False) -> Order:
    """An order by id, or 404."""
    order = session.get(Order, order_id, with_for_update=for_update)
    if order is None:
        raise NotFound(f"No order {order_id}.")
    return order


def _own(session: Session, order_id: str, actor: Actor) -> Order:
    """The order, locked for change; a consultant may change only the orders they own."""
    order = get_order(session, order_id, for_update=True)
    if actor.role == "consultant" and order.consultant_id != actor.sub:
        raise Forbidden(f"Order {order.id} belongs to consultant {order.consultant_id}.")
    return order


def _when(order: Order, occurred_at: datetime | None, after: datetime | None = None) -> datetime:
    """A step's business time: now, or a past record's time, never before the order (or ``after``)."""
    return business_time(occurred_at, after or order.placed_at, "the order's previous step")


def place_order(session: Session, data: dict[str, Any], actor: Actor) -> Order:
    """Take an order with its deposit (订金); inventory then reserves a car or backorders it."""
    domain.validate_prices(data["msrp"], data["price"], data["deposit"])
    vehicle, customer = data.get("vehicle") or {}, data["customer"]
    consultant = data.get("consultant_id") if actor.is_manager and data.get("consultant_id") else actor.sub
    order = Order(lead_id=data.get("lead_id"), consultant_id=consultant, placed_by=actor.sub,
                  customer_name=customer["name"], customer_phone=customer["phone"],
                  customer_id_number=customer["id_number"], model=vehicle.get("model", ""),
                  trim=vehicle.get("trim", ""), color=vehicle.get("color", ""), requested_vin=data.get("vin"),
                  msrp=data["msrp"], price=data["price"], deposit=data["deposit"], paid_total=Decimal("0.00"),
                  payment_method=data["payment_method"], special_requests=data["special_requests"],
                  status=OrderStatus.PENDING, placed_at=business_time(data.get("occurred_at")), payments=[],
                  # every collection the answer shows, known empty: no query to load them for the answer
                  loans=[], insurance_policies=[], invoices=[], registration=None)
    order.promised_delivery_on = promised_day(order.placed_at, data.get("promised_delivery_on"))
    session.add(order)
    session.flush()
    events.publish(session, "orders.order.placed", order, events.order_placed(order))
    if data["deposit_paid"] and order.deposit > 0:  # the receipt (订金条) is written as the money is taken
        _take_payment(session, order, order.deposit, "deposit", data["deposit_method"], actor, order.placed_at)
    session.commit()
    return order


def promised_day(placed_at: datetime, promised: date | None) -> date:
    """The promised delivery day (约定交车日期): as agreed, never before the placing day; else 30 days on."""
    placed_on = to_store_time(placed_at).date()
    if promised is None:
        return placed_on + DEFAULT_PROMISE
    if promised < placed_on:
        raise InvalidInput("promised_delivery_on", f"must not be before the order's day {placed_on.isoformat()}")
    return promised


def _not_on_own_order(order: Order, actor: Actor, step: str) -> None:
    """No one reviews or approves the contract of an order they placed or sell (DOMAIN.md round 2)."""
    if actor.sub in (order.placed_by, order.consultant_id):
        raise Forbidden(f"{actor.sub} placed or sells order {order.id}, so someone else must {step} its contract.")


def draft_contract(session: Session, order_id: str, actor: Actor, occurred_at: datetime | None = None) -> Order:
    """Draft the contract (合同) from the order's own terms."""
    order = _own(session, order_id, actor)
    at = _when(order, occurred_at)
    domain.draft_contract(order)
    order.contract_drafted_by, order.contract_drafted_at = actor.sub, at
    session.commit()
    return order


def review_contract(session: Session, order_id: str, data: dict[str, Any], actor: Actor,
                    consultant_limit: Decimal) -> Order:
    """The back office's review (审核): passed within the limit approves the contract; over it a manager must."""
    order = _own(session, order_id, actor)
    _not_on_own_order(order, actor, "review")
    at = _when(order, data.get("occurred_at"), order.contract_drafted_at)
    approved = domain.review_contract(order, data["passed"], consultant_limit)
    _record_review(session, order, actor, at, data["passed"], data["notes"], consultant_limit)
    if approved:
        _record_approval(session, order, actor, at)
    session.commit()
    return order


def approve_contract(session: Session, order_id: str, actor: Actor, consultant_limit: Decimal,
                     occurred_at: datetime | None = None) -> Order:
    """A sales manager's approval on a reviewed contract; the back office's within the limit is its review."""
    order = _own(session, order_id, actor)
    _not_on_own_order(order, actor, "approve")
    at = _when(order, occurred_at, order.contract_reviewed_at or order.contract_drafted_at)
    reviewing = order.contract_status == domain.ContractStatus.DRAFTED
    domain.approve_contract(order, actor.role, consultant_limit)
    if reviewing:  # the round-1 call: the back office approving within the limit passes the review too
        _record_review(session, order, actor, at, True, "", consultant_limit)
    _record_approval(session, order, actor, at)
    session.commit()
    return order


def _record_review(session: Session, order: Order, actor: Actor, at: datetime, passed: bool, notes: str,
                   limit: Decimal) -> None:
    order.contract_reviewed_by, order.contract_reviewed_at = actor.sub, at
    order.contract_review_passed, order.contract_review_notes = passed, notes
    needs_manager = passed and domain.needs_manager_approval(order, limit)
    events.publish(session, "orders.contract.reviewed", order, events.contract_reviewed(order, needs_manager))


def _record_approval(session: Session, order: Order, actor: Actor, at: datetime) -> None:
    order.contract_approved_by, order.contract_approver_role = actor.sub, actor.role
    order.contract_approved_at = at
    events.publish(session, "orders.contract.approved", order, events.contract_approved(order))


def record_payment(session: Session, order_id: str, data: dict[str, Any], actor: Actor) -> Payment:
    """Record a payment slip (交款单); the order is paid when the sum reaches the deal price."""
    order = get_order(session, order_id, for_update=True)
    at = _when(order, data.get("occurred_at"))
    payment = _take_payment(session, order, data["amount"], data["kind"], data["method"], actor, at)
    session.commit()
    return payment


def _take_payment(session: Session, order: Order, amount: Decimal, kind: str, method: str, actor: Actor,
                  at: datetime) -> Payment:
    """One payment slip; with a loan in play the customer pays only their share and the lender the rest."""
    loan = paperwork.current_loan(order.loans)
    if kind in tuple(PaymentKind):
        customer_paid = sum((p.amount for p in order.payments if p.kind != PaymentKind.LOAN_DISBURSEMENT), Decimal(0))
        paperwork.check_payment(kind, amount, order.price, customer_paid, loan)
    domain.record_payment(order, amount, kind)
    payment = Payment(amount=amount, kind=kind, method=method, received_by=actor.sub, at=at)
    order.payments.append(payment)
    if kind == PaymentKind.LOAN_DISBURSEMENT and loan is not None:
        paperwork.disburse(loan, amount)
        loan.disbursed_at = at
        events.publish(session, "orders.loan.disbursed", order, paperwork_events.loan_disbursed(loan))
    session.flush()
    events.publish(session, "orders.payment.received", order, events.payment_received(order, payment))
    return payment


def deliver(session: Session, order_id: str, checklist: dict[str, bool], actor: Actor,
            occurred_at: datetime | None = None) -> Order:
    """Hand the car over (交车): approved contract, full payment, a reserved car, every check passed."""
    order = _own(session, order_id, actor)
    at = _when(order, occurred_at, order.contract_approved_at)
    domain.deliver(order, checklist, insured=paperwork.insured_on(order.insurance_policies, to_store_time(at).date()))
    order.delivered_at, order.delivered_by = at, actor.sub
    order.delivery_checklist = json.dumps(checklist, sort_keys=True)
    events.publish(session, "orders.order.delivered", order, events.order_delivered(order))
    session.commit()
    return order


def cancel(session: Session, order_id: str, reason: str, actor: Actor, occurred_at: datetime | None = None) -> Order:
    """Cancel before delivery (退订): the car goes back to stock, the deposit is refunded or forfeited."""
    order = _own(session, order_id, actor)
    at = _when(order, occurred_at)
    if paperwork.live_invoice(order.invoices) is not None:
        raise DomainError("the order has an invoice: void it (invoice/void) before cancelling")
    outcome = domain.cancel(order, reason)
    order.refund, order.forfeited = outcome.refund, outcome.forfeited
    order.cancel_reason, order.cancelled_by, order.cancelled_at = reason.strip(), actor.sub, at
    events.publish(session, "orders.order.cancelled", order, events.order_cancelled(order))
    session.commit()
    return order


def confirm_reservation(session: Session, order_id: str | None, vin: str, *, model: str, trim: str, color: str,
                        at: datetime | None, model_class: str | None = None) -> Order | None:
    """Inventory reserved a car (配车): the order is reserved, or contracted if already approved.

    Runs in the consumer's transaction (it commits with the inbox row). A late answer for an order that
    moved on is ignored: inventory itself gives back a car it holds for a cancelled order.
    """
    order = _awaited_order(session, order_id)
    if order is None or order.status not in domain.AWAITING_CAR:
        return None
    domain.mark_reserved(order, vin)
    # An order that named only a VIN learns its model, trim and colour from the car.
    order.model, order.trim, order.color = order.model or model, order.trim or trim, order.color or color
    order.model_class = model_class  # 车型大类 of this car: targets and commission count deliveries by it
    order.reserved_at = domain.reservation_time(aware(order.placed_at), at, utcnow())
    order.backorder_reason = None
    session.flush()
    events.publish(session, "orders.order.confirmed", order, events.order_confirmed(order))
    return order


def backorder(session: Session, order_id: str | None, reason: str) -> Order | None:
    """No car matched: the order waits (等车); in the consumer's transaction (it commits).

    Only a pending order waits: one already reserved (the answers overtook each other) or cancelled stays.
    """
    order = _awaited_order(session, order_id)
    if order is None or order.status != OrderStatus.PENDING:
        return None
    domain.mark_backordered(order)
    order.backorder_reason = (reason or NO_CAR)[:500]
    session.flush()
    events.publish(session, "orders.order.backordered", order, events.order_backordered(order))
    return order


def _awaited_order(session: Session, order_id: str | None) -> Order | None:
    """The order inventory answers for, locked; None (logged) when this service does not know it."""
    order = session.get(Order, order_id, with_for_update=True) if order_id else None
    if order is None:
        log.warning("inventory answered for an unknown order %s", order_id)
    return order

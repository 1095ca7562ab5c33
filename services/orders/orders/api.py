"""HTTP routes of the orders service: load the schema, call the use case, dump the answer."""
from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

from flask import current_app

from orders import ledger, queries, services
from orders.domain import discount, is_overdue, needs_manager_approval, outstanding
from orders.models import Order, Payment
from orders.paperwork.views import paperwork_of
from orders.schemas import (
    CancelIn,
    ContractOut,
    DeliverIn,
    OrderFilter,
    OrderIn,
    OrderOut,
    OrderPage,
    PaymentIn,
    PaymentOut,
    QueueCounts,
    ReviewIn,
    StepIn,
)
from orders.views import customer_as_seen_by
from shared.actors import Actor
from shared.business_time import to_store_time
from shared.clock import utcnow
from shared.web import csv_safe
from shared.web.app import db
from shared.web.auth import current_actor, require
from shared.web.blueprint import Blueprint

blp = Blueprint("orders", __name__, url_prefix="/api/v1", description="Orders from deposit to delivery")
SALES = ("consultant", "sales_manager")
DESK = ("consultant", "sales_manager", "back_office")
CASHIERS = ("back_office", "sales_manager")
READERS = ("consultant", "sales_manager", "back_office", "service")

DEPOSIT_TERMS = ("Cancelled before the contract is approved: everything paid is refunded. "
                 "After approval: the deposit paid is forfeited and the rest refunded.")


def contract_view(order: Order, actor: Actor) -> dict[str, Any] | None:
    """The contract (合同) drafted from the order, as this caller may see it."""
    if order.contract_status is None:
        return None
    return {"order_id": order.id, "status": order.contract_status, "order_status": order.status,
            "customer": customer_as_seen_by(order, actor), "vehicle": _vehicle(order), "vin": order.vin,
            "msrp": order.msrp, "price": order.price, "discount": discount(order), "deposit": order.deposit,
            "payment_method": order.payment_method, "special_requests": order.special_requests,
            "deposit_terms": DEPOSIT_TERMS, "drafted_by": order.contract_drafted_by,
            "drafted_at": order.contract_drafted_at, "approved_by": order.contract_approved_by,
            "approver_role": order.contract_approver_role, "approved_at": order.contract_approved_at,
            "reviewed_by": order.contract_reviewed_by, "reviewed_at": order.contract_reviewed_at,
            "review_passed": order.contract_review_passed, "review_notes": order.contract_review_notes,
            "needs_manager_approval": needs_manager_approval(order, _limit())}


def _limit() -> Decimal:
    return Decimal(current_app.config["CONSULTANT_DISCOUNT_LIMIT"])


def _today() -> date:
    """The store's local day (门店日期): what "overdue" is counted against."""
    return to_store_time(utcnow()).date()


def _vehicle(order: Order) -> dict[str, str]:
    return {"model": order.model, "trim": order.trim, "color": order.color}


def payment_view(payment: Payment) -> dict[str, Any]:
    """A payment slip with where the order stands after it."""
    order = payment.order
    view = {column: getattr(payment, column) for column in ("id", "order_id", "amount", "kind", "method",
                                                           "received_by", "at")}
    return {**view, "paid_total": order.paid_total, "outstanding": outstanding(order), "order_status": order.status}


def present(order: Order, actor: Actor) -> dict[str, Any]:
    """An order as this caller may see it."""
    plain = ("id", "status", "lead_id", "consultant_id", "requested_vin", "vin", "model_class", "msrp", "price",
             "deposit", "paid_total", "payment_method", "special_requests", "backorder_reason", "placed_at",
             "reserved_at", "delivered_at", "cancelled_at", "cancel_reason", "refund", "forfeited")
    checklist = json.loads(order.delivery_checklist) if order.delivery_checklist else None
    return {**{column: getattr(order, column) for column in plain}, "customer": customer_as_seen_by(order, actor),
            "vehicle": _vehicle(order), "discount": discount(order), "outstanding": outstanding(order),
            "contract": contract_view(order, actor), "payments": [payment_view(p) for p in order.payments],
            "delivery_checklist": checklist, "promised_delivery_on": order.promised_delivery_on,
            "overdue": is_overdue(order.status, order.promised_delivery_on, _today()), **paperwork_of(order)}


@blp.post("/orders")
@blp.arguments(OrderIn)
@blp.response(201, OrderOut)
@require(*SALES)
def place_order(data: dict[str, Any]) -> dict[str, Any]:
    """Place an order with its deposit (订金); soon ``reserved`` with a ``vin``, or ``backordered``."""
    return present(services.place_order(db(), data, current_actor()), current_actor())


@blp.get("/orders")
@blp.arguments(OrderFilter, location="query")
@blp.response(200, OrderPage)
@require(*READERS)
def list_orders(args: dict[str, Any]) -> Any:
    """Orders, newest first, by status, consultant, lead, car, period placed (``placed_from``/``placed_to``),
    ``overdue`` and work queue (``awaiting``); ``format=csv``: the sales ledger (销售台账), every order, oldest
    first."""
    if args["format"] == "csv":
        rows = [ledger.row(present(order, current_actor())) for order in queries.ledger(db(), args, _today())]
        return csv_safe.csv_response(ledger.HEADER, rows, "sales-ledger")
    page = queries.order_page(db(), args, _today())
    return {**page, "items": [present(order, current_actor()) for order in page["items"]]}


@blp.get("/orders/queues")
@blp.response(200, QueueCounts)
@require("back_office", "sales_manager")
def work_queues() -> dict[str, int]:
    """How many orders wait in each of the back office's queues; ``GET /orders?awaiting=<queue>`` lists them."""
    return queries.queue_counts(db(), _today())


@blp.get("/orders/<order_id>")
@blp.response(200, OrderOut)
@require(*READERS)
def get_order(order_id: str) -> dict[str, Any]:
    """One order with its contract and payments."""
    return present(services.get_order(db(), order_id), current_actor())


@blp.post("/orders/<order_id>/contract")
@blp.arguments(StepIn)
@blp.response(201, ContractOut)
@require(*DESK)
def draft_contract(data: dict[str, Any], order_id: str) -> dict[str, Any] | None:
    """Draft the contract (合同) from the order."""
    order = services.draft_contract(db(), order_id, current_actor(), data["occurred_at"])
    return contract_view(order, current_actor())


@blp.post("/orders/<order_id>/contract/review")
@blp.arguments(ReviewIn)
@blp.response(200, ContractOut)
@require("back_office")
def review_contract(data: dict[str, Any], order_id: str) -> dict[str, Any] | None:
    """The back office's review (审核) of every contract; passed within the discount limit, it is approved."""
    order = services.review_contract(db(), order_id, data, current_actor(), _limit())
    return contract_view(order, current_actor())


@blp.post("/orders/<order_id>/contract/approve")
@blp.arguments(StepIn)
@blp.response(200, ContractOut)
@require("sales_manager", "back_office")
def approve_contract(data: dict[str, Any], order_id: str) -> dict[str, Any] | None:
    """A sales manager's approval of a reviewed contract over the discount limit; from the back office, on a
    contract within the limit, it is the passed review (as before the review existed)."""
    order = services.approve_contract(db(), order_id, current_actor(), _limit(), data["occurred_at"])
    return contract_view(order, current_actor())


@blp.post("/orders/<order_id>/payments")
@blp.arguments(PaymentIn)
@blp.response(201, PaymentOut)
@require(*CASHIERS)
def record_payment(data: dict[str, Any], order_id: str) -> dict[str, Any]:
    """Record a payment (交款单); an overpayment is refused."""
    return payment_view(services.record_payment(db(), order_id, data, current_actor()))


@blp.get("/orders/<order_id>/payments")
@blp.response(200, PaymentOut(many=True))
@require(*READERS)
def list_payments(order_id: str) -> list[dict[str, Any]]:
    """The order's payments, oldest first."""
    return [payment_view(payment) for payment in services.get_order(db(), order_id).payments]


@blp.post("/orders/<order_id>/deliver")
@blp.arguments(DeliverIn)
@blp.response(200, OrderOut)
@require(*DESK)
def deliver(data: dict[str, Any], order_id: str) -> dict[str, Any]:
    """Hand the car over (交车): approved contract, full payment, a compulsory policy (交强险) covering the day,
    the checklist passed."""
    order = services.deliver(db(), order_id, data["checklist"], current_actor(), data["occurred_at"])
    return present(order, current_actor())


@blp.post("/orders/<order_id>/cancel")
@blp.arguments(CancelIn)
@blp.response(200, OrderOut)
@require(*DESK)
def cancel(data: dict[str, Any], order_id: str) -> dict[str, Any]:
    """Cancel before delivery (退订); records the refund or the forfeited deposit."""
    order = services.cancel(db(), order_id, data["reason"], current_actor(), data["occurred_at"])
    return present(order, current_actor())

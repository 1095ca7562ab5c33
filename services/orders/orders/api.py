"""HTTP routes of the orders service: load the schema, call the use case, dump the answer."""
from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from flask import current_app

from orders import queries, services
from orders.domain import discount, outstanding
from orders.models import Order, Payment
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
    StepIn,
)
from shared.actors import Actor
from shared.privacy import mask_id_number, mask_phone
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


def _customer(order: Order, actor: Actor) -> dict[str, Any]:
    """Phone and ID in full for the order's consultant, managers and back office (who check contracts)."""
    full = actor.is_manager or actor.role == "back_office" or actor.sub == order.consultant_id
    phone, id_number = order.customer_phone, order.customer_id_number
    if not full:
        phone, id_number = mask_phone(phone) or "", mask_id_number(id_number) or ""
    return {"name": order.customer_name, "phone": phone, "id_number": id_number}


def contract_view(order: Order, actor: Actor) -> dict[str, Any] | None:
    """The contract (合同) drafted from the order, as this caller may see it."""
    if order.contract_status is None:
        return None
    return {"order_id": order.id, "status": order.contract_status, "order_status": order.status,
            "customer": _customer(order, actor), "vehicle": _vehicle(order), "vin": order.vin,
            "msrp": order.msrp, "price": order.price, "discount": discount(order), "deposit": order.deposit,
            "payment_method": order.payment_method, "special_requests": order.special_requests,
            "deposit_terms": DEPOSIT_TERMS, "drafted_by": order.contract_drafted_by,
            "drafted_at": order.contract_drafted_at, "approved_by": order.contract_approved_by,
            "approver_role": order.contract_approver_role, "approved_at": order.contract_approved_at}


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
    return {**{column: getattr(order, column) for column in plain}, "customer": _customer(order, actor),
            "vehicle": _vehicle(order), "discount": discount(order), "outstanding": outstanding(order),
            "contract": contract_view(order, actor), "payments": [payment_view(p) for p in order.payments],
            "delivery_checklist": checklist}


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
def list_orders(args: dict[str, Any]) -> dict[str, Any]:
    """Orders, newest first, filtered by status, consultant, lead and car."""
    page = queries.order_page(db(), args)
    return {**page, "items": [present(order, current_actor()) for order in page["items"]]}


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


@blp.post("/orders/<order_id>/contract/approve")
@blp.arguments(StepIn)
@blp.response(200, ContractOut)
@require("sales_manager", "back_office", "consultant")
def approve_contract(data: dict[str, Any], order_id: str) -> dict[str, Any] | None:
    """Approve the contract (审核): sales manager or back office; a consultant within the discount limit."""
    limit = Decimal(current_app.config["CONSULTANT_DISCOUNT_LIMIT"])
    order = services.approve_contract(db(), order_id, current_actor(), limit, data["occurred_at"])
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
    """Hand the car over (交车): approved contract, full payment, a reserved car, the checklist passed."""
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

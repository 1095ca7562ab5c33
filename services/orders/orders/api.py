"""HTTP routes of the orders service: load the schema, call the use case, dump the answer."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import current_app
from sqlalchemy import select

from orders import services
from orders.models import Order
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
from orders.views import contract_view, payment_view, present
from shared.web.app import db
from shared.web.auth import current_actor, require
from shared.web.blueprint import Blueprint
from shared.web.pagination import page_of

blp = Blueprint("orders", __name__, url_prefix="/api/v1", description="Orders from deposit to delivery")
SALES = ("consultant", "sales_manager")
DESK = ("consultant", "sales_manager", "back_office")
CASHIERS = ("back_office", "sales_manager")
READERS = ("consultant", "sales_manager", "back_office", "service")
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
    query = select(Order).order_by(Order.placed_at.desc(), Order.id)
    for column in ("status", "consultant_id", "lead_id", "vin"):
        if column in args:
            query = query.where(getattr(Order, column) == args[column])
    page = page_of(db(), query, args["page"], args["page_size"])
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

"""What a caller sees of an order: its contract, its payments, and the customer masked unless allowed."""
from __future__ import annotations

import json
from typing import Any

from orders.domain import discount, outstanding
from orders.models import Order, Payment
from shared.privacy import mask_id_number, mask_phone
from shared.web.auth import Actor

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
    plain = ("id", "status", "lead_id", "consultant_id", "requested_vin", "vin", "msrp", "price", "deposit",
             "paid_total", "payment_method", "special_requests", "backorder_reason", "placed_at", "reserved_at",
             "delivered_at", "cancelled_at", "cancel_reason", "refund", "forfeited")
    checklist = json.loads(order.delivery_checklist) if order.delivery_checklist else None
    return {**{column: getattr(order, column) for column in plain}, "customer": _customer(order, actor),
            "vehicle": _vehicle(order), "discount": discount(order), "outstanding": outstanding(order),
            "contract": contract_view(order, actor), "payments": [payment_view(p) for p in order.payments],
            "delivery_checklist": checklist}

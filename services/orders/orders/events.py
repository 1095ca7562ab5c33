"""The events the orders service publishes: routing keys and payloads (``subject`` = order id).

Only ``orders.order.delivered`` carries the customer's full phone and ID number:
after-sales needs them to open the customer file. Every other event carries at
most the masked phone, and ``orders.order.placed`` its keyed pseudonym too.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from orders.domain import discount
from orders.models import Order, Payment
from shared.clock import utcnow
from shared.envelope import make_event
from shared.outbox import record_event
from shared.privacy import mask_phone, mask_text, phone_key

SERVICE = "orders"


def publish(session: Session, routing_key: str, order: Order, data: dict[str, Any]) -> None:
    """Write one event about ``order`` to the outbox in the caller's transaction."""
    record_event(session, make_event(SERVICE, routing_key, order.id, data))


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _money(amount: Decimal | None) -> str:
    return f"{amount or Decimal(0):.2f}"


def _who(order: Order) -> dict[str, Any]:
    return {"order_id": order.id, "lead_id": order.lead_id, "consultant_id": order.consultant_id}


def order_placed(order: Order) -> dict[str, Any]:
    return {**_who(order), "model": order.model, "trim": order.trim, "color": order.color,
            "vin": order.requested_vin, "msrp": _money(order.msrp), "price": _money(order.price),
            "deposit": _money(order.deposit), "payment_method": order.payment_method,
            "placed_at": _iso(order.placed_at), "customer_phone_masked": mask_phone(order.customer_phone) or "",
            "customer_phone_key": phone_key(order.customer_phone),  # reporting's exact match to the lead
            "promised_delivery_on": _day(order.promised_delivery_on)}


def order_confirmed(order: Order) -> dict[str, Any]:
    return {**_who(order), "vin": order.vin, "status": order.status, "at": _iso(order.reserved_at),
            "promised_delivery_on": _day(order.promised_delivery_on)}


def _day(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


def contract_reviewed(order: Order, needs_manager_approval: bool) -> dict[str, Any]:
    """The back office's verdict; the notes with any phone or ID number masked (free text on the bus)."""
    return {"order_id": order.id, "passed": bool(order.contract_review_passed),
            "notes": mask_text(order.contract_review_notes or ""), "reviewed_by": order.contract_reviewed_by,
            "needs_manager_approval": needs_manager_approval, "reviewed_at": _iso(order.contract_reviewed_at)}


def order_backordered(order: Order) -> dict[str, Any]:
    return {**_who(order), "model": order.model, "trim": order.trim, "color": order.color,
            "reason": order.backorder_reason or "", "at": _iso(utcnow())}


def contract_approved(order: Order) -> dict[str, Any]:
    return {"order_id": order.id, "approved_by": order.contract_approved_by,
            "approver_role": order.contract_approver_role, "discount": _money(discount(order)),
            "at": _iso(order.contract_approved_at)}


def payment_received(order: Order, payment: Payment) -> dict[str, Any]:
    return {"order_id": order.id, "payment_id": payment.id, "amount": _money(payment.amount), "kind": payment.kind,
            "method": payment.method, "paid_total": _money(order.paid_total),
            "fully_paid": order.paid_total == order.price, "at": _iso(payment.at)}


def order_delivered(order: Order) -> dict[str, Any]:
    customer = {"name": order.customer_name, "phone": order.customer_phone, "id_number": order.customer_id_number}
    return {**_who(order), "customer": customer, "vin": order.vin, "model": order.model, "trim": order.trim,
            "color": order.color, "model_class": order.model_class, "msrp": _money(order.msrp),
            "price": _money(order.price),
            "delivered_at": _iso(order.delivered_at)}


def order_cancelled(order: Order) -> dict[str, Any]:
    return {**_who(order), "vin": order.vin, "reason": order.cancel_reason or "", "refund": _money(order.refund),
            "forfeited": _money(order.forfeited), "cancelled_at": _iso(order.cancelled_at)}

"""Orders' events: orders placed and cancelled (for the funnel and 30-day conversion) and deliveries (sales)."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from reporting.models import OrderFact, SaleFact
from reporting.projections.common import Projector, business_day, business_time, text
from reporting.projections.conversion import order_counts, order_withdrawn, phone_key_of
from reporting.projections.facts import Facts, count


def order_placed(event: dict[str, Any], facts: Facts, tz: ZoneInfo) -> None:
    """An order (订单): counted on its day, and for the 30-day conversion of its lead unless cancelled since.

    The lead is the one it names (the survivor, for a duplicate merged away), else the one filed under
    the customer's phone: by its key, exactly, when the events carry one (``reporting.projections.conversion``).
    """
    data = event["data"]
    placed_at, day = business_time(event, "placed_at"), business_day(event, "placed_at", tz)
    order = facts.row(OrderFact, order_id=text(data, "order_id", event.get("subject", "")))
    if order.placed_at is not None:
        return  # placed once: a second notice (another event id) changes nothing
    count(facts, day, "orders", text(data, "consultant_id"))
    order.lead_id, order.placed_day, order.placed_at = text(data, "lead_id") or None, day, placed_at
    order.phone = text(data, "customer_phone_masked")[:20] or None
    order.phone_key = phone_key_of(data, "customer_phone_key")
    if not order.cancelled:
        order_counts(facts, order)


def order_cancelled(event: dict[str, Any], facts: Facts, tz: ZoneInfo) -> None:
    """Cancelled before delivery: the order counts for no lead's conversion (whichever notice came first)."""
    order = facts.row(OrderFact, order_id=text(event["data"], "order_id", event.get("subject", "")))
    if order.cancelled:
        return
    order.cancelled = True
    order_withdrawn(facts, order)


def order_delivered(event: dict[str, Any], facts: Facts, tz: ZoneInfo) -> None:
    """A delivery (交车): one unit sold at its price, credited to the consultant."""
    data = event["data"]
    order_id = text(data, "order_id", event.get("subject", ""))
    if facts.find(SaleFact, order_id=order_id) is not None:
        return  # an order is delivered once; a second notice adds no unit
    day = business_day(event, "delivered_at", tz)
    sale = facts.row(SaleFact, order_id=order_id)
    sale.delivered_at, sale.day = business_time(event, "delivered_at"), day
    sale.consultant_id, sale.lead_id = text(data, "consultant_id"), data.get("lead_id")
    sale.model, sale.trim, sale.color = text(data, "model"), text(data, "trim"), text(data, "color")
    sale.price = _money(data.get("price"))
    sale.model_class = _model_class(data.get("model_class"))
    count(facts, day, "deliveries", sale.consultant_id)


def _money(value: Any) -> Decimal:
    try:
        return Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        return Decimal("0.00")


def _model_class(value: Any) -> str | None:
    """The model's class (车型大类) when orders sent one; deliveries before it did carry none."""
    return value[:20] if isinstance(value, str) and value else None


PROJECTORS: dict[str, Projector] = {
    "orders.order.placed": order_placed,
    "orders.order.delivered": order_delivered,
    "orders.order.cancelled": order_cancelled,
}

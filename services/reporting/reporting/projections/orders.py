"""Orders' events: orders placed (for the funnel and 30-day conversion) and deliveries (sales)."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from reporting.dates import aware
from reporting.domain import converted_within_30_days
from reporting.models import OrderFact, SaleFact
from reporting.projections.common import Projector, business_day, business_time, earliest, resolve_lead, text
from reporting.projections.facts import Facts, count


def order_placed(event: dict[str, Any], facts: Facts, tz: ZoneInfo) -> None:
    """An order (订单); its lead's first order decides the 30-day conversion, cancelled or not.

    An order naming a duplicate merged away counts for the survivor (``resolve_lead``).
    """
    data = event["data"]
    placed_at, day = business_time(event, "placed_at"), business_day(event, "placed_at", tz)
    count(facts, day, "orders", text(data, "consultant_id"))
    order = facts.row(OrderFact, order_id=text(data, "order_id", event.get("subject", "")))
    order.lead_id, order.placed_day = text(data, "lead_id") or None, day
    if data.get("lead_id"):
        lead = resolve_lead(facts, str(data["lead_id"]))
        lead.first_order_at = earliest(_aware(lead.first_order_at), placed_at)
        lead.converted_30d = converted_within_30_days(_aware(lead.created_at), lead.first_order_at)


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


def _aware(moment: Any) -> Any:
    return aware(moment) if moment is not None else None


PROJECTORS: dict[str, Projector] = {
    "orders.order.placed": order_placed,
    "orders.order.delivered": order_delivered,
}

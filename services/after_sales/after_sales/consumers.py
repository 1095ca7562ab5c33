"""Handlers of the events the after-sales service consumes (tolerant readers).

Each handler reads the fields it needs into a typed value (unknown fields are
ignored) and calls the use case; the business steps live in the services modules.
A delivered order (交车) opens the customer's file. The runner applies each event
once (its id is kept in the inbox in the same transaction); the use case also
ignores a delivery whose car or order is already on file, so a second envelope
for the same delivery cannot open a second file either.
"""
from __future__ import annotations

import logging
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy.orm import Session

from after_sales.customers.services import Delivery, Registration, open_file_on_delivery, record_registration
from after_sales.policy import load_policy, store_zone
from shared.domain import InvalidInput
from shared.privacy import normalise_phone, validate_id_number

log = logging.getLogger("after_sales.consumers")


def _money(raw: Any, field: str) -> Decimal:
    """A non-negative amount to the cent; anything else is a bad event naming the field."""
    try:
        amount = Decimal(str(raw))
    except InvalidOperation:
        raise InvalidInput(field, "is not an amount") from None
    if not amount.is_finite() or amount < 0:
        raise InvalidInput(field, "is not an amount")
    return amount.quantize(Decimal("0.01"))


def _instant(raw: Any, field: str) -> datetime:
    """An ISO 8601 instant, always aware."""
    try:
        moment = datetime.fromisoformat(str(raw))
    except ValueError:
        raise InvalidInput(field, "is not an ISO 8601 time") from None
    # The platform stores UTC; a producer that lost the offset on the way out still meant UTC.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _vin(raw: Any) -> str:
    """The car's VIN as stored: 17 characters, upper case (inventory already checked its check digit)."""
    vin = str(raw or "").strip().upper()
    if len(vin) != 17:
        raise InvalidInput("vin", "must be 17 characters")
    return vin


def _id_number(raw: Any, order_id: str) -> str | None:
    """Keep a valid ID number; a malformed one is left out rather than blocking the file."""
    if not raw:
        return None
    try:
        return validate_id_number(str(raw))
    except InvalidInput:
        log.warning("delivery of order %s carries a malformed ID number; file opened without it", order_id)
        return None


def delivery_from_event(event: dict[str, Any]) -> Delivery:
    """Read the fields a customer file needs from ``orders.order.delivered``; ignore the rest."""
    data = event["data"]
    customer = data.get("customer") or {}
    order_id = str(data.get("order_id") or event["subject"])
    return Delivery(
        order_id=order_id,
        consultant_id=str(data.get("consultant_id") or ""),
        name=str(customer.get("name") or "").strip()[:100],
        phone=normalise_phone(str(customer.get("phone") or ""), "customer.phone"),
        id_number=_id_number(customer.get("id_number"), order_id),
        vin=_vin(data.get("vin")),
        model=str(data.get("model") or ""),
        trim=str(data.get("trim") or ""),
        color=str(data.get("color") or ""),
        price=_money(data.get("price"), "price"),
        delivered_at=_instant(data.get("delivered_at"), "delivered_at"),
    )


def order_delivered(session: Session, event: dict[str, Any]) -> None:
    """The car was handed over: open the customer file, or add the car to theirs."""
    open_file_on_delivery(session, delivery_from_event(event), load_policy(), store_zone())


def _day(raw: Any) -> date | None:
    """An ISO date, or None when absent or unreadable (the plate matters; the day is for the record)."""
    try:
        return date.fromisoformat(str(raw)[:10]) if raw else None
    except ValueError:
        return None


def registration_from_event(event: dict[str, Any]) -> Registration:
    """Read ``orders.vehicle.registered``: the car and its plate (``plate_no``); ``by`` is not needed here."""
    data = event["data"]
    plate = str(data.get("plate_no") or "").strip()
    if not plate:
        raise InvalidInput("plate_no", "is missing")
    return Registration(order_id=str(data.get("order_id") or event.get("subject") or ""), vin=_vin(data.get("vin")),
                        plate=plate, registered_on=_day(data.get("registered_on")))


def vehicle_registered(session: Session, event: dict[str, Any]) -> None:
    """The car was registered (上牌): its plate goes on the customer's file."""
    record_registration(session, registration_from_event(event))


HANDLERS = {
    "orders.order.delivered": order_delivered,
    "orders.vehicle.registered": vehicle_registered,
}

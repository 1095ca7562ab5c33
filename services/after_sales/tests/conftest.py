"""Fixtures of the after-sales tests: the app on a fresh, migrated database, callers by role,
and deliveries built the way the orders service announces them."""
from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from after_sales.consumers import order_delivered
from contracts import contract_errors
from dealer_testing import service_app
from shared.envelope import make_event
from shared.outbox import OutboxEvent

BEIJING = timezone(timedelta(hours=8))
VIN = "LSVAU2182N2183290"


def vin_for(number: int) -> str:
    """A distinct 17-character VIN per number (after-sales takes inventory's word for the check digit)."""
    return f"LSVTEST{number:010d}"


def delivered_event(order_id: str | None = None, phone: str = "13812345678", vin: str | None = None,
                    delivered_at: datetime | None = None, price: str = "189900.00",
                    name: str = "Wang Lei", id_number: str | None = "110101199003074514",
                    consultant_id: str = "c1") -> dict[str, Any]:
    """An ``orders.order.delivered`` envelope exactly as the orders contract describes it."""
    order_id = order_id or str(uuid.uuid4())
    data = {
        "order_id": order_id, "lead_id": None, "consultant_id": consultant_id,
        "customer": {"name": name, "phone": phone, "id_number": id_number},
        "vin": vin or VIN, "model": "Aurora", "trim": "2.0T Luxury", "color": "white",
        "msrp": "199900.00", "price": price,
        "delivered_at": (delivered_at or datetime.now(BEIJING)).isoformat(),
    }
    event = make_event("orders", "orders.order.delivered", order_id, data)
    assert contract_errors(event) == [], contract_errors(event)
    return event


@pytest.fixture
def delivery_event() -> Callable[..., dict[str, Any]]:
    """Build ``orders.order.delivered`` envelopes (see ``delivered_event``)."""
    return delivered_event


@pytest.fixture
def app(database_url: str, dealer_env: dict[str, str]) -> Iterator[Flask]:
    """The after-sales app on a fresh database, once on SQLite and once on PostgreSQL."""
    yield from service_app("after_sales", database_url)




@pytest.fixture
def deliver(app: Flask) -> Callable[..., dict[str, Any]]:
    """Apply a delivery event through the consumer's handler in one transaction, as the runner does."""
    def apply(event: dict[str, Any] | None = None, **fields: Any) -> dict[str, Any]:
        event = event or delivered_event(**fields)
        with app.extensions["dealer"].sessions() as session, session.begin():
            order_delivered(session, event)
        return event
    return apply


WALK_IN = {"name": "Zhao Min", "phone": "13900001111", "address": "上海市浦东新区世纪大道100号",
           "vehicle": {"vin": "LSVWALK0000000001", "model": "Corolla", "plate": "沪A 12345", "mileage_km": 42000}}


def walk_in_body(**fields: Any) -> dict[str, Any]:
    """A walk-in owner's filing (a car bought elsewhere), with ``vehicle`` fields merged."""
    vehicle = {**WALK_IN["vehicle"], **fields.pop("vehicle", {})}
    return {**WALK_IN, **fields, "vehicle": vehicle}


@pytest.fixture
def outbox(app: Flask) -> Callable[[], list[dict[str, Any]]]:
    """Every event the service wrote, oldest first."""
    def read() -> list[dict[str, Any]]:
        with app.extensions["dealer"].sessions() as session:
            rows = session.scalars(select(OutboxEvent).order_by(OutboxEvent.position))
            return [json.loads(row.body) for row in rows]
    return read


@pytest.fixture
def walk_in() -> Callable[..., dict[str, Any]]:
    """Build walk-in filings (see ``walk_in_body``)."""
    return walk_in_body

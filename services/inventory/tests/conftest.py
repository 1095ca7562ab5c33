"""Fixtures of the inventory tests: the app on a fresh, migrated database, callers by role, cars, order events."""
from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from dealer_testing import service_app
from inventory.consumers import HANDLERS
from inventory.vin import check_digit
from shared.envelope import make_event
from shared.outbox import OutboxEvent

_serials = itertools.count(1)


def make_vin(prefix: str = "LSVAU2180N2") -> str:
    """A fresh VIN with a correct check digit (ISO 3779)."""
    draft = f"{prefix}{next(_serials):06d}"
    return draft[:8] + check_digit(draft) + draft[9:]


@pytest.fixture
def new_vin() -> Callable[[], str]:
    """Make fresh VINs with correct check digits."""
    return make_vin


@pytest.fixture
def app(database_url: str, dealer_env: dict[str, str]) -> Iterator[Flask]:
    """The inventory app on a fresh database, once on SQLite and once on PostgreSQL."""
    yield from service_app("inventory", database_url)




@pytest.fixture
def clerk(as_role: Callable[..., Any]) -> Any:
    return as_role("inventory_clerk", "k1")


@pytest.fixture
def receive(clerk: Any) -> Callable[..., dict[str, Any]]:
    """Receive a car (and inspect it, passed, unless told not to); returns its JSON."""
    def arrive(model: str = "Aurora", trim: str = "2.0T Luxury", color: str = "white", kind: str = "stock",
               inspect: bool = True, **extra: Any) -> dict[str, Any]:
        body = {"vin": make_vin(), "model": model, "trim": trim, "color": color, "msrp": "199900.00",
                "cost": "171000.00", "kind": kind, "location": "main", **extra}
        response = clerk.post("/api/v1/vehicles", json=body)
        assert response.status_code == 201, response.get_json()
        if not inspect:
            return dict(response.get_json())
        inspected = clerk.post(f"/api/v1/vehicles/{body['vin']}/inspection", json={"passed": True})
        assert inspected.status_code == 200, inspected.get_json()
        return dict(inspected.get_json())
    return arrive


@pytest.fixture
def deliver_event(app: Flask) -> Callable[..., None]:
    """Apply an order event to inventory as its consumer would: one transaction, through the handler."""
    def apply(routing_key: str, order_id: str, **data: Any) -> None:
        envelope = make_event("orders", routing_key, order_id, {"order_id": order_id, **data})
        with app.extensions["dealer"].sessions() as session, session.begin():
            HANDLERS[routing_key](session, envelope)
    return apply


@pytest.fixture
def place(deliver_event: Callable[..., None]) -> Callable[..., None]:
    """``orders.order.placed`` for a white Aurora 2.0T Luxury unless told otherwise."""
    def placed(order_id: str, model: str = "Aurora", trim: str = "2.0T Luxury", color: str = "white",
               vin: str | None = None, placed_at: datetime | None = None) -> None:
        at = (placed_at or datetime.now().astimezone()).isoformat()
        deliver_event("orders.order.placed", order_id, model=model, trim=trim, color=color, vin=vin, placed_at=at,
                      lead_id=None, consultant_id="c1", msrp="199900.00", price="189900.00", deposit="5000.00",
                      payment_method="cash", customer_phone_masked="138****5678")
    return placed


def outbox_events(app: Flask) -> list[dict[str, Any]]:
    """Every event the service has written, oldest first."""
    with app.extensions["dealer"].sessions() as session:
        return [json.loads(row.body) for row in session.scalars(select(OutboxEvent).order_by(OutboxEvent.position))]


@pytest.fixture
def published(app: Flask) -> Callable[..., list[dict[str, Any]]]:
    """The events written so far, optionally only those of one routing key."""
    def events(routing_key: str | None = None) -> list[dict[str, Any]]:
        found = outbox_events(app)
        if routing_key is None:
            return found
        return [e for e in found if e["type"] == f"dealer.{routing_key}.v1"]
    return events

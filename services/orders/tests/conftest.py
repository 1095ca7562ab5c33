"""Fixtures of the orders tests: the app on a fresh, migrated database, callers by role, orders, inventory's answers."""
from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from dealer_testing import service_app
from orders.consumers import HANDLERS
from shared.envelope import make_event
from shared.outbox import OutboxEvent

VIN = "LSVAU2182N2183290"
ALL_PASSED = {"exterior": True, "interior": True, "fuel": True, "accessories": True, "documents": True, "keys": True}


def order_body(**changes: Any) -> dict[str, Any]:
    """The example order of the contract: a white Aurora, 189900.00 with 5000.00 deposit."""
    return {"lead_id": "L-1", "customer": {"name": "Wang Lei", "phone": "13812345678",
                                           "id_number": "110101199003074514"},
            "vehicle": {"model": "Aurora", "trim": "2.0T Luxury", "color": "white"},
            "msrp": "199900.00", "price": "189900.00", "deposit": "5000.00", "payment_method": "cash",
            "special_requests": "floor mats", **changes}


@pytest.fixture
def body() -> Callable[..., dict[str, Any]]:
    """The example order's JSON, with changes."""
    return order_body


@pytest.fixture
def app(database_url: str, dealer_env: dict[str, str]) -> Iterator[Flask]:
    """The orders app on a fresh database, once on SQLite and once on PostgreSQL."""
    yield from service_app("orders", database_url)




@pytest.fixture
def consultant(as_role: Callable[..., Any]) -> Any:
    return as_role("consultant", "c1")


@pytest.fixture
def manager(as_role: Callable[..., Any]) -> Any:
    return as_role("sales_manager", "m1")


@pytest.fixture
def back_office(as_role: Callable[..., Any]) -> Any:
    return as_role("back_office", "b1")


@pytest.fixture
def place(consultant: Any) -> Callable[..., dict[str, Any]]:
    """Place an order as consultant c1 and return its JSON (fails the test if placing fails)."""
    def placed(**changes: Any) -> dict[str, Any]:
        response = consultant.post("/api/v1/orders", json=order_body(**changes))
        assert response.status_code == 201, response.get_json()
        return dict(response.get_json())
    return placed


@pytest.fixture
def approve(consultant: Any, back_office: Any, manager: Any) -> Callable[[str], dict[str, Any]]:
    """Draft the contract, have the back office pass its review and, over the discount limit, a manager approve.

    The example order's discount is 199900.00 - 189900.00 = 10000.00, over the 5000.00 limit: both steps."""
    def approved(order_id: str) -> dict[str, Any]:
        assert consultant.post(f"/api/v1/orders/{order_id}/contract").status_code == 201
        review = back_office.post(f"/api/v1/orders/{order_id}/contract/review", json={"passed": True})
        assert review.status_code == 200, review.get_json()
        if review.get_json()["status"] == "reviewed":
            review = manager.post(f"/api/v1/orders/{order_id}/contract/approve")
            assert review.status_code == 200, review.get_json()
        return dict(review.get_json())
    return approved


def compulsory_policy(**changes: Any) -> dict[str, Any]:
    """A compulsory policy (交强险) covering the last 30 days and the next 335: any delivery day a test picks."""
    today = date.today()
    return {"insurer": "PICC", "policy_no": f"JQX-{uuid.uuid4().hex[:12]}", "kind": "compulsory", "premium": "950.00",
            "starts_on": (today - timedelta(days=30)).isoformat(),
            "ends_on": (today + timedelta(days=335)).isoformat(), **changes}


@pytest.fixture
def insure(back_office: Any) -> Callable[..., dict[str, Any]]:
    """Record a compulsory policy for the order (delivery needs one covering the day)."""
    def insured(order_id: str, **changes: Any) -> dict[str, Any]:
        response = back_office.post(f"/api/v1/orders/{order_id}/insurance", json=compulsory_policy(**changes))
        assert response.status_code == 201, response.get_json()
        return dict(response.get_json())
    return insured


@pytest.fixture
def pay_off(approve: Callable[[str], dict[str, Any]], insure: Callable[..., dict[str, Any]],
            back_office: Any) -> Callable[[str], None]:
    """Ready an example order for delivery: contract approved, insured, balance 189900.00 - 5000.00 = 184900.00 paid."""
    def paid(order_id: str) -> None:
        approve(order_id)
        insure(order_id)
        balance = back_office.post(f"/api/v1/orders/{order_id}/payments",
                                   json={"amount": "184900.00", "method": "bank_transfer", "kind": "balance"})
        assert balance.status_code == 201 and balance.get_json()["order_status"] == "paid", balance.get_json()
    return paid


@pytest.fixture
def inventory_says(app: Flask) -> Callable[..., None]:
    """Apply an inventory event to orders as its consumer would: one transaction, through the handler."""
    def apply(routing_key: str, order_id: str, **data: Any) -> None:
        subject = data.get("vin") or order_id
        envelope = make_event("inventory", routing_key, subject, {"order_id": order_id, **data})
        with app.extensions["dealer"].sessions() as session, session.begin():
            HANDLERS[routing_key](session, envelope)
    return apply


@pytest.fixture
def reserved(place: Callable[..., dict[str, Any]], inventory_says: Callable[..., None]) -> Callable[..., str]:
    """An order placed and reserved with ``VIN``; returns its id."""
    def order(**changes: Any) -> str:
        order_id = str(place(**changes)["id"])
        inventory_says("inventory.vehicle.reserved", order_id, vin=VIN, model="Aurora", trim="2.0T Luxury",
                       color="white", at="2026-11-22T10:00:00+00:00")
        return order_id
    return order


@pytest.fixture
def published(app: Flask) -> Callable[..., list[dict[str, Any]]]:
    """The events written so far, optionally only those of one routing key."""
    def events(routing_key: str | None = None) -> list[dict[str, Any]]:
        with app.extensions["dealer"].sessions() as session:
            rows = session.scalars(select(OutboxEvent).order_by(OutboxEvent.position))
            found = [json.loads(row.body) for row in rows]
        return [e for e in found if routing_key is None or e["type"] == f"dealer.{routing_key}.v1"]
    return events

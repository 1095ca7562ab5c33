"""Helpers of the end-to-end tests: callers of a running service by role, cars with valid VINs, a second database."""
from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests

from dealer_testing import create_postgres_database, drop_postgres_database, json_of, token
from inventory.vin import check_digit

_serials = itertools.count(1)
CAR = {"model": "Aurora", "trim": "2.0T Luxury", "color": "white", "msrp": "199900.00", "cost": "171000.00",
       "kind": "stock", "location": "main"}


def make_vin(prefix: str = "LSVAU2180N2") -> str:
    """A fresh VIN with a correct check digit (ISO 3779)."""
    draft = f"{prefix}{next(_serials):06d}"
    return draft[:8] + check_digit(draft) + draft[9:]


class Caller:
    """One member of staff calling one running service over HTTP."""

    def __init__(self, base_url: str, role: str, sub: str) -> None:
        self.base_url, self.headers = base_url, token(role, sub)

    def get(self, path: str) -> requests.Response:
        return requests.get(f"{self.base_url}{path}", headers=self.headers, timeout=10)

    def post(self, path: str, body: dict[str, Any] | None = None) -> requests.Response:
        return requests.post(f"{self.base_url}{path}", json=body or {}, headers=self.headers, timeout=30)

    def json(self, path: str) -> Any:
        return json_of(self.get(path))


@pytest.fixture
def caller() -> Callable[[Any, str, str], Caller]:
    """``caller(running_service, role, sub)``."""
    return lambda service, role, sub: Caller(service.url, role, sub)


def _receive_car(clerk: Caller, passed: bool = True, **changes: Any) -> str:
    """A car arrives and is inspected (passed unless told otherwise); returns its VIN."""
    vin = changes.pop("vin", None) or make_vin()
    response = clerk.post("/api/v1/vehicles", {**CAR, "vin": vin, **changes})
    assert response.status_code == 201, response.text
    inspection = {"passed": passed, "notes": "" if passed else "scratch on the bonnet"}
    assert clerk.post(f"/api/v1/vehicles/{vin}/inspection", inspection).status_code == 200
    return vin


def _order_body(lead_id: str | None = None, phone: str = "13812345678", **changes: Any) -> dict[str, Any]:
    """The contract's example order, for a white Aurora."""
    return {"lead_id": lead_id, "customer": {"name": "Wang Lei", "phone": phone, "id_number": "110101199003074514"},
            "vehicle": {"model": "Aurora", "trim": "2.0T Luxury", "color": "white"}, "msrp": "199900.00",
            "price": "189900.00", "deposit": "5000.00", "payment_method": "cash", "special_requests": "floor mats",
            **changes}


@pytest.fixture
def second_postgres_url(postgres_admin_url: str) -> Iterator[str]:
    """Another fresh PostgreSQL database (each service owns its own)."""
    url = create_postgres_database(postgres_admin_url)
    try:
        yield url
    finally:
        drop_postgres_database(postgres_admin_url, url)


@pytest.fixture
def receive_car() -> Callable[..., str]:
    """``receive_car(clerk, passed=True, **changes)``: a car arrives and is inspected; returns its VIN."""
    return _receive_car


@pytest.fixture
def order_body() -> Callable[..., dict[str, Any]]:
    """``order_body(lead_id, phone, **changes)``: the contract's example order."""
    return _order_body


@pytest.fixture
def new_vin() -> Callable[[], str]:
    """Make fresh VINs with correct check digits."""
    return make_vin

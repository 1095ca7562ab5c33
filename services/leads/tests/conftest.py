"""Fixtures of the leads tests: the app on a fresh, migrated database, and callers by role."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from leads.app import create_app
from shared.db import dispose_engines
from shared.testing import DEFAULT_SECRET, migrate, token


@pytest.fixture
def app(database_url: str, dealer_env: dict[str, str]) -> Iterator[Flask]:
    """The leads app on a fresh database, once on SQLite and once on PostgreSQL."""
    migrate("leads", database_url)
    yield create_app({"DATABASE_URL": database_url, "JWT_SECRET": DEFAULT_SECRET, "TESTING": True})
    dispose_engines()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def as_role(client: FlaskClient) -> Callable[..., Any]:
    """Call the API as a role: ``as_role("consultant", "c1").post(url, json=...)``."""
    class Caller:
        def __init__(self, role: str, sub: str) -> None:
            self.headers = token(role, sub)

        def get(self, url: str, **kw: Any) -> Any:
            return client.get(url, headers={**self.headers, **kw.pop("headers", {})}, **kw)

        def post(self, url: str, **kw: Any) -> Any:
            return client.post(url, headers={**self.headers, **kw.pop("headers", {})}, **kw)

    return Caller


@pytest.fixture
def new_lead() -> Callable[..., dict[str, Any]]:
    """File a lead and return its JSON (fails the test if filing fails)."""
    def file(caller: Any, phone: str = "13812345678", source: str = "phone_in", **extra: Any) -> dict[str, Any]:
        body = {"name": "Wang Lei", "phone": phone, "source": source, "model_interest": "Aurora", **extra}
        response = caller.post("/api/v1/leads", json=body)
        assert response.status_code == 201, response.get_json()
        return dict(response.get_json())
    return file

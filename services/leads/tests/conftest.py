"""Fixtures of the leads tests: the app on a fresh, migrated database, and callers by role."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask

from dealer_testing import service_app


@pytest.fixture
def app(database_url: str, dealer_env: dict[str, str]) -> Iterator[Flask]:
    """The leads app on a fresh database, once on SQLite and once on PostgreSQL."""
    yield from service_app("leads", database_url)




@pytest.fixture
def new_lead() -> Callable[..., dict[str, Any]]:
    """File a lead and return its JSON (fails the test if filing fails)."""
    def file(caller: Any, phone: str = "13812345678", source: str = "phone_in", **extra: Any) -> dict[str, Any]:
        body = {"name": "Wang Lei", "phone": phone, "source": source, "model_interest": "Aurora", **extra}
        response = caller.post("/api/v1/leads", json=body)
        assert response.status_code == 201, response.get_json()
        return dict(response.get_json())
    return file

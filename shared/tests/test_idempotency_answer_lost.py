"""An Idempotency-Key whose work committed but whose answer was lost with the database is never done twice."""
from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask, g, request
from flask.testing import FlaskClient
from flask_smorest import Blueprint
from sqlalchemy import func, select

from dealer_testing import DEFAULT_SECRET, token
from shared.db import SharedBase, dispose_engines, get_engine, session_factory
from shared.envelope import make_event
from shared.outbox import OutboxEvent, record_event
from shared.web import idempotency
from shared.web.app import build_app, db, settings
from shared.web.auth import require

probe = Blueprint("answer_lost_probe", __name__, url_prefix="/api/v1")


@probe.post("/sales")
@probe.response(201)
@require("consultant")
def record_sale() -> dict[str, Any]:
    """Do the work; with ``X-Lose-Answer`` the database is locked right after it commits."""
    record_event(db(), make_event("probe", "orders.order.delivered", "o1", {}))
    db().commit()
    if request.headers.get("X-Lose-Answer"):
        g.lock = sqlite3.connect(settings().database_url.removeprefix("sqlite:///"), isolation_level=None)
        g.lock.execute("BEGIN EXCLUSIVE")
    return {}


def _release(_exc: BaseException | None) -> None:
    lock = g.pop("lock", None)
    if lock is not None:
        lock.execute("ROLLBACK")
        lock.close()


@pytest.fixture
def app(tmp_path: Any) -> Iterator[Flask]:
    url = f"sqlite:///{tmp_path / 'probe.db'}"
    SharedBase.metadata.create_all(get_engine(url))
    app = build_app("probe", "Probe", [probe], {"DATABASE_URL": url, "JWT_SECRET": DEFAULT_SECRET})
    app.teardown_request(_release)  # runs after the key's answer failed to be stored
    yield app
    dispose_engines()


def test_a_key_whose_answer_was_lost_after_the_work_committed_is_never_done_twice(
        app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(idempotency, "ABANDONED_AFTER", timedelta(0))  # any unanswered key counts as abandoned
    monkeypatch.setattr(idempotency, "WAIT_FOR_FIRST", 0.3)
    client: FlaskClient = app.test_client()
    headers = {**token("consultant", "c1"), "Idempotency-Key": "sale-1"}

    first = client.post("/api/v1/sales", headers={**headers, "X-Lose-Answer": "1"})
    again = client.post("/api/v1/sales", headers=headers)

    assert first.status_code == 201
    assert again.status_code == 409 and again.json["detail"].startswith("Request already carried out")
    with session_factory(app.extensions["dealer"].settings.database_url)() as session:
        assert session.scalar(select(func.count()).select_from(OutboxEvent)) == 1

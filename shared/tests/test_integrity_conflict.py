"""A write the database refuses for a unique constraint answers 409 problem+json, never a 500.

A probe service built on the platform's app factory files customers by phone with no check of its own
(as a route that raced past its check would): the second filing of a phone reaches the database's unique
index, on SQLite and on PostgreSQL. The answer names the column, never the phone, and the request's
session is rolled back so the work after the error (here an ``after_request`` reading the database) runs.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask, Response, request
from flask.testing import FlaskClient
from sqlalchemy import ForeignKey, Integer, String, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.db import dispose_engines, get_engine, session_factory
from shared.web.app import build_app, db
from shared.web.blueprint import Blueprint

PHONE = "13912345678"


class ProbeBase(DeclarativeBase):
    """Tables of the probe service only."""


class ProbeCustomer(ProbeBase):
    __tablename__ = "probe_customers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    phone: Mapped[str] = mapped_column(String(11), unique=True)


class ProbeCar(ProbeBase):
    __tablename__ = "probe_cars"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("probe_customers.id"))


def probe_blueprint() -> Blueprint:
    blp = Blueprint("probe", __name__, url_prefix="/api/v1")

    @blp.route("/customers", methods=["POST"])
    def file_customer() -> tuple[dict[str, Any], int]:
        session = db()
        customer = ProbeCustomer(phone=request.get_json()["phone"])
        session.add(customer)
        session.commit()  # no check first: the unique index decides, as in a race
        return {"id": customer.id}, 201

    @blp.route("/cars", methods=["POST"])
    def add_car() -> tuple[dict[str, Any], int]:
        session = db()
        car = ProbeCar(customer_id=request.get_json()["customer_id"])
        session.add(car)
        session.commit()
        return {"id": car.id}, 201

    return blp


@pytest.fixture
def probe(database_url: str, dealer_env: dict[str, str]) -> Iterator[tuple[Flask, FlaskClient]]:
    """The probe app on a fresh database (SQLite, then PostgreSQL), with a hook that reads after each request."""
    ProbeBase.metadata.create_all(get_engine(database_url))  # SQLite's foreign keys are on (shared.db)
    app = build_app("leads", "Probe", [probe_blueprint()], {"DATABASE_URL": database_url, "TESTING": True})

    @app.after_request
    def count_customers(response: Response) -> Response:
        response.headers["X-Customers"] = str(len(db().scalars(select(ProbeCustomer.id)).all()))
        return response

    yield app, app.test_client()
    dispose_engines()


def test_a_unique_violation_nobody_caught_answers_409_problem_json_naming_the_column(probe) -> None:
    _, client = probe
    first = client.post("/api/v1/customers", json={"phone": PHONE})
    second = client.post("/api/v1/customers", json={"phone": PHONE})
    assert first.status_code == 201
    assert second.status_code == 409 and second.mimetype == "application/problem+json"
    body = second.get_json()
    assert body["status"] == 409 and body["title"] == "Conflict"
    assert body["errors"] == {"phone": ["another record already has this value"]}
    assert "phone" in body["detail"] and PHONE not in second.get_data(as_text=True)


def test_after_a_unique_violation_the_request_session_is_rolled_back_and_usable(probe) -> None:
    _, client = probe
    client.post("/api/v1/customers", json={"phone": PHONE})
    second = client.post("/api/v1/customers", json={"phone": PHONE})
    assert second.status_code == 409
    assert second.headers["X-Customers"] == "1"  # the after_request read worked: the session was rolled back
    assert client.post("/api/v1/customers", json={"phone": "13912345679"}).status_code == 201


def test_a_reference_to_a_record_that_does_not_exist_answers_409_not_500(probe) -> None:
    _, client = probe
    answer = client.post("/api/v1/cars", json={"customer_id": 424242})
    assert answer.status_code == 409 and answer.mimetype == "application/problem+json"
    assert "does not exist" in answer.get_json()["detail"]


def test_database_errors_never_quote_the_bound_parameters(database_url: str) -> None:
    """hide_parameters: SQLAlchemy's text of a failed statement leaves the values out."""
    engine = get_engine(database_url)
    ProbeBase.metadata.create_all(engine)
    sessions = session_factory(database_url)
    with sessions() as session:
        session.add(ProbeCustomer(phone=PHONE))
        session.commit()
    with sessions() as session, pytest.raises(IntegrityError) as raised:
        session.add(ProbeCustomer(phone=PHONE))
        session.commit()
    text = str(raised.value)
    assert "[SQL parameters hidden due to hide_parameters=True]" in text
    assert "[parameters:" not in text
    if engine.dialect.name == "sqlite":
        assert PHONE not in text  # PostgreSQL's own DETAIL still quotes the key: the log formatter masks it
    dispose_engines()

"""The web kernel's answers to hostile input (found by the security suite's generated requests)."""
from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import marshmallow as ma
import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_smorest import Blueprint

from dealer_testing import DEFAULT_SECRET, token
from shared.db import SharedBase, dispose_engines, get_engine
from shared.envelope import make_event
from shared.outbox import assign_feed_positions, record_event
from shared.web.app import build_app, db
from shared.web.auth import require
from shared.web.feed import feed
from shared.web.fields import Money, Phone

probe = Blueprint("probe", __name__, url_prefix="/api/v1")


class ItemsIn(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(ma.Schema.from_dict({"n": ma.fields.Integer(required=True)})))
    phone = Phone()
    price = Money()


@probe.post("/items")
@probe.arguments(ItemsIn)
@probe.response(200)
@require("consultant")
def take_items(data: dict[str, Any]) -> dict[str, Any]:
    """Count what was sent."""
    return {"count": len(data.get("items", []))}


@probe.post("/delivered")
@probe.response(201)
@require("consultant")
def deliver() -> dict[str, Any]:
    """Record an event carrying a customer's full numbers, as orders' delivery does."""
    record_event(db(), make_event("probe", "orders.order.delivered", "o1", {
        "customer": {"name": "Wang Lei", "phone": "13812345678", "id_number": "110101199003074514"}}))
    db().commit()
    return {}


@pytest.fixture
def client(tmp_path: Any) -> Iterator[FlaskClient]:
    url = f"sqlite:///{tmp_path / 'probe.db'}"
    SharedBase.metadata.create_all(get_engine(url))
    app: Flask = build_app("probe", "Probe", [probe, feed], {"DATABASE_URL": url, "JWT_SECRET": DEFAULT_SECRET})
    yield app.test_client()
    dispose_engines()


def test_json_nested_past_the_parsers_reach_is_400_not_a_crash(client: FlaskClient) -> None:
    response = client.post("/api/v1/items", data="[" * 100_000 + "]" * 100_000, content_type="application/json",
                           headers=token("consultant"))
    assert response.status_code == 400 and response.mimetype == "application/problem+json"


def test_a_hundred_thousand_item_list_is_refused_at_once_naming_the_field(client: FlaskClient) -> None:
    response = client.post("/api/v1/items", json={"items": ["x"] * 100_000}, headers=token("consultant"))
    assert response.status_code == 422 and list(response.get_json()["errors"]) == ["items"]
    assert len(response.data) < 1000  # one message, not one per item
    assert client.post("/api/v1/items", json={"items": [{"n": 1}] * 1000},
                       headers=token("consultant")).get_json() == {"count": 1000}


def test_a_nul_character_anywhere_in_a_body_is_422_naming_its_field(client: FlaskClient) -> None:
    # PostgreSQL cannot store U+0000 in text: refused before any schema or insert meets it
    nested = client.post("/api/v1/items", json={"items": [{"n": 1}, {"n": 2, "note": "a\u0000b"}]},
                         headers=token("consultant"))
    assert nested.status_code == 422 and nested.mimetype == "application/problem+json"
    assert list(nested.get_json()["errors"]) == ["items.1.note"]
    in_a_key = client.post("/api/v1/items", json={"ph\u0000one": "13812345678"}, headers=token("consultant"))
    assert in_a_key.status_code == 422 and list(in_a_key.get_json()["errors"]) == ["ph\u0000one"]
    assert client.post("/api/v1/items", json={"items": [{"n": 1}]},
                       headers=token("consultant")).get_json() == {"count": 1}


def test_a_nul_character_in_the_query_string_is_422_naming_the_parameter(client: FlaskClient) -> None:
    response = client.get("/api/v1/events?after=1%00", headers=token("ops"))
    assert response.status_code == 422 and list(response.get_json()["errors"]) == ["after"]


def test_the_size_check_comes_after_the_token_check(client: FlaskClient) -> None:
    assert client.post("/api/v1/items", json={"items": [1] * 100_000}).status_code == 401


def test_a_feed_cursor_past_the_largest_stored_position_is_422(client: FlaskClient) -> None:
    response = client.get(f"/api/v1/events?after={2**70}", headers=token("ops"))
    assert response.status_code == 422 and "after" in response.get_json()["errors"]


def test_the_feed_shows_full_numbers_only_to_other_departments_and_managers(client: FlaskClient,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    assert client.post("/api/v1/delivered", headers=token("consultant")).status_code == 201
    with client.application.extensions["dealer"].sessions() as session:
        assign_feed_positions(session)  # the relay's first step each round; no worker runs here
    seen = {role: json.dumps(client.get("/api/v1/events", headers=token(role)).get_json())
            for role in ("service", "sales_manager", "ops")}
    assert "13812345678" in seen["service"] and "110101199003074514" in seen["sales_manager"]
    assert "13812345678" not in seen["ops"] and "110101199003074514" not in seen["ops"]
    assert "138****5678" in seen["ops"] and "110101********4514" in seen["ops"]


def test_money_and_phones_are_documented_as_the_strings_they_are(client: FlaskClient) -> None:
    fields = client.get("/openapi.json").get_json()["components"]["schemas"]["ItemsIn"]["properties"]
    assert fields["price"]["type"] == "string" and fields["price"]["example"] == "189900.00"
    assert fields["phone"]["pattern"] == "^1[3-9][0-9]{9}$"

"""What a person or a client generator meets first on any service: its name, its docs, readable answers."""
from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import marshmallow as ma
import pytest
from flask import Flask
from flask.testing import FlaskClient

from dealer_testing import DEFAULT_SECRET, token
from shared.db import SharedBase, dispose_engines, get_engine
from shared.web.auth import require
from shared.web.blueprint import Blueprint
from shared.web.pagination import PageArgs

probe = Blueprint("probe", __name__, url_prefix="/api/v1")


@probe.get("/greeting")
@probe.response(200)
@require("consultant")
def greeting() -> dict[str, Any]:
    """A Chinese word, as many answers carry (model names, reasons, staff names)."""
    return {"text": "销售线索"}


class NoteIn(ma.Schema):
    text = ma.fields.String(required=True)


class NoteFilter(PageArgs):
    author = ma.fields.String()


@probe.post("/notes")
@probe.arguments(NoteIn)
@probe.response(201)
@require("consultant")
def add_note(data: dict[str, Any]) -> dict[str, Any]:
    """Take a note."""
    return data


@probe.get("/notes")
@probe.arguments(NoteFilter, location="query")
@probe.response(200)
@require("consultant")
def list_notes(args: dict[str, Any]) -> dict[str, Any]:
    """List notes, filtered."""
    return {"items": [], "page": args["page"], "page_size": args["page_size"], "total": 0}


@pytest.fixture
def client(tmp_path: Any) -> Iterator[FlaskClient]:
    from shared.web.app import build_app

    url = f"sqlite:///{tmp_path / 'probe.db'}"
    SharedBase.metadata.create_all(get_engine(url))
    app: Flask = build_app("leads", "Leads", [probe], {"DATABASE_URL": url, "JWT_SECRET": DEFAULT_SECRET})
    yield app.test_client()
    dispose_engines()


def test_the_root_names_the_service_its_version_and_links(client: FlaskClient) -> None:
    body = client.get("/").get_json()
    assert body["service"] == "leads" and body["version"] not in ("", "unknown")
    assert body["links"]["docs"] == "/docs" and body["links"]["openapi"] == "/openapi.json"


def test_interactive_docs_are_served_from_the_package_without_a_cdn(client: FlaskClient) -> None:
    page = client.get("/docs/")
    assert page.status_code == 200 and b"/openapi.json" in page.data
    assets = re.findall(rb'(?:src|href)="([^"]+)"', page.data)
    assert assets and all(asset.startswith(b"/docs/") for asset in assets)  # every asset is local
    with client.get("/docs/swagger-ui-bundle.js") as script:  # a streamed file: closed after reading
        assert script.status_code == 200 and len(script.data) > 100_000


def test_chinese_travels_as_utf8_text_not_escapes(client: FlaskClient) -> None:
    raw = client.get("/api/v1/greeting", headers=token("consultant")).data
    assert "销售线索".encode() in raw and b"\\u" not in raw


def test_a_401_names_the_bearer_scheme(client: FlaskClient) -> None:
    response = client.get("/api/v1/greeting")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_body_not_sent_as_json_is_415_saying_so(client: FlaskClient) -> None:
    for headers in ({"Content-Type": "text/plain"}, {"Content-Type": "application/x-www-form-urlencoded"}, {}):
        response = client.post("/api/v1/notes", data='{"text": "hi"}', headers={**token("consultant"), **headers})
        assert response.status_code == 415 and response.mimetype == "application/problem+json"
        assert "application/json" in response.get_json()["detail"]
    sent_right = client.post("/api/v1/notes", json={"text": "hi"}, headers=token("consultant"))
    assert sent_right.status_code == 201


def test_an_unknown_query_parameter_is_422_naming_it(client: FlaskClient) -> None:
    response = client.get("/api/v1/notes?author=li&placed_on=2026-11-01", headers=token("consultant"))
    assert response.status_code == 422 and list(response.get_json()["errors"]) == ["placed_on"]
    assert client.get("/api/v1/notes?author=li&page=2", headers=token("consultant")).status_code == 200


def test_operations_are_named_for_client_generators(client: FlaskClient) -> None:
    paths = client.get("/openapi.json").get_json()["paths"]
    assert paths["/api/v1/notes"]["get"]["operationId"] == "listNotes"
    assert paths["/api/v1/notes"]["post"]["operationId"] == "addNote"
    assert paths["/api/v1/notes"]["get"]["description"] == "List notes, filtered."


def test_metrics_name_their_charset_once(client: FlaskClient) -> None:
    content_type = client.get("/metrics").headers["Content-Type"]
    assert content_type.startswith("text/plain") and content_type.count("charset") == 1


def test_a_problem_of_type_about_blank_is_titled_with_the_http_reason_phrase(client: FlaskClient) -> None:
    answers = {401: client.get("/api/v1/greeting"),
               422: client.post("/api/v1/notes", json={}, headers=token("consultant")),
               404: client.get("/api/v1/nothing-here", headers=token("consultant")),
               415: client.post("/api/v1/notes", data="x", headers={**token("consultant"),
                                                                    "Content-Type": "text/plain"})}
    titles = {status: answer.get_json()["title"] for status, answer in answers.items()}
    assert titles == {401: "Unauthorized", 422: "Unprocessable Entity", 404: "Not Found",
                      415: "Unsupported Media Type"}
    assert all(answer.get_json()["type"] == "about:blank" for answer in answers.values())
    assert "text" in answers[422].get_json()["errors"]

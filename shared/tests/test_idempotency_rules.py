"""What an ``Idempotency-Key`` stores and replays, on a real SQLite and PostgreSQL database.

A probe service does one piece of work per POST (an outbox row), so "done once" is a count. The rules:
the same key with another body is 422 naming the header; a key is per caller; a key on an unknown route,
or on a request refused for its caller or failed by the server, stores nothing; a validation answer is
stored and replayed; a stored answer keeps no full phone or ID number while the first answer is whole.
"""
from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask, Response, request
from flask.testing import FlaskClient
from flask_smorest import Blueprint
from sqlalchemy import func, select

from dealer_testing import DEFAULT_SECRET, token
from shared.actors import Forbidden
from shared.db import SharedBase, dispose_engines, get_engine, session_factory
from shared.domain import InvalidInput, Unavailable
from shared.envelope import make_event
from shared.outbox import OutboxEvent, record_event
from shared.web.app import build_app, db
from shared.web.auth import require
from shared.web.idempotency import HEADER, IdempotencyKey, masked_answer

probe = Blueprint("idempotency_probe", __name__, url_prefix="/api/v1")
PHONE, ID_NUMBER, NOTE_PHONE = "13812345678", "110101199003074514", "13912345678"


@probe.post("/things")
@require("consultant")
def make_thing() -> Response:
    """The work: one outbox row per thing; echoes the body with the new id, as a create route does."""
    data = json.loads(request.get_data() or b"{}")
    if not data.get("name"):
        raise InvalidInput("name", "is required")
    if request.headers.get("X-Fail"):
        raise Unavailable("A department did not answer.")
    if request.headers.get("X-Not-Yours"):
        raise Forbidden("This thing belongs to another consultant.")
    thing_id = str(uuid.uuid4())
    record_event(db(), make_event("probe", "leads.lead.created", thing_id, {}))
    db().commit()
    if request.headers.get("X-Read-After-Commit"):  # an answer built from what the work stored, read back
        data["things"] = db().scalar(select(func.count()).select_from(OutboxEvent))
    answer = Response(json.dumps({"id": thing_id, **data}), status=201, mimetype="application/json")
    answer.headers["Location"] = f"/api/v1/things/{thing_id}"
    return answer


@pytest.fixture
def app(database_url: str) -> Iterator[Flask]:
    SharedBase.metadata.create_all(get_engine(database_url))
    yield build_app("probe", "Probe", [probe], {"DATABASE_URL": database_url, "JWT_SECRET": DEFAULT_SECRET})
    dispose_engines()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def post(client: FlaskClient, body: dict[str, Any], key: str = "key-1", sub: str = "c1", role: str = "consultant",
         path: str = "/api/v1/things", **headers: str) -> Any:
    return client.post(path, data=json.dumps(body), content_type="application/json",
                       headers={**token(role, sub), HEADER: key, **headers})


def work_done(app: Flask) -> int:
    with session_factory(app.extensions["dealer"].settings.database_url)() as session:
        return int(session.scalar(select(func.count()).select_from(OutboxEvent)) or 0)


def stored_keys(app: Flask) -> list[IdempotencyKey]:
    with session_factory(app.extensions["dealer"].settings.database_url)() as session:
        return list(session.scalars(select(IdempotencyKey)))


def test_the_same_key_with_another_body_answers_422_naming_the_header(app: Flask, client: FlaskClient) -> None:
    first = post(client, {"name": "Aurora"})
    other = post(client, {"name": "Borealis"})
    assert first.status_code == 201
    assert other.status_code == 422 and other.mimetype == "application/problem+json"
    assert list(other.json["errors"]) == ["Idempotency-Key"]
    assert work_done(app) == 1


def test_the_same_key_and_body_replays_the_first_answer_byte_for_byte(app: Flask, client: FlaskClient) -> None:
    first = post(client, {"name": "Aurora"})
    again = post(client, {"name": "Aurora"})
    assert (again.status_code, again.data, again.headers["Location"]) == (201, first.data, first.headers["Location"])
    assert again.headers["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first.headers
    assert work_done(app) == 1


def test_an_answer_read_back_after_the_commit_is_still_stored_and_replayed(app: Flask, client: FlaskClient) -> None:
    # the read opens a new transaction in the request's session (on SQLite it takes the write lock): the answer
    # must still be recorded, so the retry gets it back rather than a 409 "carried out but not kept"
    first = post(client, {"name": "Aurora"}, **{"X-Read-After-Commit": "1"})
    again = post(client, {"name": "Aurora"}, **{"X-Read-After-Commit": "1"})
    assert (first.status_code, first.json["things"]) == (201, 1)
    assert (again.status_code, again.data) == (201, first.data) and again.headers["Idempotent-Replayed"] == "true"
    assert work_done(app) == 1


def test_one_key_from_two_callers_is_two_requests(app: Flask, client: FlaskClient) -> None:
    mine, theirs = post(client, {"name": "Aurora"}, sub="c1"), post(client, {"name": "Aurora"}, sub="c2")
    assert (mine.status_code, theirs.status_code) == (201, 201)
    assert mine.json["id"] != theirs.json["id"] and "Idempotent-Replayed" not in theirs.headers
    assert work_done(app) == 2


def test_a_key_on_an_unknown_route_stores_nothing(app: Flask, client: FlaskClient) -> None:
    assert post(client, {"name": "Aurora"}, path="/api/v1/no-such-route").status_code == 404
    assert stored_keys(app) == []


def test_a_request_refused_for_its_caller_stores_nothing(app: Flask, client: FlaskClient) -> None:
    refused_in_the_view = post(client, {"name": "Aurora"}, **{"X-Not-Yours": "1"})
    wrong_role = post(client, {"name": "Aurora"}, key="key-2", role="ops")
    no_token = client.post("/api/v1/things", json={"name": "Aurora"}, headers={HEADER: "key-3"})
    assert [a.status_code for a in (refused_in_the_view, wrong_role, no_token)] == [403, 403, 401]
    assert stored_keys(app) == []


def test_a_server_error_stores_nothing_so_the_retry_does_the_work(app: Flask, client: FlaskClient) -> None:
    failed = post(client, {"name": "Aurora"}, **{"X-Fail": "1"})
    assert failed.status_code == 503 and stored_keys(app) == []
    retried = post(client, {"name": "Aurora"})
    assert retried.status_code == 201 and "Idempotent-Replayed" not in retried.headers
    assert work_done(app) == 1


def test_a_validation_answer_is_stored_and_replayed(app: Flask, client: FlaskClient) -> None:
    refused, again = post(client, {"name": ""}), post(client, {"name": ""})
    assert (refused.status_code, list(refused.json["errors"])) == (422, ["name"])
    assert (again.status_code, again.data, again.headers["Idempotent-Replayed"]) == (422, refused.data, "true")
    assert work_done(app) == 0


def test_the_stored_answer_keeps_no_full_phone_or_id_number_while_the_first_answer_is_whole(
        app: Flask, client: FlaskClient) -> None:
    body = {"name": "Wang Lei", "phone": PHONE, "id_number": ID_NUMBER, "note": f"call {NOTE_PHONE} after six"}
    first = post(client, body)
    replay = post(client, body)

    assert first.json == {"id": first.json["id"], **body}
    [row] = stored_keys(app)
    assert row.body is not None and not {PHONE, ID_NUMBER, NOTE_PHONE} & set(_numbers_in(row.body))
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert replay.json == {"id": first.json["id"], "name": "Wang Lei", "phone": "138****5678",
                           "id_number": "110101********4514", "note": "call 139****5678 after six"}


def _numbers_in(text: str) -> list[str]:
    """Every run of digits (with a trailing X) in ``text``."""
    return re.findall(r"\d+X?", text)


def test_ids_and_vins_that_hold_eleven_digits_are_stored_unchanged_while_numbers_in_messages_are_masked(
        app: Flask) -> None:
    lead_id = "4741e178-8a2c-4864-b4b2-613812345678"  # a UUID whose last group reads like a mobile number
    answer = {"id": lead_id, "vin": "LSVAUA13812345678", "detail": f"No lead {PHONE} (see {lead_id})",
              "errors": {"lead_id": [f"No lead {PHONE}"]}}
    with app.app_context():
        stored = json.loads(masked_answer(json.dumps(answer)))
    assert stored == {"id": lead_id, "vin": "LSVAUA13812345678", "detail": f"No lead 138****5678 (see {lead_id})",
                      "errors": {"lead_id": ["No lead 138****5678"]}}

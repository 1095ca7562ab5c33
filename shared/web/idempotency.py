"""``Idempotency-Key`` on POST, as the IETF draft "The Idempotency-Key HTTP Header Field" describes it.

The same key with the same body replays the first answer. The key is reserved in its own transaction
before the work starts, so twenty concurrent requests with one key make one resource: the first does
the work, the others wait for its answer and replay it. The work's own transaction marks the key done,
so a key whose answer was lost with the database (the work committed, storing the answer failed) is
never taken for abandoned and done twice.

The rules this module keeps (the draft's, where it has one):

- A key belongs to one caller (the verified token's subject) and one route (method and path): the same
  key from two clerks, or on two routes, is two requests, and one caller never sees another's answer.
- The first request's body is fingerprinted (SHA-256 of its bytes). The same key with another body
  answers 422 problem+json naming the ``Idempotency-Key`` header: the client reused a key for a new
  request, which needs a new key. A retry while the first is still running answers 409.
- What is stored and replayed: the answer of every request the service took up, success or error
  (201, a 422 validation answer, a 409 business rule, a 404 for a missing resource): the draft asks
  for "the result of the previously completed operation, success or an error", and a client that
  corrects a refused request sends it under a new key. Never stored: a 5xx (the work did not commit,
  so the client must be able to retry; a key whose work did commit stays "done" and a retry answers
  409 "already carried out"), 401 and 403 (the caller was not let in: the key is not theirs to use
  up), 408 and 429 (retry later), and nothing at all for a route that does not exist (404, 405).
- Stored answers keep no full phone or ID number: personal fields (``phone``, ``*_phone``,
  ``id_number``, ``*_id_number``) and numbers found in any other text (a note, an error echoing the
  input) are masked before the answer is written; UUIDs and VINs are kept as they are. The client's
  first answer is sent unchanged; a replay returns the masked body (the same resource, ids and
  status, with ``138****5678`` where the first showed the full number): the client already had the
  full numbers, and may read the resource again to see them.
- Keys live ``KEY_LIFETIME`` (a day: clients retry within minutes); each service's worker purges
  older ones every hour (``purge_job``, scheduled by ``shared.worker``).
"""
from __future__ import annotations

import hashlib
import json
import logging
import re
import time
from datetime import datetime, timedelta
from typing import Any, cast

from flask import Flask, Response, current_app, g, has_request_context, request
from sqlalchemy import CursorResult, DateTime, Integer, String, Text, delete, event, update
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from shared.clock import utcnow
from shared.db import SharedBase
from shared.privacy import mask_id_number, mask_phone, mask_text
from shared.web.errors import problem

HEADER = "Idempotency-Key"
WAIT_FOR_FIRST = 10.0
ABANDONED_AFTER = timedelta(seconds=60)
KEY_LIFETIME = timedelta(days=1)
PURGE_EVERY_SECONDS = 3600.0
DONE = 0  # status of a key whose work committed and whose answer is not stored (yet)
NOT_STORED = frozenset({401, 403, 408, 429})  # and every 5xx
_UUID = re.compile(r"([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})")
_VIN = re.compile(r"[A-HJ-NPR-Z0-9]{17}")
log = logging.getLogger("dealer.web")


class IdempotencyKey(SharedBase):
    """A POST answered (or being answered) under a client's key."""

    __tablename__ = "idempotency_keys"

    scope: Mapped[str] = mapped_column(String(64), primary_key=True)
    status: Mapped[int | None] = mapped_column(Integer)
    body: Mapped[str | None] = mapped_column(Text)
    content_type: Mapped[str | None] = mapped_column(String(80))
    location: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    fingerprint: Mapped[str | None] = mapped_column(String(64))  # None on keys stored before fingerprints


def _scope(key: str) -> str:
    """One key space per verified caller and route: the same key from two clerks is two requests."""
    actor = g.get("actor")  # set by the route's role check, from a token whose signature was verified
    sub = actor.sub if actor is not None else ""
    return hashlib.sha256(f"{sub}|{request.path}|{key}".encode()).hexdigest()


def _fingerprint() -> str:
    """The request body's SHA-256: the same key must come with the same request."""
    return hashlib.sha256(request.get_data(cache=True)).hexdigest()


def _reserve(sessions: sessionmaker[Session], scope: str, fingerprint: str) -> bool:
    try:
        with sessions() as session, session.begin():
            session.add(IdempotencyKey(scope=scope, created_at=utcnow(), fingerprint=fingerprint))
        return True
    except IntegrityError:
        return False


def _key_reused() -> Response:
    message = "was first sent with another request body; a new request needs a new key"
    return problem(422, "Idempotency-Key reused", f"This {HEADER} {message}.", errors={HEADER: [message]})


def _replay(sessions: sessionmaker[Session], scope: str, fingerprint: str) -> Response | None:
    """The first request's answer; None when the key is free again; 422 for another body; 409 when unanswered."""
    deadline = time.monotonic() + WAIT_FOR_FIRST
    while time.monotonic() < deadline:
        with sessions() as session:
            row = session.get(IdempotencyKey, scope)
        if row is None or _abandoned(row):
            return None
        if row.fingerprint is not None and row.fingerprint != fingerprint:
            return _key_reused()
        if row.status is not None and row.status != DONE:
            response = Response(row.body, status=row.status, content_type=row.content_type)
            if row.location:
                response.headers["Location"] = row.location
            response.headers["Idempotent-Replayed"] = "true"
            return response
        time.sleep(0.05)
    if row is not None and row.status == DONE:
        return problem(409, "Request already carried out", "A request with this Idempotency-Key was carried out "
                       "but its answer could not be kept; read the resource to see the outcome.")
    return problem(409, "Request in progress", "A request with this Idempotency-Key is still being processed.")


def _mark_done(session: Session) -> None:
    """In the work's own transaction (the request's session): the key's work is done."""
    if not has_request_context() or session is not g.get("db_session"):
        return
    scope = g.get("idempotency_scope")
    if scope is not None:
        session.execute(update(IdempotencyKey).where(IdempotencyKey.scope == scope, IdempotencyKey.status.is_(None))
                        .values(status=DONE))


def _abandoned(row: IdempotencyKey) -> bool:
    """A reservation left by a worker that died mid-request: the key may be used again."""
    created = row.created_at if row.created_at.tzinfo else row.created_at.replace(tzinfo=utcnow().tzinfo)
    if row.status is None and utcnow() - created > ABANDONED_AFTER:
        with current_app.extensions["dealer"].sessions() as session, session.begin():
            session.execute(delete(IdempotencyKey).where(IdempotencyKey.scope == row.scope,
                                                         IdempotencyKey.status.is_(None)))
        return True
    return False


def before_post() -> Response | None:
    """Replay a known key's answer, or reserve the key for this request (never for a route that does not exist)."""
    key = request.headers.get(HEADER)
    if request.method != "POST" or not key or request.url_rule is None:
        return None
    if len(key) > 200:
        return problem(400, "Bad Request", f"{HEADER} is longer than 200 characters.",
                       errors={HEADER: ["at most 200 characters"]})
    sessions = current_app.extensions["dealer"].sessions
    scope, fingerprint = _scope(key), _fingerprint()
    for _ in range(3):
        if _reserve(sessions, scope, fingerprint):
            g.idempotency_scope = scope
            return None
        replayed = _replay(sessions, scope, fingerprint)
        if replayed is not None:
            return replayed
    return problem(409, "Request in progress", "A request with this Idempotency-Key is still being processed.")


def stored_answer(status: int) -> bool:
    """Whether an answer with ``status`` is kept for replay (see the module's docstring)."""
    return status < 500 and status not in NOT_STORED


def after_post(response: Response) -> Response:
    """Store the answer (masked) under the reserved key, or free the key when the answer is not to be kept."""
    scope = g.pop("idempotency_scope", None)
    if scope is None:
        return response
    _end_request_transaction()
    sessions = current_app.extensions["dealer"].sessions
    try:
        with sessions() as session, session.begin():
            if stored_answer(response.status_code):
                session.execute(update(IdempotencyKey).where(IdempotencyKey.scope == scope).values(
                    status=response.status_code, body=masked_answer(response.get_data(as_text=True)),
                    content_type=response.content_type, location=response.headers.get("Location")))
            else:  # free the key for a retry, unless the work committed (then it stays done: never twice)
                session.execute(delete(IdempotencyKey).where(IdempotencyKey.scope == scope,
                                                             IdempotencyKey.status.is_(None)))
    except DBAPIError as exc:
        # The database went away around the work: answer what the work answered (a 503 stays a 503,
        # never a 500). The key stays reserved: marked done if the work committed, else abandoned later.
        log.warning("idempotency key not stored: %s", exc.__class__.__name__)
    return response


def _end_request_transaction() -> None:
    """End the request session's transaction before the answer is recorded on another connection.

    The work has answered; anything it read after its commit (building the answer) opened a new transaction,
    which on SQLite holds the write lock (BEGIN IMMEDIATE) until teardown and would keep the answer from being
    stored. Teardown would roll it back anyway; this only does it earlier.
    """
    request_session = g.get("db_session")
    if request_session is not None:
        request_session.rollback()


def masked_answer(text: str) -> str:
    """An answer's body as stored: unchanged when it holds no personal number, else with each one masked."""
    try:
        body = json.loads(text)
    except ValueError:
        return mask_text(text)
    masked = _masked(body, "")
    if masked == body:
        return text  # replayed byte for byte
    return cast(str, current_app.json.dumps(masked)) + ("\n" if text.endswith("\n") else "")


def _masked(value: Any, key: str) -> Any:
    """``value`` with personal fields masked by name, and phones / ID numbers in any other text masked."""
    if isinstance(value, dict):
        return {name: _masked(item, str(name)) for name, item in value.items()}
    if isinstance(value, list):
        return [_masked(item, key) for item in value]
    if not isinstance(value, str):
        return value
    if key == "phone" or key.endswith("_phone"):
        return mask_phone(value)
    if key == "id_number" or key.endswith("_id_number"):
        return mask_id_number(value)
    if _VIN.fullmatch(value) and not value.isdigit():
        return value  # a car's VIN (17 characters, letters among them) is no personal number
    # Any other text (a note, an error echoing input) is masked around the UUIDs it holds: a UUID's
    # last group can hold 11 digits in a row, and a replay must give back the ids it gave first.
    parts = _UUID.split(value)
    return "".join(part if index % 2 else mask_text(part) for index, part in enumerate(parts))


def purge_expired(session: Session, older_than: timedelta = KEY_LIFETIME) -> int:
    """Delete keys older than ``older_than`` (in the caller's transaction); returns how many."""
    result = session.execute(delete(IdempotencyKey).where(IdempotencyKey.created_at < utcnow() - older_than))
    return cast(CursorResult[Any], result).rowcount


def purge_job(session: Session) -> int:
    """The worker's scheduled purge: expired keys deleted in one transaction."""
    with session.begin():
        return purge_expired(session)


def install(app: Flask) -> None:
    """Hook key handling around every POST of ``app``."""
    app.before_request(before_post)
    app.after_request(after_post)
    event.listen(app.extensions["dealer"].sessions, "before_commit", _mark_done)

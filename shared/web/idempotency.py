"""``Idempotency-Key`` on POST: the same key replays the first answer.

The key is reserved in its own transaction before the work starts, so twenty
concurrent requests with one key make one resource: the first does the work,
the others wait for its answer and replay it. The work's own transaction marks
the key done, so a key whose answer was lost with the database (the work
committed, storing the answer failed) is never taken for abandoned and done twice.
"""
from __future__ import annotations

import hashlib
import logging
import time
from datetime import datetime, timedelta

import jwt
from flask import Flask, Response, current_app, g, has_request_context, request
from sqlalchemy import DateTime, Integer, String, Text, delete, event, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from shared.db import SharedBase
from shared.outbox import utcnow
from shared.web.errors import problem

HEADER = "Idempotency-Key"
WAIT_FOR_FIRST = 10.0
ABANDONED_AFTER = timedelta(seconds=60)
DONE = 0  # status of a key whose work committed and whose answer is not stored (yet)
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


def _scope(key: str) -> str:
    """One key space per caller and route: the same key from two clerks is two requests."""
    try:
        caller = jwt.decode(request.headers.get("Authorization", "")[7:], options={"verify_signature": False})
        sub = str(caller.get("sub", ""))
    except jwt.InvalidTokenError:
        sub = ""
    return hashlib.sha256(f"{sub}|{request.path}|{key}".encode()).hexdigest()


def _reserve(sessions: sessionmaker[Session], scope: str) -> bool:
    try:
        with sessions() as session, session.begin():
            session.add(IdempotencyKey(scope=scope, created_at=utcnow()))
        return True
    except IntegrityError:
        return False


def _replay(sessions: sessionmaker[Session], scope: str) -> Response | None:
    deadline = time.monotonic() + WAIT_FOR_FIRST
    while time.monotonic() < deadline:
        with sessions() as session:
            row = session.get(IdempotencyKey, scope)
        if row is None or _abandoned(row):
            return None
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
    """Replay a known key's answer, or reserve the key for this request."""
    key = request.headers.get(HEADER)
    if request.method != "POST" or not key:
        return None
    if len(key) > 200:
        return problem(400, "Bad Request", f"{HEADER} is longer than 200 characters.")
    sessions = current_app.extensions["dealer"].sessions
    scope = _scope(key)
    for _ in range(3):
        if _reserve(sessions, scope):
            g.idempotency_scope = scope
            return None
        replayed = _replay(sessions, scope)
        if replayed is not None:
            return replayed
    return problem(409, "Request in progress", "A request with this Idempotency-Key is still being processed.")


def after_post(response: Response) -> Response:
    """Store the answer under the reserved key (or free the key after a server error)."""
    scope = g.pop("idempotency_scope", None)
    if scope is None:
        return response
    sessions = current_app.extensions["dealer"].sessions
    try:
        with sessions() as session, session.begin():
            if response.status_code >= 500:  # the work did not commit: free the key (kept when it did)
                session.execute(delete(IdempotencyKey).where(IdempotencyKey.scope == scope,
                                                             IdempotencyKey.status.is_(None)))
            row = session.get(IdempotencyKey, scope)
            if row is not None:
                row.status, row.body = response.status_code, response.get_data(as_text=True)
                row.content_type, row.location = response.content_type, response.headers.get("Location")
    except DBAPIError as exc:
        # The database went away around the work: answer what the work answered (a 503 stays a 503,
        # never a 500). The key stays reserved: marked done if the work committed, else abandoned later.
        log.warning("idempotency key not stored: %s", exc.__class__.__name__)
    return response


def purge_expired(session: Session, older_than: timedelta = timedelta(days=1)) -> int:
    """Forget keys older than a day (clients retry within minutes, not days)."""
    cutoff = utcnow() - older_than
    stale = session.scalars(select(IdempotencyKey.scope).where(IdempotencyKey.created_at < cutoff)).all()
    session.execute(delete(IdempotencyKey).where(IdempotencyKey.scope.in_(stale)))
    return len(stale)


def install(app: Flask) -> None:
    """Hook key handling around every POST of ``app``."""
    app.before_request(before_post)
    app.after_request(after_post)
    event.listen(app.extensions["dealer"].sessions, "before_commit", _mark_done)

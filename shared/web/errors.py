"""Every failure answered as ``application/problem+json`` (RFC 9457).

Validation errors name each field and the reason; nothing a client can send is
answered with a bare 500 or an HTML page.
"""
from __future__ import annotations

import logging
import re
from http import HTTPStatus
from typing import Any

from flask import Flask, Response, g, json
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from shared.domain import DomainError

PROBLEM = "application/problem+json"
log = logging.getLogger("dealer.web")


def problem(status: int, title: str, detail: str = "", **extra: Any) -> Response:
    """A problem+json response of type ``about:blank``.

    RFC 9457 says such a problem's title is the HTTP status phrase ("Unprocessable Content"),
    so generic clients can show it; what went wrong in this case (``title`` as the caller
    words it, and the detail) is the ``detail``.
    """
    phrase = _phrase(status)
    if not detail:
        detail = title
    elif title != phrase and not detail.startswith(title):
        detail = f"{title}: {detail}"
    body = {"type": "about:blank", "title": phrase, "status": status, "detail": detail, **extra}
    return Response(json.dumps(body), status=status, mimetype=PROBLEM)


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def flatten_messages(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    """``{"json": {"customer": {"phone": ["bad"]}}}`` -> ``{"customer.phone": ["bad"]}``."""
    if isinstance(messages, dict):
        flat: dict[str, list[str]] = {}
        for key, value in messages.items():
            name = str(key) if key not in ("json", "query", "path", "headers", "form") or prefix else ""
            inner = f"{prefix}.{name}" if prefix and name else (name or prefix)
            flat.update(flatten_messages(value, inner))
        return flat
    if isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        return {prefix or "body": list(messages)}
    if isinstance(messages, list):
        flat = {}
        for index, value in enumerate(messages):
            flat.update(flatten_messages(value, f"{prefix}.{index}" if prefix else str(index)))
        return flat
    return {prefix or "body": [str(messages)]}


def _http_problem(exc: HTTPException) -> Response:
    status = exc.code or 500
    data = getattr(exc, "data", None) or {}
    messages = data.get("messages")
    if messages:
        errors = flatten_messages(messages)
        detail = "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in sorted(errors.items()))
        return problem(status, "Validation failed" if status == 422 else exc.name, detail, errors=errors)
    detail = exc.description if isinstance(exc.description, str) else exc.name
    if status == 400 and "json" in (detail or "").lower():
        detail = "The request body is not valid JSON."
    response = problem(status, exc.name, detail)
    if status == 405 and exc.get_response().headers.get("Allow"):
        response.headers["Allow"] = exc.get_response().headers["Allow"]
    return response


def _domain_problem(exc: DomainError) -> Response:
    return problem(exc.status, exc.title, exc.detail, **exc.extra)


def _database_problem(exc: DBAPIError) -> Response:
    if isinstance(exc, OperationalError) or exc.connection_invalidated:
        log.warning("database unavailable: %s: %s", exc.__class__.__name__, str(exc.orig)[:200])
        response = problem(503, "Service unavailable", "The database is not reachable; try again shortly.")
        response.headers["Retry-After"] = "5"
        return response
    log.exception("database error")
    return problem(500, "Internal error", "The request could not be completed.")


UNIQUE_VIOLATION = "23505"  # PostgreSQL's SQLSTATE
FOREIGN_KEY_VIOLATION = "23503"
_PG_KEY_COLUMNS = re.compile(r"Key \(([^)]*)\)=")
_SQLITE_UNIQUE = re.compile(r"UNIQUE constraint failed: ([\w., ]+)")


def _sqlstate(exc: IntegrityError) -> str | None:
    return getattr(exc.orig, "sqlstate", None)


def unique_columns(exc: IntegrityError) -> list[str] | None:
    """The columns of the unique constraint a write broke, or None when it broke another constraint.

    Only column names are read (PostgreSQL's ``Key (phone)=(...)`` detail, SQLite's
    ``UNIQUE constraint failed: leads.phone``), never the values, which may be a customer's phone.
    """
    if _sqlstate(exc) == UNIQUE_VIOLATION:
        detail = getattr(getattr(exc.orig, "diag", None), "message_detail", None) or ""
        found = _PG_KEY_COLUMNS.search(detail)
        return [c.strip().strip('"') for c in found.group(1).split(",")] if found else []
    found = _SQLITE_UNIQUE.search(str(exc.orig))
    if found:
        return [column.strip().rsplit(".", 1)[-1] for column in found.group(1).split(",")]
    return None


def _roll_back_request_session() -> None:
    """The failed flush left the request's session unusable: roll it back before anything else uses it."""
    session = g.get("db_session")
    if session is not None:
        session.rollback()


def _integrity_problem(exc: IntegrityError) -> Response:
    """A write the database refused for a constraint: a conflict with stored data (409), never a 500.

    The usual case is a race: two requests create the same unique thing at once, both pass the
    service's own check, the database lets one in. The answer names the columns, never the values.
    """
    _roll_back_request_session()
    columns = unique_columns(exc)
    constraint = getattr(getattr(exc.orig, "diag", None), "constraint_name", None)
    log.warning("write refused by a constraint, answered 409: sqlstate=%s constraint=%s columns=%s",
                _sqlstate(exc), constraint, columns)
    if columns is not None:
        named = ", ".join(columns) or "a unique value"
        errors = {column: ["another record already has this value"] for column in columns}
        return problem(409, "Conflict", f"A record with the same {named} already exists (it may have been "
                       "created by another request at the same time); read it or change the value.",
                       **({"errors": errors} if errors else {}))
    if _sqlstate(exc) == FOREIGN_KEY_VIOLATION or "FOREIGN KEY" in str(exc.orig):
        return problem(409, "Conflict", "The request refers to a record that does not exist, or removes one "
                       "that others still refer to.")
    return problem(409, "Conflict", "The request conflicts with the data stored; read the record and try again.")


def _concurrent_change(_exc: StaleDataError) -> Response:
    """A row changed between this request's read and its write (a versioned table): never overwrite it."""
    return problem(409, "Conflict", "The record was changed by another request at the same time; try again.")


def _unexpected(exc: Exception) -> Response:
    log.exception("unhandled error")
    return problem(500, "Internal error", "The request could not be completed.")


def register_error_handlers(app: Flask) -> None:
    """Route every error type to its problem+json answer."""
    app.register_error_handler(HTTPException, _http_problem)
    app.register_error_handler(DomainError, _domain_problem)
    app.register_error_handler(DBAPIError, _database_problem)
    app.register_error_handler(IntegrityError, _integrity_problem)
    app.register_error_handler(StaleDataError, _concurrent_change)
    app.register_error_handler(Exception, _unexpected)

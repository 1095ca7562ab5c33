"""Every failure answered as ``application/problem+json`` (RFC 9457).

Validation errors name each field and the reason; nothing a client can send is
answered with a bare 500 or an HTML page.
"""
from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, json
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from shared.domain import DomainError

PROBLEM = "application/problem+json"
log = logging.getLogger("dealer.web")


def problem(status: int, title: str, detail: str = "", **extra: Any) -> Response:
    """A problem+json response."""
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail or title, **extra}
    return Response(json.dumps(body), status=status, mimetype=PROBLEM)


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
    app.register_error_handler(StaleDataError, _concurrent_change)
    app.register_error_handler(Exception, _unexpected)

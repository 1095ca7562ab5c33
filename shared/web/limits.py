"""Bounds on the shape of a JSON body, checked once before any schema sees it.

A body under the size limit can still hold 100,000 list items (each checked and
reported by the schema: seconds of work and megabytes of errors) or nest deeper
than the JSON parser can recurse (a crash). Neither is a request any client of
the store sends, so both are refused at once: 422 naming the field, or 400.
A NUL character (U+0000) in any text of the body or the query string is refused
the same way: PostgreSQL cannot store it in a text column, so it would otherwise
surface as a 500 from whichever insert or filter met it first.
"""
from __future__ import annotations

from typing import Any

from flask import Response, request

from shared.web.errors import problem

MAX_ITEMS = 1000  # items of one list or keys of one object (the largest real input holds 500)
MAX_DEPTH = 32
NUL_MESSAGE = "Must not contain a NUL character."


def _first_excess(body: Any) -> tuple[str, str] | None:
    """The dotted path of the first list or object too long or too deep, and why; None when all is in bounds."""
    pending: list[tuple[str, Any, int]] = [("", body, 0)]
    while pending:
        path, value, depth = pending.pop()
        if not isinstance(value, (list, dict)):
            continue
        if depth > MAX_DEPTH:
            return path or "body", f"Nested more than {MAX_DEPTH} levels deep."
        if len(value) > MAX_ITEMS:
            return path or "body", f"At most {MAX_ITEMS} items."
        items = value.items() if isinstance(value, dict) else enumerate(value)
        pending += [(f"{path}.{key}" if path else str(key), item, depth + 1) for key, item in items]
    return None


def _first_nul(body: Any) -> str | None:
    """The dotted path of the first key or text holding a NUL character; None when there is none."""
    pending: list[tuple[str, Any]] = [("", body)]
    while pending:
        path, value = pending.pop()
        if isinstance(value, str) and "\x00" in value:
            return path or "body"
        if isinstance(value, dict):
            for key, item in value.items():
                where = f"{path}.{key}" if path else str(key)
                if "\x00" in key:
                    return where
                pending.append((where, item))
        elif isinstance(value, list):
            pending += [(f"{path}.{index}" if path else str(index), item) for index, item in enumerate(value)]
    return None


def refuse_a_body_that_is_not_json() -> Response | None:
    """Answer 415 for a body sent as anything but JSON (a form, plain text, no Content-Type at all).

    Without this, such a body reaches the schema as "no data" and every required field is
    reported missing, which sends a client looking in the wrong place.
    """
    if request.method not in ("POST", "PUT", "PATCH") or request.is_json:
        return None
    has_body = bool(request.content_length) or "chunked" in request.headers.get("Transfer-Encoding", "").lower()
    if not has_body:
        return None
    sent = request.mimetype or "no Content-Type"
    return problem(415, "Unsupported Media Type",
                   f"The body was sent as {sent}; send it as JSON with 'Content-Type: application/json'.")


def refuse_unwieldy_json() -> Response | None:
    """Answer 400 for JSON nested past the parser's reach, 422 for one too long or too deep to check."""
    if request.method not in ("POST", "PUT", "PATCH") or not request.is_json:
        return None
    try:
        body = request.get_json(silent=True)
    except RecursionError:
        return problem(400, "Bad Request", "The request body is nested too deeply to read.")
    excess = _first_excess(body)
    if excess is None:
        nul = _first_nul(body)
        excess = None if nul is None else (nul, NUL_MESSAGE)
    if excess is None:
        return None
    field, message = excess
    return problem(422, "Validation failed", f"{field}: {message}", errors={field: [message]})


def refuse_nul_in_query() -> Response | None:
    """Answer 422 naming the query parameter whose name or value holds a NUL character."""
    for name, value in request.args.items(multi=True):
        if "\x00" in name or "\x00" in value:
            field = name.replace("\x00", "") or "query"
            return problem(422, "Validation failed", f"{field}: {NUL_MESSAGE}", errors={field: [NUL_MESSAGE]})
    return None

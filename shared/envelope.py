"""The CloudEvents 1.0 envelope every event travels in, and the correlation id it carries.

The correlation id starts at the HTTP request that caused a change (header
``X-Correlation-ID``, generated when absent) and follows every event that change
causes, across services, so one customer's story can be traced in the logs.
"""
from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

SPEC_VERSION = "1.0"
_correlation_id: ContextVar[str | None] = ContextVar("correlation_id", default=None)


def current_correlation_id() -> str | None:
    """The correlation id of the request or event being handled, if any."""
    return _correlation_id.get()


def set_correlation_id(value: str | None) -> None:
    """Adopt a correlation id for the work now starting in this context."""
    _correlation_id.set(value)


def new_correlation_id() -> str:
    """A fresh correlation id for work that starts here."""
    return str(uuid.uuid4())


def routing_key_of(event_type: str) -> str:
    """``dealer.leads.lead.created.v1`` -> ``leads.lead.created``."""
    parts = event_type.split(".")
    return ".".join(parts[1:-1])


def event_type_of(routing_key: str, version: int = 1) -> str:
    """``leads.lead.created`` -> ``dealer.leads.lead.created.v1``."""
    return f"dealer.{routing_key}.v{version}"


def make_event(service: str, routing_key: str, subject: str, data: dict[str, Any],
               version: int = 1, time: datetime | None = None) -> dict[str, Any]:
    """Build one event in CloudEvents structured mode, ready for the outbox."""
    return {
        "specversion": SPEC_VERSION,
        "id": str(uuid.uuid4()),
        "source": f"/dealer/{service}",
        "type": event_type_of(routing_key, version),
        "time": (time or datetime.now(UTC)).isoformat(),
        "subject": str(subject),
        "datacontenttype": "application/json",
        "correlationid": current_correlation_id() or new_correlation_id(),
        "data": data,
    }


REQUIRED = ("specversion", "id", "source", "type", "time", "data")
# The inbox keys an event by source and id, and records its type: longer values do not fit its columns.
MAX_LENGTH = {"id": 36, "source": 60, "type": 120}
_EVENT_TYPE = re.compile(r"dealer(\.[a-z0-9_]+)+\.v[0-9]+")


def check_envelope(event: Any) -> list[str]:
    """What is missing or wrong in a received envelope (empty when it is usable).

    Each problem names the field and never echoes its value (it may hold personal data). A message with
    a problem can never be applied, so the consumer parks it at once instead of retrying it.
    """
    if not isinstance(event, dict):
        return ["envelope is not a JSON object"]
    problems = [f"missing {name}" for name in REQUIRED if name not in event]
    for name, check in _CHECKS.items():
        problem = check(event[name]) if name in event else None
        if problem:
            problems.append(f"{name} {problem}")
    return problems


def _check_specversion(value: Any) -> str | None:
    return None if value == SPEC_VERSION and isinstance(value, str) else f"is not the string {SPEC_VERSION!r}"


def _check_key(name: str) -> Callable[[Any], str | None]:
    """A check for a field the inbox keys on: a printable string that fits its column."""
    def check(value: Any) -> str | None:
        if not isinstance(value, str) or not value:
            return "is not a non-empty string"
        if len(value) > MAX_LENGTH[name]:
            return f"is longer than {MAX_LENGTH[name]} characters"
        return None if value.isprintable() else "holds control characters"
    return check


def _check_type(value: Any) -> str | None:
    problem = _check_key("type")(value)
    if problem or _EVENT_TYPE.fullmatch(value):
        return problem
    return "is not of the form dealer.<service>.<entity>.<verb>.v<N>"


def _check_time(value: Any) -> str | None:
    if not isinstance(value, str):
        return "is not a string"
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return "is not an ISO 8601 date-time"
    return None


def _check_optional_string(value: Any) -> str | None:
    return None if value is None or isinstance(value, str) else "is not a string"


_CHECKS: dict[str, Callable[[Any], str | None]] = {
    "specversion": _check_specversion, "id": _check_key("id"), "source": _check_key("source"),
    "type": _check_type, "time": _check_time,
    "data": lambda value: None if isinstance(value, dict) else "is not an object",
    "subject": _check_optional_string, "correlationid": _check_optional_string,
}

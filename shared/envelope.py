"""The CloudEvents 1.0 envelope every event travels in, and the correlation id it carries.

The correlation id starts at the HTTP request that caused a change (header
``X-Correlation-ID``, generated when absent) and follows every event that change
causes, across services, so one customer's story can be traced in the logs.
"""
from __future__ import annotations

import uuid
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


def check_envelope(event: Any) -> list[str]:
    """What is missing or wrong in a received envelope (empty when it is usable)."""
    if not isinstance(event, dict):
        return ["envelope is not a JSON object"]
    problems = [f"missing {name}" for name in REQUIRED if name not in event]
    if not problems and not isinstance(event["data"], dict):
        problems.append("data is not an object")
    return problems

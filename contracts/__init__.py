"""The public event contract: one JSON Schema per event type, for the ``data`` of its envelope.

Producers are tested against these schemas; consumers read tolerantly (they
ignore fields they do not know). Schemas only ever gain fields; a breaking
change is a new ``.vN`` event type with a schema of its own.
"""
from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

HERE = Path(__file__).resolve().parent
EVENTS_DIR = HERE / "events"


def schema_path(event_type: str) -> Path:
    """``dealer.leads.lead.created.v1`` -> ``events/leads.lead.created.v1.json``."""
    return EVENTS_DIR / f"{event_type.removeprefix('dealer.')}.json"


@cache
def _validator(event_type: str) -> Draft202012Validator:
    schema = json.loads(schema_path(event_type).read_text())
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


@cache
def _envelope_validator() -> Draft202012Validator:
    return Draft202012Validator(json.loads((HERE / "envelope.json").read_text()))


def known_event_types() -> list[str]:
    """Every event type the contract defines."""
    return sorted(f"dealer.{p.stem}" for p in EVENTS_DIR.glob("*.json"))


def contract_errors(envelope: dict[str, Any]) -> list[str]:
    """Why an event breaks the contract (empty when it conforms)."""
    errors = [f"envelope: {e.message}" for e in _envelope_validator().iter_errors(envelope)]
    event_type = envelope.get("type", "")
    if not schema_path(event_type).exists():
        return errors + [f"no schema for event type {event_type!r} in the contract"]
    return errors + [f"data.{'.'.join(map(str, e.path))}: {e.message}"
                     for e in _validator(event_type).iter_errors(envelope.get("data"))]

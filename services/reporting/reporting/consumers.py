"""The consumer's handlers: every event of ``dealer.events`` (routing key ``#``), one at a time or a batch.

Reporting keeps each event whole (masked) in its store and reads no field of it here: there is no
smaller value to parse it into, so each handler hands the envelope to its use case as it came. The
projections read the fields they need, tolerant of absent ones and blind to unknown ones.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from reporting import services


def store_and_project(session: Session, envelope: dict[str, Any]) -> None:
    """One event: stored once, counted once (a second delivery changes nothing)."""
    services.ingest(session, envelope)


def store_and_project_all(session: Session, envelopes: list[dict[str, Any]]) -> None:
    """A batch: the same figures as ``store_and_project`` on each, in a few statements."""
    services.ingest_all(session, envelopes)

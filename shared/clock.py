"""The clock every service reads: now, timezone-aware, in UTC (what the databases store).

One home for it, free of any framework, so domain code, models and use cases can ask the time
without importing the outbox or the web layer.
"""
from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    """Now, timezone-aware, in UTC."""
    return datetime.now(UTC)

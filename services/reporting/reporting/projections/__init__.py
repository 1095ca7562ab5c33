"""Projections: how each event changes the figures reports read.

Every projection is written so events may arrive in any order and the result
is the same (counts add up, firsts take the minimum, a car's status follows
the latest time), which lets backfill and rebuild replay events in feed order.
"""
from __future__ import annotations

from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from reporting.projections import after_sales, inventory, leads, orders
from reporting.projections.common import Projector
from reporting.projections.facts import Facts
from shared.envelope import routing_key_of

PROJECTORS: dict[str, Projector] = {**leads.PROJECTORS, **orders.PROJECTORS, **inventory.PROJECTORS,
                                    **after_sales.PROJECTORS}


def project(event: dict[str, Any], facts: Facts, tz: ZoneInfo) -> None:
    """Apply one (masked) event to the projections; events no report reads change nothing."""
    projector = PROJECTORS.get(routing_key_of(str(event.get("type", ""))))
    if projector is not None and isinstance(event.get("data"), dict):
        projector(event, facts, tz)


@cache
def is_projected(event_type: str) -> bool:
    """Whether some projection reads events of this type (a replay skips the others unread)."""
    return routing_key_of(event_type) in PROJECTORS

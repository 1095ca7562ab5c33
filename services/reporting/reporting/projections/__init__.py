"""Projections: how each event changes the figures reports read.

Every projection is written so events may arrive in any order and the result
is the same (counts add up, firsts take the minimum, a car's status follows
the latest time), which lets backfill and rebuild replay events in feed order.
"""
from __future__ import annotations

from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from reporting.projections import after_sales, care, inventory, leads, orders, paperwork
from reporting.projections.common import Projector
from reporting.projections.facts import Facts
from shared.envelope import routing_key_of


def _in_turn(*projectors: Projector) -> Projector:
    """One event read by several projections (a return visit's CSI and its questionnaire): each in turn."""
    def project_each(event: dict[str, Any], facts: Facts, tz: ZoneInfo) -> None:
        for projector in projectors:
            projector(event, facts, tz)
    return project_each


PROJECTORS: dict[str, Projector] = {**leads.PROJECTORS, **orders.PROJECTORS, **inventory.PROJECTORS,
                                    **after_sales.PROJECTORS}
for _key, _projector in {**paperwork.PROJECTORS, **care.PROJECTORS}.items():  # round 2's figures, beside the others
    PROJECTORS[_key] = _in_turn(PROJECTORS[_key], _projector) if _key in PROJECTORS else _projector


def project(event: dict[str, Any], facts: Facts, tz: ZoneInfo) -> None:
    """Apply one (masked) event to the projections; events no report reads change nothing."""
    projector = PROJECTORS.get(routing_key_of(str(event.get("type", ""))))
    if projector is not None and isinstance(event.get("data"), dict):
        projector(event, facts, tz)


@cache
def is_projected(event_type: str) -> bool:
    """Whether some projection reads events of this type (a replay skips the others unread)."""
    return routing_key_of(event_type) in PROJECTORS

"""The stock report's arithmetic (库存报表): counts per model/trim/colour by status, and stock age (库龄).

Age counts from the car's arrival at the group, so a transfer between stores
never makes an old car look new. Pure: ``queries.stock_report`` reads the rows.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from inventory.domain import VehicleStatus, ageing_bucket

BUCKETS = ("0-30", "31-60", "61-90", "over_90")
Row = tuple[str, str, str, str, datetime]  # model, trim, colour, status, arrived at the group


def _empty() -> dict[str, Any]:
    return {"on_hand": 0, "by_status": {s.value: 0 for s in VehicleStatus}, "ageing": dict.fromkeys(BUCKETS, 0)}


def _add(line: dict[str, Any], status: str, arrived_at: datetime, now: datetime) -> None:
    line["by_status"][status] = line["by_status"].get(status, 0) + 1
    if status != VehicleStatus.DELIVERED:  # a delivered car has left stock: it no longer ages
        line["on_hand"] += 1
        line["ageing"][ageing_bucket(arrived_at, now)] += 1


def summarise(rows: Iterable[Row], now: datetime) -> dict[str, Any]:
    """Group cars into report lines, plus the totals line."""
    lines: dict[tuple[str, str, str], dict[str, Any]] = {}
    totals = _empty()
    for model, trim, color, status, arrived_at in rows:
        line = lines.setdefault((model, trim, color), {"model": model, "trim": trim, "color": color, **_empty()})
        _add(line, status, arrived_at, now)
        _add(totals, status, arrived_at, now)
    return {"items": [lines[key] for key in sorted(lines)], "totals": totals}


"""The stock report (库存报表): counts per model/trim/colour by status, and stock age (库龄).

Age counts from the car's arrival at the group, so a transfer between stores
never makes an old car look new.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from inventory.domain import VehicleStatus, ageing_bucket
from inventory.models import Vehicle

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


def stock_report(session: Session, now: datetime, kind: str | None, location: str | None) -> dict[str, Any]:
    """The report over the cars of one kind (all kinds when None), at one store or all."""
    query = select(Vehicle.model, Vehicle.trim, Vehicle.color, Vehicle.status, Vehicle.arrived_at)
    if kind:
        query = query.where(Vehicle.kind == kind)
    if location:
        query = query.where(Vehicle.location == location)
    rows = [(m, t, c, s, _aware(a, now)) for m, t, c, s, a in session.execute(query)]
    return {"as_of": now, "kind": kind, "location": location, **summarise(rows, now)}


def _aware(moment: datetime, now: datetime) -> datetime:
    """SQLite hands back naive datetimes; they were stored in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=now.tzinfo)

"""The stock report's arithmetic (库存报表): stock age (库龄) and counts per model/trim/colour by status.

Age counts in the store's calendar days (DEALER_TZ) from the car's first arrival at
the group, so a transfer between the group's stores never makes an old car look new.
Sale stock (库存车) and the fleet (试驾车 test-drive, 展车 demo) are kept on lines of
their own and totalled apart, so the fleet never swells the figures of what is for
sale. Pure: ``queries.stock_report`` reads the rows.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any, NamedTuple

from inventory.domain import VehicleKind, VehicleStatus

BUCKETS = ("0-30", "31-60", "61-90", "over_90")
KIND_RANK = {kind.value: rank for rank, kind in enumerate(VehicleKind)}  # stock first, then test_drive, demo


class Counted(NamedTuple):
    """How many cars of one kind and configuration are in one status and age band (``band``: ignored for
    delivered cars, which have left stock)."""

    kind: str
    model: str
    trim: str
    color: str
    status: str
    band: str
    count: int


def local_day(moment: datetime, zone: tzinfo) -> date:
    """The store's calendar day (DEALER_TZ) of an aware moment."""
    return moment.astimezone(zone).date()


def stock_age_days(arrived_at: datetime, until: datetime, zone: tzinfo) -> int:
    """Stock age (库龄) in store calendar days from the first arrival at the group to ``until``.

    A car in at 23:30 is a day old at midnight, as the store counts it; clock skew never makes it negative.
    """
    return max((local_day(until, zone) - local_day(arrived_at, zone)).days, 0)


BAND_LIMITS = (("0-30", 30), ("31-60", 60), ("61-90", 90))  # the oldest age in each band; older: over_90


def bucket_of_age(days: int) -> str:
    """The report's age band (0-30, 31-60, 61-90, over 90 days), so slow-selling models stand out."""
    return next((band for band, oldest in BAND_LIMITS if days <= oldest), "over_90")


def ageing_bucket(arrived_at: datetime, now: datetime, zone: tzinfo) -> str:
    """The age band of a car that first reached the group at ``arrived_at``."""
    return bucket_of_age(stock_age_days(arrived_at, now, zone))


def start_of_day(day: date, zone: tzinfo) -> datetime:
    """The first moment of a store day, in UTC (what the database compares)."""
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def arrival_window(today: date, zone: tzinfo, min_age_days: int | None,
                   max_age_days: int | None) -> tuple[datetime | None, datetime | None]:
    """The arrivals a stock-age filter asks for, as ``(arrived at or after, arrived before)`` in UTC.

    ``max_age_days=M`` keeps the cars in on day ``today - M`` or later; ``min_age_days=N`` those in on
    day ``today - N`` or earlier: bounds on ``arrived_at`` itself, so an index answers them.
    """
    earliest = start_of_day(today - timedelta(days=max_age_days), zone) if max_age_days is not None else None
    before = start_of_day(today - timedelta(days=min_age_days - 1), zone) if min_age_days is not None else None
    return earliest, before


def band_starts(today: date, zone: tzinfo) -> list[tuple[str, datetime]]:
    """Each band but the last with the earliest arrival (UTC) that still falls in it, youngest band first:
    a car is in the first band whose start it arrived at or after, else over_90. The same bands as
    ``bucket_of_age``, as bounds the database can compare ``arrived_at`` with."""
    return [(band, start_of_day(today - timedelta(days=oldest), zone)) for band, oldest in BAND_LIMITS]


STATUSES = tuple(status.value for status in VehicleStatus)


def _empty() -> dict[str, Any]:
    return {"on_hand": 0, "by_status": dict.fromkeys(STATUSES, 0), "ageing": dict.fromkeys(BUCKETS, 0)}


def _line(lines: dict[tuple[int, str, str, str], dict[str, Any]], kind: str, model: str, trim: str,
          color: str) -> dict[str, Any]:
    key = (KIND_RANK[kind], model, trim, color)
    line = lines.get(key)
    if line is None:
        line = lines[key] = {"kind": kind, "model": model, "trim": trim, "color": color, **_empty()}
    return line


def summarise(counted: Iterable[Counted], kinds: tuple[str, ...]) -> dict[str, Any]:
    """Report lines per kind and configuration, each kind's totals, and ``totals``: the sale stock's
    (or, when only one fleet kind is asked for, that kind's). A delivered car is counted by status only."""
    lines: dict[tuple[int, str, str, str], dict[str, Any]] = {}
    by_kind = {kind: _empty() for kind in kinds}
    for row in counted:
        for figures in (_line(lines, row.kind, row.model, row.trim, row.color), by_kind[row.kind]):
            figures["by_status"][row.status] += row.count
            if row.status != VehicleStatus.DELIVERED:  # a delivered car has left stock: it no longer ages
                figures["on_hand"] += row.count
                figures["ageing"][row.band] += row.count
    totals = by_kind[VehicleKind.STOCK] if VehicleKind.STOCK in by_kind else by_kind[kinds[0]]
    return {"items": [lines[key] for key in sorted(lines)], "totals": totals, "by_kind": by_kind}

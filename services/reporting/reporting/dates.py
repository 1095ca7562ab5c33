"""Times and store-local dates: an event counts on the day its business time falls in ``DEALER_TZ``.

Free of any framework: projections, reports and the rebuild all read dates through here.
"""
from __future__ import annotations

import os
import re
from datetime import UTC, date, datetime, timedelta
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from shared.domain import InvalidInput

MONTH = re.compile(r"^(\d{4})-(\d{2})$")


@cache
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def store_zone() -> ZoneInfo:
    """The store's timezone (``DEALER_TZ``): events count on its local dates."""
    return _zone(os.environ.get("DEALER_TZ") or "Asia/Shanghai")


def parse_time(value: Any) -> datetime | None:
    """An ISO 8601 time as an aware UTC datetime (naive counts as UTC); None when absent or unreadable."""
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return aware(moment)


def aware(moment: datetime) -> datetime:
    """SQLite returns naive datetimes: they were stored as UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def parse_date(value: Any) -> date | None:
    """An ISO date, or None when absent or unreadable."""
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def local_day(moment: datetime, tz: ZoneInfo) -> date:
    """The store-local calendar day of a moment."""
    return aware(moment).astimezone(tz).date()


def today(tz: ZoneInfo) -> date:
    """The store's date now."""
    return datetime.now(tz).date()


def month_range(month: str, field: str = "month") -> tuple[date, date]:
    """``2026-11`` -> (2026-11-01, 2026-11-30), or a 422 naming the field."""
    found = MONTH.match(month or "")
    if not found or not 1 <= int(found.group(2)) <= 12 or not 2000 <= int(found.group(1)) <= 2100:
        raise InvalidInput(field, "must be a month as YYYY-MM, between 2000 and 2100")
    first = date(int(found.group(1)), int(found.group(2)), 1)
    following = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    return first, following - timedelta(days=1)


def month_of(day: date) -> str:
    """``2026-11-05`` -> ``2026-11``."""
    return f"{day.year:04d}-{day.month:02d}"


def days_between(first: date, last: date) -> list[date]:
    """Every day from ``first`` to ``last`` inclusive."""
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]

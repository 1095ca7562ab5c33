"""The dates a report covers, from its query parameters, in store-local dates.

With no dates a report covers this month up to today; a range is inclusive at
both ends.
"""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from reporting.dates import MONTH, month_of, month_range
from shared.domain import InvalidInput

MAX_RANGE_DAYS = 3660


def date_range(args: dict[str, Any], today: date) -> tuple[date, date]:
    """``from``/``to`` with defaults: to today, from the first of ``to``'s month."""
    last = args.get("to") or today
    first = args.get("from_") or last.replace(day=1)
    if first > last:
        raise InvalidInput("to", "must be on or after from")
    if (last - first).days > MAX_RANGE_DAYS:
        raise InvalidInput("from", f"a range covers at most {MAX_RANGE_DAYS} days")
    return first, last


def sales_range(period: str, value: str | None, today: date) -> tuple[str, date, date]:
    """``period=day&date=2026-11-22`` or ``period=month&date=2026-11`` (a day of the month also works)."""
    if period == "month":
        month = value if value and MONTH.match(value) else month_of(_day(value, today))
        first, last = month_range(month, "date")
        return month, first, last
    day = _day(value, today)
    return day.isoformat(), day, day


def trailing_days(last: date | None, days: int, today: date) -> tuple[date, date]:
    """The ``days`` days ending on ``last`` (today by default)."""
    end = last or today
    if not 2000 <= end.year <= 2100:
        raise InvalidInput("to", "must be between the years 2000 and 2100")
    return end - timedelta(days=days - 1), end


def current_month(value: str | None, today: date) -> str:
    """The month asked for, or this month."""
    return value or month_of(today)


def _day(value: str | None, today: date) -> date:
    if not value:
        return today
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput("date", "must be a date as YYYY-MM-DD (or YYYY-MM with period=month)") from None

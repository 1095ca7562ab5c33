"""The store's after-sales terms, read from the environment in this one place.

Every setting has the store's default (see ``AfterSalesPolicy``); a store tunes
them with ``AFTER_SALES_*`` variables. A malformed value stops the process with
the variable's name rather than being silently ignored.
"""
from __future__ import annotations

import os
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from types import MappingProxyType
from zoneinfo import ZoneInfo

from after_sales.domain import DEFAULT_POLICY, GRADES, SEVERITIES, AfterSalesPolicy
from shared.config import load_settings

PREFIX = "AFTER_SALES_"
_WHOLE_NUMBERS = (
    "first_service_months", "first_service_km", "service_interval_months", "service_interval_km",
    "return_visit_days_after_delivery", "return_visit_days_after_service", "warranty_years", "warranty_km",
)


class PolicyError(ValueError):
    """A configuration variable holds something the store's terms cannot be built from."""


def _raw(environ: Mapping[str, str], name: str) -> str | None:
    value = environ.get(PREFIX + name.upper(), "").strip()
    return value or None


def _whole_number(name: str, raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise PolicyError(f"{PREFIX}{name.upper()} must be a whole number, not {raw!r}") from None
    if value < 0:
        raise PolicyError(f"{PREFIX}{name.upper()} cannot be negative")
    return value


def _pairs(name: str, raw: str) -> dict[str, str]:
    """``low=72,medium=48`` -> ``{"low": "72", "medium": "48"}``."""
    pairs = {}
    for part in raw.split(","):
        key, sep, value = part.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise PolicyError(f"{PREFIX}{name.upper()} must read like 'key=value,key=value', not {raw!r}")
        pairs[key.strip().lower()] = value.strip()
    return pairs


def _complaint_limits(raw: str) -> Mapping[str, int]:
    """Hours to resolve, per severity; a severity left out keeps the store's default."""
    given = _pairs("complaint_limits_hours", raw)
    unknown = set(given) - set(SEVERITIES)
    if unknown:
        raise PolicyError(f"{PREFIX}COMPLAINT_LIMITS_HOURS names unknown severities: {', '.join(sorted(unknown))}")
    limits = dict(DEFAULT_POLICY.complaint_limits_hours)
    limits.update({key: _whole_number("complaint_limits_hours", value) for key, value in given.items()})
    return MappingProxyType(limits)


def _grade_thresholds(raw: str) -> tuple[tuple[str, Decimal], ...]:
    """Spend floors per grade, highest first, whatever order they were written in."""
    floors = {}
    for grade, value in _pairs("grade_thresholds", raw).items():
        if grade not in GRADES or grade == "other":
            raise PolicyError(f"{PREFIX}GRADE_THRESHOLDS: unknown grade {grade!r} (vip, first, second)")
        try:
            floors[grade] = Decimal(value)
        except InvalidOperation:
            raise PolicyError(f"{PREFIX}GRADE_THRESHOLDS: {value!r} is not an amount") from None
    return tuple(sorted(floors.items(), key=lambda item: item[1], reverse=True))


def load_policy(environ: Mapping[str, str] | None = None) -> AfterSalesPolicy:
    """The store's terms: defaults, overridden by any ``AFTER_SALES_*`` variable set."""
    env = os.environ if environ is None else environ
    changes: dict[str, object] = {}
    for name in _WHOLE_NUMBERS:
        raw = _raw(env, name)
        if raw is not None:
            changes[name] = _whole_number(name, raw)
    limits, grades = _raw(env, "complaint_limits_hours"), _raw(env, "grade_thresholds")
    if limits is not None:
        changes["complaint_limits_hours"] = _complaint_limits(limits)
    if grades is not None:
        changes["grade_thresholds"] = _grade_thresholds(grades)
    return AfterSalesPolicy(**changes)  # type: ignore[arg-type]


def escalation_interval_seconds(environ: Mapping[str, str] | None = None) -> float:
    """How often the worker looks for complaints past their time limit (default a minute)."""
    raw = _raw(os.environ if environ is None else environ, "escalation_every_seconds")
    return float(_whole_number("escalation_every_seconds", raw)) if raw else 60.0


def store_zone() -> ZoneInfo:
    """The store's timezone (``DEALER_TZ``): it decides delivery dates and due dates."""
    return load_settings("after_sales").timezone

"""The KPI rules a sales team is paid on (DOMAIN.md, Reporting), free of any framework.

Each rate carries its numerator and denominator, so a manager can check it; a
rate whose denominator is 0 is 0.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

CONVERSION_WINDOW = timedelta(days=30)  # 30天转化率
SLOW_MOVER_DAYS = 60
FILING_CHANNELS = ("phone", "walk_in")  # 建卡率 counts calls and walk-ins
AGEING_BUCKETS = ("0-30", "31-60", "61-90", "over_90")  # 库龄
RATE_NAMES = ("filing_rate", "appointment_arrival_rate", "return_visit_rate", "test_drive_rate", "conversion_30d")
FUNNEL_STAGES = ("inquiries", "leads", "appointments", "visits", "test_drives", "orders", "deliveries")


@dataclass(frozen=True)
class Rate:
    """A KPI as a fraction a manager can check."""

    numerator: int
    denominator: int

    @property
    def value(self) -> float:
        return round(self.numerator / self.denominator, 4) if self.denominator else 0.0

    def details(self) -> dict[str, int]:
        return {"numerator": self.numerator, "denominator": self.denominator}


def converted_within_30_days(created_at: datetime | None, first_order_at: datetime | None) -> bool:
    """A lead converts when its first order comes within 30×24 hours of its filing."""
    if created_at is None or first_order_at is None:
        return False
    return first_order_at - created_at <= CONVERSION_WINDOW


def completion(delivered: int, target: int | None) -> float | None:
    """Target completion (销量完成率); None when no target was set."""
    if not target:
        return None
    return round(delivered / target, 4)


def rank_consultants(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Most units delivered first, then best completion, then by id; each row gets its rank."""
    ordered = sorted(rows, key=lambda r: (-r["deliveries"], -(r["completion"] or 0.0), r["consultant_id"]))
    return [{**row, "rank": place} for place, row in enumerate(ordered, start=1)]


def stock_age_days(arrived_at: datetime, now: datetime) -> int:
    """Whole days since the car reached the group; a transfer does not reset it."""
    return max((now - arrived_at).days, 0)


def ageing_bucket(age_days: int) -> str:
    """The stock report's age band: 0–30, 31–60, 61–90, over 90 days."""
    if age_days <= 30:
        return "0-30"
    if age_days <= 60:
        return "31-60"
    if age_days <= 90:
        return "61-90"
    return "over_90"


def is_slow_mover(oldest_age_days: int, last_model_delivery: date | None, today: date) -> bool:
    """Stock older than 60 days of a model that has not sold in the last 60 days: stock less of it."""
    if oldest_age_days <= SLOW_MOVER_DAYS:
        return False
    return last_model_delivery is None or (today - last_model_delivery).days > SLOW_MOVER_DAYS


def share(part: int, whole: int) -> float:
    """A part of a whole, as a fraction with four places (model mix, 车型销售比例)."""
    return round(part / whole, 4) if whole else 0.0

"""The stock report's grouping and ageing, from plain rows."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from inventory.stock import summarise

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def row(color: str, status: str, days: int) -> tuple[str, str, str, str, datetime]:
    return ("Aurora", "2.0T Luxury", color, status, NOW - timedelta(days=days))


def test_cars_are_counted_per_configuration_by_status_and_age() -> None:
    report = summarise([row("white", "available", 10), row("white", "reserved", 95), row("black", "on_hold", 45)],
                       NOW)
    black, white = report["items"]
    assert (black["color"], black["by_status"]["on_hold"], black["ageing"]["31-60"]) == ("black", 1, 1)
    assert white["by_status"]["available"] == white["by_status"]["reserved"] == 1
    assert white["ageing"] == {"0-30": 1, "31-60": 0, "61-90": 0, "over_90": 1}
    assert report["totals"]["on_hand"] == 3


def test_a_delivered_car_is_counted_by_status_but_no_longer_on_hand_or_ageing() -> None:
    report = summarise([row("white", "delivered", 200)], NOW)
    line = report["items"][0]
    assert line["by_status"]["delivered"] == 1 and line["on_hand"] == 0
    assert sum(line["ageing"].values()) == 0


def test_an_empty_stock_gives_zero_totals() -> None:
    report = summarise([], NOW)
    assert report["items"] == [] and report["totals"]["on_hand"] == 0

"""Stock age (库龄) in store days, the age filters' bounds, and the report's grouping, from plain rows."""
from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from inventory.stock import (
    Counted,
    ageing_bucket,
    arrival_window,
    band_starts,
    bucket_of_age,
    stock_age_days,
    summarise,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")  # UTC+8, no summer time
NOW = datetime(2026, 11, 22, 4, 0, tzinfo=UTC)  # 12:00 on 22 November in Shanghai
ALL = ("stock", "test_drive", "demo")


@pytest.mark.parametrize("days, bucket", [(0, "0-30"), (30, "0-30"), (31, "31-60"), (60, "31-60"),
                                          (61, "61-90"), (90, "61-90"), (91, "over_90")])
def test_ageing_buckets_count_whole_store_days_since_first_arrival(days: int, bucket: str) -> None:
    assert ageing_bucket(NOW - timedelta(days=days), NOW, SHANGHAI) == bucket


def test_a_car_in_late_in_the_evening_is_a_day_old_after_the_stores_midnight() -> None:
    # in at 23:30 on 21 Nov (15:30 UTC), looked at 00:10 on 22 Nov (16:10 UTC): 40 minutes, yet one store day
    arrived, looked = datetime(2026, 11, 21, 15, 30, tzinfo=UTC), datetime(2026, 11, 21, 16, 10, tzinfo=UTC)
    assert stock_age_days(arrived, looked, SHANGHAI) == 1
    assert stock_age_days(arrived, looked, UTC) == 0  # the same moments are one UTC day: the zone decides


def test_clock_skew_never_gives_a_negative_stock_age() -> None:
    assert stock_age_days(NOW + timedelta(days=1), NOW, SHANGHAI) == 0


def test_an_age_filter_becomes_bounds_on_the_arrival_at_store_midnights() -> None:
    # today 22 Nov; max 10 days: in on 12 Nov or later -> from 12 Nov 00:00 +08:00 = 11 Nov 16:00 UTC;
    # min 31 days: in on 22 Nov - 31 = 22 Oct or earlier -> before 23 Oct 00:00 +08:00 = 22 Oct 16:00 UTC
    earliest, before = arrival_window(date(2026, 11, 22), SHANGHAI, 31, 10)
    assert earliest == datetime(2026, 11, 11, 16, 0, tzinfo=UTC)
    assert before == datetime(2026, 10, 22, 16, 0, tzinfo=UTC)
    assert arrival_window(date(2026, 11, 22), SHANGHAI, None, None) == (None, None)


def test_min_age_zero_keeps_todays_arrivals() -> None:
    # min 0: in on 22 Nov or earlier -> before 23 Nov 00:00 +08:00 = 22 Nov 16:00 UTC
    assert arrival_window(date(2026, 11, 22), SHANGHAI, 0, None)[1] == datetime(2026, 11, 22, 16, 0, tzinfo=UTC)


def counted(color: str, status: str, days: int, kind: str = "stock", count: int = 1) -> Counted:
    """What the database counts for ``count`` cars of one configuration and status, ``days`` old."""
    return Counted(kind, "Aurora", "2.0T Luxury", color, status, ageing_bucket(NOW - timedelta(days=days), NOW,
                                                                               SHANGHAI), count)


@pytest.mark.parametrize("days", range(0, 100))
def test_the_band_bounds_the_database_compares_agree_with_the_store_day_age(days: int) -> None:
    today = date(2026, 11, 22)
    starts = band_starts(today, SHANGHAI)
    for clock in (time(0, 0), time(23, 59)):
        arrived = datetime.combine(today - timedelta(days=days), clock, tzinfo=SHANGHAI).astimezone(UTC)
        by_bounds = next((band for band, start in starts if arrived >= start), "over_90")
        assert by_bounds == bucket_of_age(days)


def test_the_bands_start_at_store_midnights_30_60_and_90_days_back() -> None:
    # 22 Nov - 30 days = 23 Oct 00:00 +08:00 = 22 Oct 16:00 UTC; - 60 = 23 Sep; - 90 = 24 Aug
    assert band_starts(date(2026, 11, 22), SHANGHAI) == [
        ("0-30", datetime(2026, 10, 22, 16, 0, tzinfo=UTC)), ("31-60", datetime(2026, 9, 22, 16, 0, tzinfo=UTC)),
        ("61-90", datetime(2026, 8, 23, 16, 0, tzinfo=UTC))]


def test_cars_are_counted_per_configuration_by_status_and_age() -> None:
    report = summarise([counted("white", "available", 10), counted("white", "reserved", 95),
                        counted("black", "on_hold", 45)], ("stock",))
    black, white = report["items"]
    assert (black["color"], black["by_status"]["on_hold"], black["ageing"]["31-60"]) == ("black", 1, 1)
    assert white["by_status"]["available"] == white["by_status"]["reserved"] == 1
    assert white["ageing"] == {"0-30": 1, "31-60": 0, "61-90": 0, "over_90": 1}
    assert report["totals"]["on_hand"] == 3


def test_a_delivered_car_is_counted_by_status_but_not_on_hand_nor_in_the_ageing() -> None:
    report = summarise([counted("white", "delivered", 200, count=2)], ("stock",))
    line = report["items"][0]
    assert line["by_status"]["delivered"] == 2 and line["on_hand"] == 0
    assert sum(line["ageing"].values()) == 0


def test_the_fleet_sits_on_lines_of_its_own_and_never_in_the_sale_stocks_totals() -> None:
    rows = [counted("white", "available", 5), counted("white", "available", 100, "test_drive"),
            counted("white", "available", 40, "demo")]
    report = summarise(rows, ALL)
    assert [line["kind"] for line in report["items"]] == ["stock", "test_drive", "demo"]
    # sale stock: the one car aged 5 days; the fleet cars (100 and 40 days) are not in it
    assert report["totals"]["on_hand"] == 1 and report["totals"]["ageing"]["0-30"] == 1
    assert report["by_kind"]["test_drive"]["ageing"]["over_90"] == 1
    assert report["by_kind"]["demo"]["ageing"]["31-60"] == 1


def test_asking_for_one_fleet_kind_totals_that_kind() -> None:
    report = summarise([counted("white", "available", 3, "test_drive")], ("test_drive",))
    assert report["totals"]["on_hand"] == 1 and list(report["by_kind"]) == ["test_drive"]


def test_an_empty_stock_gives_zero_totals() -> None:
    report = summarise([], ALL)
    assert report["items"] == [] and report["totals"]["on_hand"] == 0

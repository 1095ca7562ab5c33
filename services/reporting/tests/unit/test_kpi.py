"""The KPI rules themselves, free of any database."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from reporting.domain import (
    CampaignLead,
    Rate,
    ageing_bucket,
    campaign_stages,
    completion,
    converted_within_30_days,
    filed_in_time,
    is_slow_mover,
    last_judged_filing_day,
    rank_consultants,
    stock_age_days,
)

FILED = datetime(2026, 11, 1, 10, 0, tzinfo=UTC)


def test_a_rate_with_no_denominator_is_zero_and_still_shows_its_parts() -> None:
    assert Rate(0, 0).value == 0.0
    assert Rate(0, 0).details() == {"numerator": 0, "denominator": 0}
    assert Rate(1, 3).value == 0.3333


def test_an_order_exactly_30_days_after_filing_converts_one_second_later_does_not() -> None:
    assert converted_within_30_days(FILED, FILED + timedelta(days=30))
    assert not converted_within_30_days(FILED, FILED + timedelta(days=30, seconds=1))
    assert not converted_within_30_days(FILED, None)
    assert not converted_within_30_days(None, FILED)


def test_a_contact_is_filed_in_time_by_the_end_of_the_next_local_day_and_not_after() -> None:
    called = date(2026, 11, 10)
    assert filed_in_time(called, date(2026, 11, 10))  # the same day
    assert filed_in_time(called, date(2026, 11, 11))  # the next day, at any hour
    assert not filed_in_time(called, date(2026, 11, 12))  # the day after that: too late
    assert not filed_in_time(called, None)  # never filed
    assert not filed_in_time(None, date(2026, 11, 10))  # the contact itself not heard of yet


def test_leads_filed_31_days_or_more_before_today_are_judged_younger_ones_are_not() -> None:
    # filed on 5 November at 23:59: its 30 days run to 5 December 23:59, so on 6 December it is judged
    assert last_judged_filing_day(date(2026, 12, 6)) == date(2026, 11, 5)
    assert last_judged_filing_day(date(2026, 3, 2)) == date(2026, 1, 30)  # 2 March - 31 days


def test_a_rate_shows_what_it_leaves_out_beside_its_parts() -> None:
    rate = Rate(2, 4, (("not_yet_30_days", 3), ("ordered_so_far", 1)))
    assert rate.value == 0.5  # 2 / 4: the three young leads are on neither side
    assert rate.details() == {"numerator": 2, "denominator": 4, "not_yet_30_days": 3, "ordered_so_far": 1}


def test_ageing_buckets_are_0_30_31_60_61_90_and_over_90_days() -> None:
    assert [ageing_bucket(d) for d in (0, 30, 31, 60, 61, 90, 91)] == [
        "0-30", "0-30", "31-60", "31-60", "61-90", "61-90", "over_90"]


def test_stock_age_counts_whole_days_and_never_goes_negative() -> None:
    now = datetime(2026, 11, 22, 12, tzinfo=UTC)
    assert stock_age_days(now - timedelta(days=61, hours=1), now) == 61
    assert stock_age_days(now + timedelta(hours=3), now) == 0


def test_a_slow_mover_is_older_than_60_days_with_no_sale_of_its_model_in_60_days() -> None:
    today = date(2026, 11, 22)
    assert is_slow_mover(61, None, today)
    assert is_slow_mover(61, today - timedelta(days=61), today)
    assert not is_slow_mover(61, today - timedelta(days=60), today)
    assert not is_slow_mover(60, None, today)


def test_completion_is_deliveries_over_target_and_none_without_a_target() -> None:
    assert completion(3, 4) == 0.75
    assert completion(5, 4) == 1.25
    assert completion(2, None) is None
    assert completion(2, 0) is None


def test_consultants_rank_by_units_delivered_then_completion_then_id() -> None:
    rows = [{"consultant_id": "c3", "deliveries": 2, "completion": 0.5},
            {"consultant_id": "c1", "deliveries": 2, "completion": 1.0},
            {"consultant_id": "c2", "deliveries": 4, "completion": None},
            {"consultant_id": "c0", "deliveries": 2, "completion": 0.5}]
    ranked = rank_consultants(rows)
    assert [(r["rank"], r["consultant_id"]) for r in ranked] == [(1, "c2"), (2, "c1"), (3, "c0"), (4, "c3")]


def test_a_campaigns_stages_after_arrival_count_only_what_came_on_or_after_the_arrival_day() -> None:
    show = date(2026, 11, 14)
    before, after = show - timedelta(days=1), show + timedelta(days=2)
    leads = [
        CampaignLead(True, show, (show,), ((after, True),)),  # all the way
        CampaignLead(True, after, (before,), ((before, True),)),  # drove and ordered before arriving
        CampaignLead(True, None, (show,), ((show, True),)),  # invited, never came: nothing after
        CampaignLead(False, show, (after,), ((after, False), (before, True))),  # a walk-in; ordered, not delivered
    ]
    assert campaign_stages(leads) == {"invited": 3, "arrived": 3, "test_drives": 2, "orders": 2, "deliveries": 1}
    assert campaign_stages([]) == {"invited": 0, "arrived": 0, "test_drives": 0, "orders": 0, "deliveries": 0}

"""The pay rules on their own (DOMAIN.md, "Groups, targets, scorecards and pay"): on-time meetings, line scores,
commission per unit, deductions and the floor at zero, a moved consultant's target split by days."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from reporting.meetings.domain import HeldMeeting, days_due, is_on_time, on_time_slots
from reporting.pay.domain import classes_short, day_share, line_score, net_commission, rate_per_unit, weights_problem

SHANGHAI = ZoneInfo("Asia/Shanghai")


def held(kind: str, hour: int, minute: int, minutes: bool = True, day: int = 20) -> HeldMeeting:
    return HeldMeeting(kind, datetime(2026, 11, day, hour, minute, tzinfo=SHANGHAI), minutes)


def test_a_meeting_is_on_time_inside_its_window_both_ends_included_and_with_minutes() -> None:
    assert [is_on_time(held("morning", h, m)) for h, m in ((8, 29), (8, 30), (9, 15), (9, 16))] == [
        False, True, True, False]
    assert [is_on_time(held("evening", h, m)) for h, m in ((16, 29), (16, 30), (17, 15), (17, 16))] == [
        False, True, True, False]
    assert not is_on_time(held("morning", 9, 0, minutes=False))
    assert not is_on_time(held("weekly", 9, 0))


def test_slots_due_are_two_per_working_day_up_to_today_and_each_counts_once() -> None:
    # 16–22 November 2026: Monday to Sunday; today the 20th: Mon–Fri 16–20 = 5 days, 10 slots
    due = days_due(date(2026, 11, 16), date(2026, 11, 22), date(2026, 11, 20), (1, 2, 3, 4, 5, 6))
    assert due == [date(2026, 11, d) for d in range(16, 21)]
    meetings = [held("morning", 9, 0), held("morning", 8, 45), held("evening", 17, 0, day=19),
                held("morning", 9, 0, day=22)]  # the 20th twice; a Sunday: no slot
    assert on_time_slots(meetings, due) == (2, 10)


def test_a_line_scores_weight_times_actual_over_target_capped_at_one() -> None:
    # 0.15 × (0.75 ÷ 0.90) × 100 = 12.5; 0.10 × min(0.3333 ÷ 0.23, 1) × 100 = 10
    assert line_score(Decimal("0.15"), Decimal("0.90"), Decimal("0.75")) == Decimal("12.5")
    assert line_score(Decimal("0.10"), Decimal("0.23"), Decimal(1) / 3) == Decimal(10)
    assert weights_problem([Decimal("0.25"), Decimal("0.80")]) == "the weights add up to 105.00%, not 100%"
    assert weights_problem([Decimal("0.20"), Decimal("0.80")]) is None


def test_commission_is_50_a_unit_at_full_completion_less_each_short_class_and_never_below_zero() -> None:
    assert rate_per_unit(Decimal("1.2")) == 50 and rate_per_unit(Decimal("0.8")) == 40 and rate_per_unit(None) == 0
    # SUV 17 of 20 = 85% is short; sedan 9 of 10 = 90% is not; MPV has no target: not checked
    short = classes_short({"SUV": 17, "sedan": 9, "MPV": 3}, {"SUV": Decimal(20), "sedan": Decimal(10)})
    assert short == ["SUV"]
    assert net_commission(14, Decimal("1.2"), short, {"SUV": Decimal(300)}) == (
        Decimal("700.00"), Decimal("300.00"), Decimal("400.00"))
    assert net_commission(1, Decimal("1.2"), short, {}) == (Decimal("50.00"), Decimal("200.00"), Decimal("0.00"))


def test_a_moved_consultants_target_is_split_by_the_days_in_each_group() -> None:
    # 6 units, 10 of 30 days in one group and 20 in the other: 2 and 4
    assert (day_share(6, 10, 30), day_share(6, 20, 30)) == (Decimal(2), Decimal(4))

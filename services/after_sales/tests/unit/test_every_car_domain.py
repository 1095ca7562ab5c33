"""Pure rules of issue 17: plans and projected mileage, reminder calls, appointments, CSI and NPS, the grade's
12 months, the address mask."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from after_sales import domain
from after_sales.customers.views import mask_address
from after_sales.domain import DEFAULT_POLICY, Due
from after_sales.maintenance import domain as maintenance
from after_sales.maintenance.domain import Plan, Reading
from shared.domain import DomainError, InvalidInput

BEIJING = timezone(timedelta(hours=8))


def test_without_a_plan_the_first_service_then_the_regular_interval_of_the_store_apply() -> None:
    assert maintenance.plan_of(None, None, DEFAULT_POLICY, first_service=True) == Plan(6, 5000)
    assert maintenance.plan_of(None, None, DEFAULT_POLICY, first_service=False) == Plan(6, 5000)
    assert maintenance.plan_of(3, 8000, DEFAULT_POLICY, first_service=True) == Plan(3, 8000)


def test_the_next_service_is_plan_months_after_the_last_reading_or_at_its_km_plus_the_plan() -> None:
    # 31 August + 4 months = 31 December; 12,300 + 7,500 = 19,800 km.
    assert maintenance.due_after(Reading(date(2026, 8, 31), 12300), Plan(4, 7500)) == Due(date(2026, 12, 31), 19800)


def test_daily_km_comes_from_the_last_two_readings_only_when_the_car_moved_forward() -> None:
    assert maintenance.daily_km(Reading(date(2026, 1, 1), 1000), Reading(date(2026, 1, 11), 3000)) == 200.0
    assert maintenance.daily_km(None, Reading(date(2026, 1, 11), 3000)) is None
    assert maintenance.daily_km(Reading(date(2026, 1, 11), 1000), Reading(date(2026, 1, 11), 3000)) is None
    assert maintenance.daily_km(Reading(date(2026, 1, 1), 3000), Reading(date(2026, 1, 11), 3000)) is None


def test_the_reminder_is_due_when_the_projected_km_is_reached_if_before_the_due_date() -> None:
    last = Reading(date(2026, 1, 11), 3000)
    due = Due(date(2026, 7, 11), 8000)
    # 5,000 km to go at 200 km a day: 25 days, 5 February.
    assert maintenance.remind_on(due, last, 200.0) == date(2026, 2, 5)
    # 5,000 km at 10 km a day: 500 days, after the due date, which stays.
    assert maintenance.remind_on(due, last, 10.0) == date(2026, 7, 11)
    # 5,000 km at 300 km a day: 16.7 days, rounded up to 17: 28 January.
    assert maintenance.remind_on(due, last, 300.0) == date(2026, 1, 28)
    assert maintenance.remind_on(due, last, None) == date(2026, 7, 11)


def test_no_answer_keeps_a_reminder_open_the_other_outcomes_close_it_as_themselves() -> None:
    assert [maintenance.reminder_status(o) for o in maintenance.CALL_OUTCOMES] == [
        "booked", "declined", "open", "wrong_number"]
    with pytest.raises(InvalidInput):
        maintenance.reminder_status("maybe")
    with pytest.raises(DomainError):
        maintenance.check_reminder_open("declined")


def test_only_a_booked_call_names_a_time_and_it_is_in_the_coming_year() -> None:
    now = datetime(2026, 12, 6, 10, tzinfo=UTC)
    maintenance.check_call("booked", now + timedelta(hours=1), now)
    maintenance.check_call("declined", None, now)
    for outcome, when in (("booked", None), ("no_answer", now + timedelta(hours=1)), ("booked", now),
                          ("booked", now + timedelta(days=367))):
        with pytest.raises(InvalidInput) as caught:
            maintenance.check_call(outcome, when, now)
        assert caught.value.field == "scheduled_at"


def test_an_appointment_is_missed_once_its_local_day_has_ended() -> None:
    # 16:30 UTC on 6 December is 00:30 on 7 December in Beijing: the cutoff is 7 December 00:00 Beijing.
    cutoff = maintenance.missed_cutoff(datetime(2026, 12, 6, 16, 30, tzinfo=UTC), BEIJING)
    assert cutoff == datetime(2026, 12, 7, 0, 0, tzinfo=BEIJING)
    assert maintenance.close_appointment("booked", "kept") == "kept"
    with pytest.raises(DomainError):
        maintenance.close_appointment("cancelled", "kept")


def test_plans_a_workshop_can_follow_and_none_other() -> None:
    assert maintenance.check_plan(1, 1000) == Plan(1, 1000)
    assert maintenance.check_plan(36, 100000) == Plan(36, 100000)
    for months, km, field in ((0, 5000, "interval_months"), (37, 5000, "interval_months"),
                              (6, 999, "interval_km"), (6, 100001, "interval_km")):
        with pytest.raises(InvalidInput) as caught:
            maintenance.check_plan(months, km)
        assert caught.value.field == field


def test_csi_is_the_mean_of_the_three_1_to_5_answers_to_two_places() -> None:
    assert domain.csi({"sales_process": 5, "delivery": 4, "facility": 4, "recommend": 0}) == Decimal("4.33")
    assert domain.csi({"sales_process": 5, "delivery": 5, "facility": 4, "recommend": 0}) == Decimal("4.67")
    assert domain.satisfaction_of(Decimal("2.50")) == 3 and domain.satisfaction_of(Decimal("2.33")) == 2


def test_nps_is_the_percentage_of_promoters_minus_the_percentage_of_detractors() -> None:
    # Promoters 9-10, detractors 0-6: [10, 9, 8, 7, 6, 0] is 2 - 2 of 6 = 0.
    assert domain.nps([10, 9, 8, 7, 6, 0]) == Decimal("0.0")
    # [10, 10, 9, 6]: 3 promoters, 1 detractor of 4 = 50.
    assert domain.nps([10, 10, 9, 6]) == Decimal("50.0")
    # [0, 5, 9]: 1 - 2 of 3 = -33.3.
    assert domain.nps([0, 5, 9]) == Decimal("-33.3")
    assert domain.nps([]) is None


def test_the_questionnaire_needs_all_four_answers_in_range() -> None:
    good = {"sales_process": 1, "delivery": 5, "facility": 3, "recommend": 0}
    assert domain.check_answers(good) == good
    for name, value in (("facility", 0), ("recommend", 11), ("delivery", True), ("sales_process", None)):
        with pytest.raises(InvalidInput) as caught:
            domain.check_answers({**good, name: value})
        assert caught.value.field == f"answers.{name}"


def test_the_grade_counts_spend_from_12_months_back_to_today() -> None:
    assert domain.spend_window_start(date(2026, 12, 6)) == date(2025, 12, 7)
    assert domain.spend_window_start(date(2024, 2, 29)) == date(2023, 3, 1)  # 28 Feb 2023 + 1 day


def test_an_address_shows_its_district_at_most() -> None:
    assert mask_address("上海市浦东新区世纪大道100号") == "上海市浦东新区****"
    assert mask_address("北京市朝阳区建国路1号") == "北京市朝阳区****"
    assert mask_address("Room 5, 88 Nanjing Road") == "Roo****"
    assert mask_address(None) is None

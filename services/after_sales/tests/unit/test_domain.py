"""Rules of after-sales coordination (售后), checked without Flask, SQL or a broker."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from after_sales.domain import (
    DEFAULT_POLICY,
    AfterSalesPolicy,
    Due,
    add_months,
    check_service_record,
    check_warranty,
    complaint_deadline,
    complaint_from_return_visit,
    customer_grade,
    customer_spend,
    decide_claim,
    first_service_due,
    is_due,
    local_date,
    next_service_due,
    normalise_plate,
    opens_complaint,
    resolve,
    return_visit_date,
    should_escalate,
    validate_satisfaction,
)
from shared.domain import DomainError, InvalidInput

BEIJING = timezone(timedelta(hours=8))
OPENED = datetime(2025, 3, 1, 9, 0, tzinfo=BEIJING)


# --- calendar months ---


def test_adding_months_keeps_the_day_of_month() -> None:
    assert add_months(date(2025, 1, 15), 6) == date(2025, 7, 15)


def test_adding_months_clamps_to_end_of_february() -> None:
    assert add_months(date(2025, 8, 31), 6) == date(2026, 2, 28)


def test_adding_months_clamps_to_leap_day_in_a_leap_year() -> None:
    assert add_months(date(2023, 8, 31), 6) == date(2024, 2, 29)


def test_adding_months_rolls_over_the_year() -> None:
    assert add_months(date(2025, 11, 30), 3) == date(2026, 2, 28)


def test_adding_months_can_step_backwards() -> None:
    assert add_months(date(2025, 3, 31), -1) == date(2025, 2, 28)


# --- policy ---


def test_policy_defaults_are_the_stores_terms() -> None:
    policy = AfterSalesPolicy()
    assert (policy.first_service_months, policy.first_service_km) == (6, 5000)
    assert (policy.service_interval_months, policy.service_interval_km) == (6, 5000)
    assert policy.warranty_years == 3 and policy.warranty_km == 100000
    assert dict(policy.complaint_limits_hours) == {
        "low": 72,
        "medium": 48,
        "high": 24,
        "critical": 4,
    }


def test_policy_cannot_be_changed_in_place() -> None:
    with pytest.raises(AttributeError):
        DEFAULT_POLICY.warranty_years = 5  # type: ignore[misc]
    with pytest.raises(TypeError):
        DEFAULT_POLICY.complaint_limits_hours["low"] = 1  # type: ignore[index]


# --- maintenance reminders (保养提醒) ---


def test_first_service_is_due_six_months_after_delivery() -> None:
    assert first_service_due(date(2025, 1, 10)) == Due(date(2025, 7, 10), 5000)


def test_first_service_due_date_clamps_to_month_end() -> None:
    assert first_service_due(date(2025, 8, 31)).due_on == date(2026, 2, 28)


def test_first_service_follows_a_stores_own_policy() -> None:
    policy = AfterSalesPolicy(first_service_months=3, first_service_km=3000)
    assert first_service_due(date(2025, 1, 10), policy) == Due(date(2025, 4, 10), 3000)


def test_next_service_is_due_six_months_or_5000_km_after_a_service() -> None:
    assert next_service_due(date(2025, 7, 10), 4800) == Due(date(2026, 1, 10), 9800)


def test_next_service_refuses_negative_mileage() -> None:
    with pytest.raises(InvalidInput) as caught:
        next_service_due(date(2025, 7, 10), -1)
    assert caught.value.field == "mileage_km"


def test_service_is_due_on_its_due_date() -> None:
    due = Due(date(2025, 7, 10), 5000)
    assert is_due(due, date(2025, 7, 10), None, 0)


def test_service_is_not_due_the_day_before_without_a_window() -> None:
    due = Due(date(2025, 7, 10), 5000)
    assert not is_due(due, date(2025, 7, 9), 1000, 0)


def test_service_is_due_when_its_date_falls_inside_the_reminder_window() -> None:
    due = Due(date(2025, 7, 10), 5000)
    assert is_due(due, date(2025, 7, 3), None, 7)
    assert not is_due(due, date(2025, 7, 2), None, 7)


def test_service_is_due_when_mileage_reaches_due_km_before_the_date() -> None:
    due = Due(date(2025, 7, 10), 5000)
    assert is_due(due, date(2025, 3, 1), 5000, 0)
    assert not is_due(due, date(2025, 3, 1), 4999, 0)


def test_unknown_mileage_leaves_only_the_date_to_decide() -> None:
    due = Due(date(2025, 7, 10), 5000)
    assert not is_due(due, date(2025, 3, 1), None, 0)


def test_reminder_window_cannot_be_negative() -> None:
    with pytest.raises(InvalidInput) as caught:
        is_due(Due(date(2025, 7, 10), 5000), date(2025, 3, 1), None, -1)
    assert caught.value.field == "window_days"


# --- return visits (回访) ---


def test_return_visit_is_three_days_after_delivery() -> None:
    assert return_visit_date(date(2025, 2, 27), "delivery") == date(2025, 3, 2)


def test_return_visit_is_two_days_after_a_service() -> None:
    assert return_visit_date(date(2025, 12, 31), "service") == date(2026, 1, 2)


def test_return_visit_refuses_an_unknown_kind() -> None:
    with pytest.raises(InvalidInput) as caught:
        return_visit_date(date(2025, 3, 1), "repair")  # type: ignore[arg-type]
    assert caught.value.field == "kind"


@pytest.mark.parametrize("score", [1, 5])
def test_satisfaction_accepts_scores_one_to_five(score: int) -> None:
    assert validate_satisfaction(score) == score


@pytest.mark.parametrize("score", [0, 6, -1, True, 3.5])
def test_satisfaction_outside_one_to_five_is_refused(score: int) -> None:
    with pytest.raises(InvalidInput) as caught:
        validate_satisfaction(score)
    assert caught.value.field == "satisfaction"


@pytest.mark.parametrize(
    ("score", "opens"), [(1, True), (2, True), (3, False), (5, False)]
)
def test_a_score_of_one_or_two_opens_a_complaint(score: int, opens: bool) -> None:
    assert opens_complaint(score) is opens


def test_an_invalid_score_opens_no_complaint_but_is_refused() -> None:
    with pytest.raises(InvalidInput):
        opens_complaint(0)


# --- complaints (投诉) ---


@pytest.mark.parametrize(
    ("severity", "hours"), [("low", 72), ("medium", 48), ("high", 24), ("critical", 4)]
)
def test_complaint_deadline_depends_on_severity(severity: str, hours: int) -> None:
    assert complaint_deadline(OPENED, severity) == OPENED + timedelta(hours=hours)


def test_complaint_with_unknown_severity_is_refused() -> None:
    with pytest.raises(InvalidInput) as caught:
        complaint_deadline(OPENED, "urgent")
    assert caught.value.field == "severity"


def test_complaint_deadline_needs_a_timezone() -> None:
    with pytest.raises(InvalidInput) as caught:
        complaint_deadline(datetime(2025, 3, 1, 9, 0), "low")
    assert caught.value.field == "opened_at"


def test_open_complaint_past_its_deadline_is_escalated() -> None:
    deadline = complaint_deadline(OPENED, "critical")
    assert should_escalate("open", False, deadline, deadline + timedelta(seconds=1))


def test_complaint_is_not_escalated_at_its_deadline_exactly() -> None:
    deadline = complaint_deadline(OPENED, "critical")
    assert not should_escalate("open", False, deadline, deadline)


def test_complaint_is_escalated_once_only() -> None:
    deadline = complaint_deadline(OPENED, "high")
    assert not should_escalate("open", True, deadline, deadline + timedelta(days=3))


def test_resolved_complaint_is_never_escalated() -> None:
    deadline = complaint_deadline(OPENED, "high")
    assert not should_escalate(
        "resolved", False, deadline, deadline + timedelta(days=3)
    )


def test_escalation_compares_instants_across_timezones() -> None:
    deadline = complaint_deadline(OPENED, "critical")  # 13:00 Beijing = 05:00 UTC
    assert should_escalate(
        "open", False, deadline, datetime(2025, 3, 1, 5, 1, tzinfo=UTC)
    )
    assert not should_escalate(
        "open", False, deadline, datetime(2025, 3, 1, 5, 0, tzinfo=UTC)
    )


def test_escalation_needs_a_timezone() -> None:
    with pytest.raises(InvalidInput) as caught:
        should_escalate("open", False, OPENED, datetime(2025, 3, 2))
    assert caught.value.field == "now"


def test_open_complaint_is_resolved_with_a_note() -> None:
    assert resolve("open", "replaced the wiper, customer satisfied") == "resolved"


def test_already_resolved_complaint_cannot_be_resolved_again() -> None:
    with pytest.raises(DomainError) as caught:
        resolve("resolved", "again")
    assert not isinstance(caught.value, InvalidInput)


@pytest.mark.parametrize("note", ["", "   "])
def test_complaint_needs_a_note_to_be_resolved(note: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        resolve("open", note)
    assert caught.value.field == "note"


def test_complaint_with_unknown_status_cannot_be_resolved() -> None:
    with pytest.raises(InvalidInput) as caught:
        resolve("escalated", "note")
    assert caught.value.field == "status"


# --- warranty (保修) and insurance (保险理赔) claims ---

DELIVERED = date(2024, 1, 15)


def test_claim_within_three_years_and_100000_km_is_covered() -> None:
    check_warranty(DELIVERED, date(2027, 1, 14), 100000)


def test_claim_on_the_third_delivery_anniversary_is_out_of_warranty() -> None:
    with pytest.raises(DomainError, match=r"3 years ended on 2027-01-14"):
        check_warranty(DELIVERED, date(2027, 1, 15), 20000)


def test_claim_past_100000_km_is_out_of_warranty_even_within_three_years() -> None:
    with pytest.raises(DomainError, match=r"100000 km, car has 100001 km"):
        check_warranty(DELIVERED, date(2025, 1, 15), 100001)


def test_claim_past_both_limits_names_both() -> None:
    with pytest.raises(DomainError, match=r"ended on 2027-01-14; .*100000 km"):
        check_warranty(DELIVERED, date(2028, 1, 1), 150000)


def test_claim_with_unknown_mileage_is_judged_by_date_alone() -> None:
    check_warranty(DELIVERED, date(2026, 6, 1), None)


def test_warranty_from_a_leap_day_ends_with_february() -> None:
    with pytest.raises(DomainError, match=r"ended on 2027-02-27"):
        check_warranty(date(2024, 2, 29), date(2027, 2, 28), None)


def test_warranty_claim_before_delivery_is_refused() -> None:
    with pytest.raises(InvalidInput) as caught:
        check_warranty(DELIVERED, date(2024, 1, 14), 10)
    assert caught.value.field == "claim_date"


def test_filed_claim_can_be_approved() -> None:
    assert decide_claim("filed", True, "") == "approved"


def test_filed_claim_can_be_rejected_with_a_reason() -> None:
    assert decide_claim("filed", False, "damage caused by flooding") == "rejected"


@pytest.mark.parametrize("reason", ["", "  "])
def test_claim_rejection_needs_a_reason(reason: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        decide_claim("filed", False, reason)
    assert caught.value.field == "reason"


@pytest.mark.parametrize("status", ["approved", "rejected"])
def test_claim_cannot_be_decided_twice(status: str) -> None:
    with pytest.raises(DomainError, match=f"already {status}"):
        decide_claim(status, True, "")


def test_claim_with_unknown_status_cannot_be_decided() -> None:
    with pytest.raises(InvalidInput) as caught:
        decide_claim("paid", True, "")
    assert caught.value.field == "status"


# --- customer grade (客户等级) ---


def test_customer_spend_is_cars_plus_services() -> None:
    spend = customer_spend([Decimal("289800.00")], [Decimal("680.50"), Decimal(1200)])
    assert spend == Decimal("291680.50")


def test_customer_with_no_purchases_has_spent_nothing() -> None:
    assert customer_spend([], []) == Decimal(0)


@pytest.mark.parametrize(
    ("spent", "grade"),
    [
        ("500000", "vip"),
        ("499999.99", "first"),
        ("300000", "first"),
        ("299999.99", "second"),
        ("150000", "second"),
        ("149999.99", "other"),
        ("0", "other"),
    ],
)
def test_customer_grade_follows_spend_thresholds(spent: str, grade: str) -> None:
    assert customer_grade(Decimal(spent)) == grade


def test_customer_grade_refuses_negative_spend() -> None:
    with pytest.raises(InvalidInput) as caught:
        customer_grade(Decimal(-1))
    assert caught.value.field == "total_spent"


# --- store dates, plates, service history, complaints from calls ---


def test_the_stores_date_of_an_instant_is_its_local_day() -> None:
    late_utc = datetime(2025, 3, 1, 17, 30, tzinfo=UTC)
    assert local_date(late_utc, BEIJING) == date(2025, 3, 2)
    with pytest.raises(InvalidInput) as caught:
        local_date(datetime(2025, 3, 1, 17, 30), BEIJING, "delivered_at")
    assert caught.value.field == "delivered_at"


@pytest.mark.parametrize(("raw", "plate"), [("京A12345", "京A12345"), ("粤b·d12345", "粤BD12345"),
                                            (" 沪A 1234学", "沪A1234学")])
def test_a_plate_is_normalised_as_the_registry_writes_it(raw: str, plate: str) -> None:
    assert normalise_plate(raw) == plate


@pytest.mark.parametrize("raw", ["", "A12345", "京12345", "京I12345", "京A1234", "京A1234567", "XX12345"])
def test_a_malformed_plate_is_refused(raw: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        normalise_plate(raw)
    assert caught.value.field == "plate"


def test_a_service_record_that_fits_the_history_passes() -> None:
    check_service_record(date(2025, 7, 1), 5000, date(2025, 1, 10), date(2025, 7, 2), None, None)
    check_service_record(date(2025, 7, 1), 5000, date(2025, 1, 10), date(2025, 7, 1), date(2025, 7, 1), 5000)


@pytest.mark.parametrize(("service_date", "mileage", "field"), [
    (date(2025, 1, 9), 100, "service_date"),  # before delivery
    (date(2025, 8, 1), 9000, "service_date"),  # in the future
    (date(2025, 3, 31), 9000, "service_date"),  # before the last service
    (date(2025, 7, 1), 3999, "mileage_km"),  # the odometer went backwards
    (date(2025, 7, 1), -1, "mileage_km"),
])
def test_a_service_record_that_contradicts_the_history_is_refused(service_date: date, mileage: int,
                                                                  field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        check_service_record(service_date, mileage, date(2025, 1, 10), date(2025, 7, 2), date(2025, 4, 1), 4000)
    assert caught.value.field == field


@pytest.mark.parametrize(("kind", "score", "expected"), [
    ("delivery", 1, ("delivery", "high")), ("delivery", 2, ("delivery", "medium")),
    ("service", 1, ("service_quality", "high")), ("service", 2, ("service_quality", "medium")),
])
def test_an_unhappy_call_opens_a_complaint_graded_by_the_score(kind: str, score: int,
                                                               expected: tuple[str, str]) -> None:
    assert complaint_from_return_visit(kind, score) == expected  # type: ignore[arg-type]


def test_a_happy_call_opens_no_complaint() -> None:
    with pytest.raises(InvalidInput):
        complaint_from_return_visit("service", 3)

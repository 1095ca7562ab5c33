"""The store's after-sales terms come from AFTER_SALES_* variables, with the store's defaults."""
from __future__ import annotations

from decimal import Decimal

import pytest

from after_sales.domain import DEFAULT_POLICY
from after_sales.policy import PolicyError, escalation_interval_seconds, load_policy


def test_no_variables_means_the_stores_default_terms() -> None:
    assert load_policy({}) == DEFAULT_POLICY
    assert escalation_interval_seconds({}) == 60.0


def test_whole_number_terms_are_read_from_the_environment() -> None:
    policy = load_policy({"AFTER_SALES_FIRST_SERVICE_MONTHS": "3", "AFTER_SALES_FIRST_SERVICE_KM": "3000",
                          "AFTER_SALES_RETURN_VISIT_DAYS_AFTER_DELIVERY": "1", "AFTER_SALES_WARRANTY_YEARS": "5",
                          "AFTER_SALES_WARRANTY_KM": " 150000 "})
    assert (policy.first_service_months, policy.first_service_km) == (3, 3000)
    assert policy.return_visit_days_after_delivery == 1
    assert (policy.warranty_years, policy.warranty_km) == (5, 150000)
    assert policy.service_interval_months == DEFAULT_POLICY.service_interval_months


def test_complaint_limits_override_only_the_severities_named() -> None:
    policy = load_policy({"AFTER_SALES_COMPLAINT_LIMITS_HOURS": "critical=2, high=12"})
    assert dict(policy.complaint_limits_hours) == {"low": 72, "medium": 48, "high": 12, "critical": 2}


def test_grade_thresholds_are_ordered_highest_first_whatever_the_order_written() -> None:
    policy = load_policy({"AFTER_SALES_GRADE_THRESHOLDS": "second=100000,vip=800000,first=400000"})
    assert policy.grade_thresholds == (("vip", Decimal(800000)), ("first", Decimal(400000)),
                                       ("second", Decimal(100000)))


@pytest.mark.parametrize(("name", "value"), [
    ("FIRST_SERVICE_MONTHS", "six"), ("WARRANTY_KM", "-1"), ("COMPLAINT_LIMITS_HOURS", "urgent=1"),
    ("COMPLAINT_LIMITS_HOURS", "low"), ("GRADE_THRESHOLDS", "gold=1"), ("GRADE_THRESHOLDS", "vip=lots"),
])
def test_a_malformed_variable_is_refused_by_name(name: str, value: str) -> None:
    with pytest.raises(PolicyError, match=f"AFTER_SALES_{name}"):
        load_policy({f"AFTER_SALES_{name}": value})


def test_the_escalation_interval_is_configurable() -> None:
    assert escalation_interval_seconds({"AFTER_SALES_ESCALATION_EVERY_SECONDS": "5"}) == 5.0

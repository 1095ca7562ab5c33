"""Stages, lost leads and the test-drive rule."""
from __future__ import annotations

import pytest

from leads.domain import check_test_drive, mark_lost, qualify
from shared.domain import DomainError, InvalidInput


def test_a_lost_lead_needs_a_reason_from_the_stores_list() -> None:
    with pytest.raises(InvalidInput) as err:
        mark_lost("potential", "  ")
    assert err.value.field == "reason_code"
    assert mark_lost("intention", "no_stock") == "lost"


def test_a_lead_with_a_deal_cannot_be_lost() -> None:
    with pytest.raises(DomainError):
        mark_lost("deal", "price")


def test_stage_may_move_from_potential_to_intention_but_not_to_deal_by_hand() -> None:
    assert qualify("potential", "intention") == "intention"
    with pytest.raises(InvalidInput):
        qualify("potential", "deal")


def test_a_lost_lead_cannot_be_qualified() -> None:
    with pytest.raises(DomainError):
        qualify("lost", "intention")


def test_test_drive_needs_a_driving_licence() -> None:
    with pytest.raises(InvalidInput) as err:
        check_test_drive("", "c1", "test_drive")
    assert err.value.field == "driver_license_no"


def test_test_drive_needs_a_staff_member_riding_along() -> None:
    with pytest.raises(InvalidInput) as err:
        check_test_drive("110101199003074514", " ", "test_drive")
    assert err.value.field == "escort_id"


def test_test_drive_only_in_a_car_of_the_test_drive_fleet() -> None:
    with pytest.raises(DomainError, match="not in the test-drive fleet"):
        check_test_drive("110101199003074514", "c1", "stock")
    check_test_drive("110101199003074514", "c1", "test_drive")


def test_test_drive_in_an_unknown_car_names_the_vin() -> None:
    with pytest.raises(InvalidInput) as err:
        check_test_drive("110101199003074514", "c1", None)
    assert err.value.field == "vin"

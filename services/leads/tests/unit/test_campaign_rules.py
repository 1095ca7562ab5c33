"""A campaign's days, who may invite whom, and when a campaign takes invitations and visits (市场活动)."""
from __future__ import annotations

from datetime import date

import pytest

from leads.campaigns.domain import (
    check_days,
    check_invitable,
    check_running,
    check_takes_invitations,
    may_invite_any_lead,
)
from shared.domain import DomainError, InvalidInput

STARTS, ENDS = date(2026, 12, 12), date(2026, 12, 14)


def test_a_campaign_ends_on_or_after_the_day_it_starts() -> None:
    check_days(STARTS, STARTS)
    with pytest.raises(InvalidInput) as err:
        check_days(STARTS, date(2026, 12, 11))
    assert err.value.field == "ends_on"


def test_a_campaign_takes_invitations_until_its_last_day_and_not_after() -> None:
    check_takes_invitations(ENDS, date(2026, 12, 1))  # days before it starts
    check_takes_invitations(ENDS, ENDS)  # its last day
    with pytest.raises(DomainError):
        check_takes_invitations(ENDS, date(2026, 12, 15))


@pytest.mark.parametrize(("day", "running"), [(date(2026, 12, 11), False), (STARTS, True), (date(2026, 12, 13), True),
                                              (ENDS, True), (date(2026, 12, 15), False)])
def test_a_visit_names_a_campaign_only_on_one_of_its_days(day: date, running: bool) -> None:
    if running:
        check_running(STARTS, ENDS, day)
        return
    with pytest.raises(InvalidInput) as err:
        check_running(STARTS, ENDS, day)
    assert err.value.field == "campaign_id"


@pytest.mark.parametrize("status", ["lost", "merged"])
def test_a_lost_or_merged_lead_is_not_invited(status: str) -> None:
    with pytest.raises(DomainError):
        check_invitable(status)


@pytest.mark.parametrize("status", ["potential", "intention", "deal"])
def test_an_open_lead_or_a_customer_who_bought_is_invited(status: str) -> None:
    check_invitable(status)


def test_managers_and_dcc_staff_invite_any_lead_and_a_consultant_only_their_own() -> None:
    assert may_invite_any_lead("sales_manager") and may_invite_any_lead("online_sales")
    assert not may_invite_any_lead("consultant")

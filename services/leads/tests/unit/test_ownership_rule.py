"""The store's ownership rule on a return visit (客户归属), clause by clause."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from leads.domain import decide_owner_on_visit

NOW = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)


def decide(days_since_contact: float, requested: str | None = None, booked_by_owner: bool = True,
           served: set[str] | None = None) -> tuple[str, str]:
    decision = decide_owner_on_visit("c1", NOW - timedelta(days=days_since_contact), NOW, "c2", requested,
                                     booked_by_owner, served if served is not None else {"c1"})
    return decision.owner_id, decision.rule[0]


def test_owner_keeps_a_customer_who_comes_back_on_the_owners_invitation_within_seven_days() -> None:
    assert decide(3) == ("c1", "1")


def test_return_after_seven_days_passes_lead_to_new_consultant() -> None:
    assert decide(7.5) == ("c2", "2")


def test_return_exactly_seven_days_after_contact_stays_with_owner() -> None:
    assert decide(7) == ("c1", "1")


def test_return_after_seven_days_asking_for_the_original_consultant_stays_with_owner() -> None:
    assert decide(20, requested="c1") == ("c1", "4")


def test_visit_not_booked_by_owner_and_asking_for_no_one_passes_to_receiving_consultant() -> None:
    assert decide(2, booked_by_owner=False) == ("c2", "3")


def test_visit_not_booked_by_owner_but_asking_for_the_owner_stays_with_owner() -> None:
    assert decide(2, requested="c1", booked_by_owner=False) == ("c1", "4")


def test_customer_naming_a_consultant_who_served_them_gives_the_lead_to_that_consultant() -> None:
    assert decide(2, requested="c3", served={"c1", "c3"}) == ("c3", "4")


def test_naming_a_consultant_who_never_served_them_does_not_move_the_lead_within_seven_days() -> None:
    assert decide(2, requested="c9", served={"c1"}) == ("c1", "1")


def test_naming_a_stranger_after_seven_days_passes_to_the_receiving_consultant() -> None:
    assert decide(10, requested="c9", served={"c1"}) == ("c2", "2")

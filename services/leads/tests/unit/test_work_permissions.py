"""Who may work on a lead, and in whose name a visit is recorded: the domain's rule, without the web."""
from __future__ import annotations

import pytest

from leads.domain import NotYours, check_may_work_on, receiving_consultant


def test_the_owner_may_work_on_their_lead() -> None:
    check_may_work_on("c1", "c1", is_manager=False)


def test_a_sales_manager_may_work_on_any_lead() -> None:
    check_may_work_on("c1", "m1", is_manager=True)


def test_another_consultant_may_not_work_on_the_lead_and_is_answered_403() -> None:
    with pytest.raises(NotYours) as refused:
        check_may_work_on("c1", "c2", is_manager=False)
    assert refused.value.status == 403


def test_a_visit_without_a_consultant_is_recorded_as_the_caller() -> None:
    assert receiving_consultant("c2", is_manager=False, consultant_id=None) == "c2"
    assert receiving_consultant("m1", is_manager=True, consultant_id=None) == "m1"


def test_a_consultant_records_a_visit_as_themselves_only() -> None:
    assert receiving_consultant("c2", is_manager=False, consultant_id="c2") == "c2"
    with pytest.raises(NotYours) as refused:
        receiving_consultant("c2", is_manager=False, consultant_id="c1")
    assert refused.value.status == 403 and "consultant_id" in refused.value.extra["errors"]


def test_a_sales_manager_records_a_visit_for_any_consultant() -> None:
    assert receiving_consultant("m1", is_manager=True, consultant_id="c2") == "c2"

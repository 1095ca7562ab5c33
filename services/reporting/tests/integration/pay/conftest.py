"""Fixtures of the meetings, scorecard, commission and weekly tests: the store's clock, groups, targets and
deliveries set by hand (DOMAIN.md, "Groups, targets, scorecards and pay")."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from reporting import dates


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Callable[[date], None]:
    """Set the store's date (the clock, not the database or the broker): a group's members may be set only from
    a day of the current month, so a test walks the clock through the month it sets up."""
    def setter(day: date) -> None:
        monkeypatch.setattr(dates, "today", lambda _zone: day)
    return setter


@pytest.fixture
def put_group(as_role: Any) -> Callable[..., None]:
    """``put_group("A", ["c1"], "s1", since)``: a sales manager sets a group's members from a day."""
    def put(group_id: str, members: list[str], supervisor: str, since: date) -> None:
        answer = as_role("sales_manager", "m1").put(f"/api/v1/groups/{group_id}", json={
            "name": f"Group {group_id}", "supervisor_id": supervisor, "members": members,
            "effective_from": since.isoformat()})
        assert answer.status_code == 200, answer.get_json()
    return put


@pytest.fixture
def put_targets(as_role: Any) -> Callable[[str, dict[str, tuple[int, dict[str, int]]]], None]:
    """``put_targets("2026-11", {"c1": (units, {"SUV": n})})``."""
    def put(month: str, targets: dict[str, tuple[int, dict[str, int]]]) -> None:
        answer = as_role("sales_manager", "m1").put(f"/api/v1/targets/{month}", json={"targets": [
            {"consultant_id": staff, "units": units, "by_model_class": classes}
            for staff, (units, classes) in targets.items()]})
        assert answer.status_code == 200, answer.get_json()
    return put


@pytest.fixture
def deliver(events: Any) -> Callable[[date, str, str | None], dict[str, Any]]:
    """``deliver(day, consultant, model_class)``: a delivery (交车) at 15:00 store time, its own order and car."""
    count = iter(range(1, 100_000))

    def delivered(day: date, consultant: str, model_class: str | None) -> dict[str, Any]:
        n = next(count)
        return events.delivered(events.at(day, 15), f"order-{n}", None, consultant, car=events.vin(500 + n),
                                model_class=model_class)
    return delivered


@pytest.fixture
def commission_rows() -> Callable[[Any], dict[tuple[str, str], dict[str, Any]]]:
    """Commission rows of an answer keyed by (consultant, group), with the figures a payroll reads."""
    def rows(answer: Any) -> dict[tuple[str, str], dict[str, Any]]:
        assert answer.status_code == 200, answer.get_json()
        keys = ("units", "rate_per_unit", "gross", "deductions", "net")
        return {(row["consultant_id"], row["group_id"]): {k: row[k] for k in keys}
                for row in answer.get_json()["items"]}
    return rows

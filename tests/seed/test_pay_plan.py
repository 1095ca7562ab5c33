"""The supervisors' part of the seed's plan (demo_store/pay.py): meetings mostly on time with minutes, some late
or without minutes, weekly plans by each group's supervisor, and one month's template whose weights add up."""
from __future__ import annotations

from datetime import UTC, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from demo_store import people
from demo_store.build import build_plan
from demo_store.plan import Plan, PlanArgs

UNTIL = datetime(2026, 11, 30, 3, 58, tzinfo=UTC)
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture(scope="module")
def quarter() -> Plan:
    return build_plan(PlanArgs(seed=6, days=90, scale=8, until=UNTIL, tz=SHANGHAI))


def on_time(body: dict[str, str]) -> bool:
    """The store's windows: 08:30–09:15 and 16:30–17:15, with minutes."""
    start = datetime.fromisoformat(body["held_at"]).astimezone(SHANGHAI).time()
    window = (time(8, 30), time(9, 15)) if body["kind"] == "morning" else (time(16, 30), time(17, 15))
    return window[0] <= start <= window[1] and bool(body["minutes"].strip())


def test_each_group_meets_morning_and_evening_on_working_days_mostly_on_time(quarter: Plan) -> None:
    meetings = [a for a in quarter.actions if a.verb == "record_meeting"]
    supervisors = {group.group_id: group.supervisor for group in people.GROUPS}
    assert all(a.actor == supervisors[a.body["group_id"]] for a in meetings)  # only the group's supervisor
    assert all(a.when <= UNTIL and datetime.fromisoformat(a.body["held_at"]) < a.when for a in meetings)
    days = {datetime.fromisoformat(a.body["held_at"]).astimezone(SHANGHAI).date() for a in meetings}
    assert 20 <= len(days) <= 25 and all(day.isoweekday() != 7 for day in days)  # 4 weeks less Sundays
    # two a working day for each group; the period ends at 11:58 on the last day: its evening meetings are not yet
    assert len(meetings) == len(days) * 2 * len(people.GROUPS) - len(people.GROUPS)
    share = sum(on_time(a.body) for a in meetings) / len(meetings)
    assert 0.8 < share < 0.95  # mostly on time; late ones and blank minutes both occur
    assert any(not a.body["minutes"] for a in meetings) and any(
        a.body["minutes"] and not on_time(a.body) for a in meetings)


def test_supervisors_write_weekly_plans_and_the_last_months_template_adds_up(quarter: Plan) -> None:
    plans = [a for a in quarter.actions if a.verb == "write_weekly_plan"]
    weeks = {a.ref.split(":")[1].split("/")[0] for a in plans}
    assert len(weeks) == 4 and len(plans) == 4 * len(people.GROUPS)
    templates = [a for a in quarter.actions if a.verb == "set_scorecard_template"]
    assert [a.ref for a in templates] == ["scorecard-template:2026-11"] and templates[0].actor == "m1"
    changed = {line["line"]: Decimal(line["weight"]) for line in templates[0].body["lines"]}
    default = {1: Decimal("0.20"), 2: Decimal("0.15"), 3: Decimal("0.10"), 4: Decimal("0.15"), 5: Decimal("0.10"),
               6: Decimal("0.10"), 7: Decimal("0.20")}
    assert sum({**default, **changed}.values()) == 1

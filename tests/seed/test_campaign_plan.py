"""The seed's campaigns (市场活动), without any service: set up before they are invited to, invitations a few
days before, attendance on their days, walk-ins at the motor show, and the period's last fortnight left alone."""
from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from demo_store.build import build_plan
from demo_store.plan import Action, Plan, PlanArgs

UNTIL = datetime(2026, 11, 30, 3, 58, tzinfo=UTC)
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture(scope="module")
def quarter() -> Plan:
    return build_plan(PlanArgs(seed=6, days=90, scale=8, until=UNTIL, tz=SHANGHAI))


def local_day(action: Action) -> date:
    return action.when.astimezone(SHANGHAI).date()


def of(plan: Plan, verb: str) -> list[Action]:
    return [action for action in plan.ordered() if action.verb == verb]


def test_the_manager_sets_up_an_online_campaign_an_in_store_event_and_a_motor_show_before_anyone_is_invited(
        quarter: Plan) -> None:
    created = {a.names: a for a in of(quarter, "create_campaign")}
    assert sorted(a.body["kind"] for a in created.values()) == ["in_store_event", "motor_show", "online"]
    assert {a.actor for a in created.values()} == {"m1"}
    for invitation in of(quarter, "invite_to_campaign"):
        campaign = created[invitation.body["campaign_id"][1:]]
        assert campaign.when < invitation.when, invitation.describe()
        assert local_day(invitation) < date.fromisoformat(campaign.body["starts_on"])  # a few days before


def test_a_consultant_invites_their_own_customers_and_some_come_on_the_campaigns_days(quarter: Plan) -> None:
    owner = {a.ref: a.actor for a in of(quarter, "file_lead")}
    days = {a.names: (date.fromisoformat(a.body["starts_on"]), date.fromisoformat(a.body["ends_on"]))
            for a in of(quarter, "create_campaign")}
    invitations, visits = of(quarter, "invite_to_campaign"), of(quarter, "attend_campaign")
    assert all(a.actor == owner[a.ref] and a.body["lead_id"] == f"@{a.ref}" for a in invitations)
    for visit in visits:
        starts, ends = days[visit.body["campaign_id"][1:]]
        assert starts <= local_day(visit) <= ends and visit.actor == owner[visit.ref] == visit.body["consultant_id"]
    invited = {(a.body["campaign_id"], a.ref) for a in invitations}
    came = {(a.body["campaign_id"], a.ref) for a in visits}
    assert len(invited) == len(invitations) and len(came) == len(visits)  # once each
    assert 0.2 < len(came & invited) / len(invited) < 0.6  # about two in five of the invited
    walk_ins = Counter(campaign for campaign, _ in came - invited)
    assert list(walk_ins) == ["@campaign:3"] and walk_ins["@campaign:3"] == 8  # the motor show, scale 8


def test_no_campaign_visit_falls_in_the_periods_last_fortnight_and_a_short_period_has_no_campaign(
        quarter: Plan) -> None:
    last = UNTIL.astimezone(SHANGHAI).date()
    assert max(local_day(a) for a in of(quarter, "attend_campaign")) <= last - timedelta(days=14)
    short = build_plan(PlanArgs(seed=6, days=10, scale=8, until=UNTIL, tz=SHANGHAI))
    assert not [a for a in short.actions if "campaign" in a.verb]

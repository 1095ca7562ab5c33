"""The store's campaigns (市场活动) over the period: an online campaign, an in-store event and a motor show.

The sales manager sets each one up a week or so before it starts. A few days before it, consultants
invite some of their customers (活动邀约); about two in five of those come on one of its days, with a
visit naming the campaign, and a few more walk in at the motor show uninvited: attendance either way.

The customers are chosen from the showroom's plan (``sales.py``), among the leads whose story leaves
them with their first consultant: filed by a consultant who alone works them, never lost, merged,
reassigned or received by someone else. So a campaign visit, received by that consultant, moves no
lead, and no story planned elsewhere meets a lead it did not expect. Campaign visits fall at least
two weeks before the period's end, so the last fortnight's agenda (calls due today, overdue, customers
gone quiet) stays as the showroom planned it; a period too short for that has no campaigns.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from demo_store import people
from demo_store.plan import Clock, Plan, chance

QUIET_FORTNIGHT = 14  # no campaign visit in the period's last two weeks
SAFE_VERBS = ("log_inquiry", "file_lead", "follow_up", "book_appointment", "record_visit", "test_drive", "qualify")
REFERRING_VERBS = ("place_order",)  # actions naming a lead in their body that leave its owner as it is
ARRIVES = 0.4  # invited customers who come


@dataclass(frozen=True)
class Campaign:
    """One campaign of the period: when in the period it starts (a share of it), for how long, and its reach."""

    name: str
    kind: str
    starts_at_share: float  # of the period's days before the fortnight
    days: int
    invited_per_lead_a_day: float  # invitations per lead of the scale
    walk_ins_per_lead_a_day: float


CAMPAIGNS = (
    Campaign("线上限时团购节", "online", 0.15, 7, 1.5, 0.0),
    Campaign("周末店头试驾会", "in_store_event", 0.45, 2, 1.5, 0.0),
    Campaign("城市国际车展", "motor_show", 0.75, 3, 2.5, 1.0),
)


class Campaigns:
    """Plans the period's campaigns, their invitations and their attendance, after the showroom's stories."""

    def __init__(self, plan: Plan, rng: random.Random) -> None:
        self.plan, self.rng, self.clock = plan, rng, Clock(plan.args.tz, rng)
        self.owner_of = self.leads_kept_by_their_consultant()

    def run(self) -> None:
        """Plan every campaign that fits in the period."""
        last_visit_day = self.plan.last_day - timedelta(days=QUIET_FORTNIGHT)
        span = (last_visit_day - self.plan.first_day).days
        for number, campaign in enumerate(CAMPAIGNS, start=1):
            starts = self.plan.first_day + timedelta(days=round(span * campaign.starts_at_share))
            ends = starts + timedelta(days=campaign.days - 1)
            if starts - timedelta(days=3) > self.plan.first_day and ends <= last_visit_day:
                self.campaign(f"campaign:{number}", campaign, starts, ends)

    def leads_kept_by_their_consultant(self) -> dict[str, tuple[str, datetime]]:
        """Lead ref -> (its consultant, when filed), for the leads only their first consultant works."""
        consultants = {c.sub for c in people.CONSULTANTS}
        filed = {a.ref: (a.actor, a.when) for a in self.plan.actions
                 if a.verb == "file_lead" and a.actor in consultants and not a.body.get("owner_id")}
        for action in self.plan.actions:
            if action.ref in filed and (action.verb not in SAFE_VERBS or action.actor != filed[action.ref][0]):
                filed.pop(action.ref)
            if action.verb not in REFERRING_VERBS:
                for named in _refs_in(action.body):
                    filed.pop(named, None)
        return filed

    def campaign(self, ref: str, campaign: Campaign, starts: date, ends: date) -> None:
        """The manager sets it up; consultants invite; some invited come, and at a motor show some walk in."""
        created = self.clock.during(starts - timedelta(days=self.rng.randint(7, 10)))
        created = max(created, datetime.combine(self.plan.first_day, time(9, 0), self.plan.args.tz))
        self.plan.add(created, people.MANAGER.sub, "create_campaign", ref, {
            "name": campaign.name, "kind": campaign.kind, "starts_on": starts.isoformat(),
            "ends_on": ends.isoformat()}, names=ref)
        invited_by = self.clock.during(starts - timedelta(days=self.rng.randint(2, 4)))
        pool = sorted((lead for lead, (_, when) in self.owner_of.items() if when < invited_by - timedelta(hours=1)),
                      key=lambda lead: int(lead.split(":")[1]))
        guests = self.rng.sample(pool, min(len(pool), round(self.plan.args.scale * campaign.invited_per_lead_a_day)))
        for lead in guests:
            self.invite(ref, lead, max(created, self.owner_of[lead][1]), invited_by)
        for lead in [g for g in guests if chance(self.rng, ARRIVES)]:
            self.attend(ref, lead, starts, ends)
        strangers = [lead for lead in pool if lead not in guests]
        walk_ins = self.rng.sample(strangers, min(len(strangers), round(self.plan.args.scale
                                                                         * campaign.walk_ins_per_lead_a_day)))
        for lead in walk_ins:
            self.attend(ref, lead, starts, ends)
        for lead in guests + walk_ins:  # one campaign per customer in a period
            del self.owner_of[lead]

    def invite(self, campaign: str, lead: str, after: datetime, by: datetime) -> None:
        """The lead's consultant invites the customer, some time between the filing (or the set-up) and ``by``."""
        when = after + (by - after) * self.rng.uniform(0.5, 1.0)
        self.plan.add(when, self.owner_of[lead][0], "invite_to_campaign", lead,
                      {"campaign_id": f"@{campaign}", "lead_id": f"@{lead}"})

    def attend(self, campaign: str, lead: str, starts: date, ends: date) -> None:
        """The customer comes on one of the campaign's days, received by their own consultant (the visit names it)."""
        day = starts + timedelta(days=self.rng.randint(0, (ends - starts).days))
        owner = self.owner_of[lead][0]
        self.plan.add(self.clock.during(day), owner, "attend_campaign", lead, {
            "consultant_id": owner, "requested_consultant_id": owner, "campaign_id": f"@{campaign}"})


def _refs_in(body: object) -> list[str]:
    """The records a body names ("@lead:3" -> "lead:3")."""
    if isinstance(body, dict):
        return [ref for value in body.values() for ref in _refs_in(value)]
    if isinstance(body, list):
        return [ref for value in body for ref in _refs_in(value)]
    return [body[1:]] if isinstance(body, str) and body.startswith("@") else []

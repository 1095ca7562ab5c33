"""The duty roster, the DCC's day and a duplicate merged: the sales floor around the showroom's stories.

Each morning the sales manager sets who is on duty (值班表), two consultants resting; now and then one
goes home at lunch and the roster is set again. The DCC agent (网销专员) logs the day's web forms and
calls (来电客户登记表), files some of the callers, whom the leads service hands to the consultants on
duty in turn, and invites them to the store (邀约); most come, received by their consultant. Once a month
a customer already on file fills in the web form from another phone: the DCC files them a second time,
and the manager merges that duplicate into the first file the next day.

Whose turn each DCC lead is, is worked out here as the leads service counts it (:class:`Turns`), so the
plan can have that consultant receive the customer; the runner checks that the service agrees. The
kept appointments are keyed in just before the visit, as the showroom's are (see ``sales.py``).
"""
from __future__ import annotations

import random
from collections import Counter
from datetime import date, datetime, time, timedelta

from demo_store import catalogue, people
from demo_store.plan import Clock, Plan, chance
from demo_store.sales import LEVEL_WEIGHTS, LEVELS, TIMEFRAMES, budget

ROSTER_AT, LUNCH = time(8, 45), time(13, 0)
DCC_LEADS, DCC_CALLS = 0.2, 0.15  # a day, per lead of the scale: callers the DCC files, and callers not filed
KEPT = 0.65  # DCC invitations kept, about the showroom's own rate
WEB_NOTES = ("官网留资: 询问落地价", "汽车之家询价", "懂车帝留资, 要求回电", "400来电: 询问试驾")
DUPLICATE_NOTE = "官网留资 (另一手机号), 与展厅已建档客户同名同车型"


class Turns:
    """Whose turn the next DCC lead of a day is, counted as the leads service counts: a changed list starts
    its own rotation, the same list saved again keeps it."""

    def __init__(self) -> None:
        self.lists: dict[date, list[str]] = {}
        self.taken: Counter[date] = Counter()

    def set(self, day: date, consultant_ids: list[str]) -> None:
        """The day's roster as the manager (re)sets it."""
        if self.lists.get(day) != consultant_ids:
            self.lists[day], self.taken[day] = list(consultant_ids), 0

    def take(self, day: date) -> str:
        """The consultant the next DCC lead of ``day`` goes to."""
        self.taken[day] += 1
        on_duty = self.lists[day]
        return on_duty[(self.taken[day] - 1) % len(on_duty)]


class Floor:
    """Plans the roster, the DCC's calls and filings, and the duplicates merged, day by day."""

    def __init__(self, plan: Plan, rng: random.Random) -> None:
        self.plan, self.rng, self.clock = plan, rng, Clock(plan.args.tz, rng)
        self.turns, self.filed, self.merged = Turns(), 0, 0
        self.phones = {a.body["phone"] for a in plan.actions if a.body.get("phone")}  # one customer, one file

    def run(self) -> None:
        """Plan the period, day by day."""
        duplicates = self.duplicate_days()
        for day in self.plan.days():
            self.day(day, duplicates.get(day))

    def duplicate_days(self) -> dict[date, str]:
        """A day a month (never the last two) on which a customer on file is filed again, and that lead's ref."""
        days = self.plan.days()[3:-2]
        picked = sorted(self.rng.sample(days, min(len(days), max(1, len(self.plan.days()) // 30))))
        return {day: lead for day in picked if (lead := self.first_file(day))}

    def first_file(self, day: date) -> str | None:
        """A showroom customer filed, and received, well before ``day``: the first of their two files."""
        before = datetime.combine(day - timedelta(days=3), time.min, self.plan.args.tz)
        visited = {a.ref for a in self.plan.actions if a.verb == "record_visit"}
        filed = sorted((a.ref for a in self.plan.actions if a.verb == "file_lead" and a.when < before
                        and a.ref in visited and a.ref.split(":")[1].isdigit()), key=lambda ref: int(ref.split(":")[1]))
        return self.rng.choice(filed) if filed else None

    def day(self, day: date, duplicate_of: str | None) -> None:
        """The morning's roster, then the day's DCC work in time order (a lunchtime change takes effect then)."""
        on_duty = [c.sub for c in people.CONSULTANTS]
        self.rng.shuffle(on_duty)
        self.set_roster(day, ROSTER_AT, on_duty[:-2])  # two rest (轮休)
        work: list[tuple[datetime, str]] = [(self.clock.during(day), "file") for _ in range(self.count(DCC_LEADS))]
        work += [(self.clock.during(day), "call") for _ in range(self.count(DCC_CALLS))]
        if chance(self.rng, 0.1):
            work.append((datetime.combine(day, LUNCH, self.plan.args.tz), "lunch"))
        if duplicate_of:
            work.append((self.clock.during(day), "duplicate"))
        for at, what in sorted(work):
            if what == "lunch":
                self.set_roster(day, LUNCH, on_duty[:-3])  # one more goes home
            elif what == "call":
                self.unfiled_call(at)
            else:
                self.dcc_customer(at, duplicate_of if what == "duplicate" else None)

    def count(self, per_lead: float) -> int:
        """How many of something a day: up to the scale's share, at least one some days."""
        return self.rng.randint(0, max(1, round(self.plan.args.scale * per_lead)))

    def set_roster(self, day: date, at: time, on_duty: list[str]) -> None:
        """The manager sets the day's roster (值班表) at ``at``; the turns follow it from then on."""
        if self.plan.add(datetime.combine(day, at, self.plan.args.tz), people.MANAGER.sub, "set_roster",
                         f"roster:{day.isoformat()}", {"consultant_ids": on_duty}, dated=False):
            self.turns.set(day, on_duty)

    def unfiled_call(self, at: datetime) -> None:
        """A web form or call the DCC logs, from a caller not ready to be filed (counts for the filing rate)."""
        model = catalogue.choose_model(self.rng)
        self.plan.add(at, people.DCC.sub, "log_inquiry", "inquiry", {
            "channel": self.rng.choice(("online", "phone")), "phone": people.mobile(self.rng, self.phones),
            "note": self.rng.choice(WEB_NOTES), "model_interest": model.name, "purchase_timeframe": "later"})

    def dcc_customer(self, at: datetime, duplicate_of: str | None) -> None:
        """Log the web form, file the caller for the consultant whose turn it is, then invite them (or, for a
        second file of a customer on file, have the manager merge it the next day)."""
        level, model = self.rng.choices(LEVELS, weights=LEVEL_WEIGHTS)[0], catalogue.choose_model(self.rng)
        name, phone = people.person_name(self.rng), people.mobile(self.rng, self.phones)
        if duplicate_of:
            first = next(a.body for a in self.plan.actions if a.verb == "file_lead" and a.ref == duplicate_of)
            name, model = first["name"], next(m for m in catalogue.MODELS if m.name == first["model_interest"])
        self.filed += 1
        ref = f"duplicate:{self.filed}" if duplicate_of else f"lead:dcc{self.filed}"
        self.plan.add(self.clock.minutes_later(at, -30, -3), people.DCC.sub, "log_inquiry", ref, {
            "channel": "online", "phone": phone,
            "note": DUPLICATE_NOTE if duplicate_of else self.rng.choice(WEB_NOTES),
            "name": name, "model_interest": model.name, "budget": budget(self.rng, model),
            "purchase_timeframe": TIMEFRAMES[level]})
        lead = {"name": name, "phone": phone, "source": "online", "model_interest": model.name, "level": level}
        if not self.plan.add(at, people.DCC.sub, "file_duplicate" if duplicate_of else "file_lead", ref, lead,
                             names=ref):
            return
        owner = self.turns.take(at.astimezone(self.plan.args.tz).date())
        if duplicate_of:
            self.merge(duplicate_of, ref, at)
        elif chance(self.rng, 0.6):
            self.invite(ref, owner, model, at)

    def merge(self, first: str, duplicate: str, filed: datetime) -> None:
        """The manager merges the second file into the first, the next day before closing."""
        day = filed.astimezone(self.plan.args.tz).date() + timedelta(days=1)
        self.plan.add(datetime.combine(day, time(17, 30), self.plan.args.tz), people.MANAGER.sub, "merge_leads",
                      duplicate, {"lead_id": f"@{first}", "duplicate_lead_id": f"@{duplicate}"}, dated=False)

    def invite(self, ref: str, owner: str, model: catalogue.Model, filed: datetime) -> None:
        """The DCC invites the customer (邀约到店); a kept invitation is keyed in just before the visit."""
        booked, scheduled = self.clock.minutes_later(filed, 10, 120), self.clock.days_later(filed, 1, 4)
        number = ref.removeprefix("lead:dcc")
        body = {"scheduled_at": self.plan.iso(scheduled), "purpose": "consultation",
                "occurred_at": self.plan.iso(booked)}
        arrived = self.clock.minutes_later(scheduled, -10, 20)
        kept = chance(self.rng, KEPT) and self.plan.in_period(arrived)
        self.plan.add(arrived if kept else booked, people.DCC.sub, "book_appointment", ref, body,
                      names=f"appointment:dcc{number}", dated=False)
        if not kept:
            return  # missed: the leads worker marks it no-show (爽约) after its day
        self.plan.add(arrived, owner, "record_visit", ref, {
            "consultant_id": owner, "appointment_id": f"@appointment:dcc{number}", "requested_consultant_id": None})
        if chance(self.rng, 0.45):
            self.plan.add(self.clock.minutes_later(arrived, 15, 45), owner, "test_drive", ref, {
                "vin": catalogue.fleet_vin(model), "driver_license_no": people.id_number(self.rng), "escort_id": owner})

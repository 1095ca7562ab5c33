"""The showroom's days: inquiries, customers filed, follow-ups, appointments, visits, test drives.

Each customer is one story (a lead) planned from the day they first got in
touch: whether they book and keep an appointment, come back a second time,
test-drive, buy (``deals.py`` plans the order) or are lost. Rates follow a
store's KPI sheet: about 60% of appointments kept, a quarter of visitors back a
second time, half of them test-driving, some 15% of customers ordering.

An appointment not kept is cancelled by the customer's call, moved (only to a
time still to come: the leads service never moves one into the past), or simply
missed: the leads worker marks a missed one no-show (爽约) after its local day,
on the real clock, at its start and every 5 minutes. Because that sweep may run
while the seed replays past days, an appointment the plan keeps or cancels on a
past day is keyed in (补录, with its booking time) just before the visit or the
cancellation, so the sweep never finds it booked in between. Each consultant
ends the period with calls due today, overdue ones and customers gone quiet
(今日待办), so that their agenda has something in every list.
"""
from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from demo_store import catalogue, people
from demo_store.deals import COMEBACKS, Buyer, Sale, loss, plan_order
from demo_store.plan import Clock, Plan, chance

SOURCES = ("walk_in", "phone_in", "online", "referral", "outreach", "event")  # 展厅 来电 网络 转介绍 外拓 车展
SOURCE_WEIGHTS = (0.30, 0.22, 0.22, 0.10, 0.08, 0.08)
INQUIRY_CHANNEL = {"walk_in": "walk_in", "phone_in": "phone", "online": "online"}
LEVELS, LEVEL_WEIGHTS = ("H", "A", "B", "C"), (0.12, 0.25, 0.33, 0.30)
BUYS = {"H": 0.55, "A": 0.25, "B": 0.08, "C": 0.02}  # who orders, by level
BOOKS = {"H": 0.9, "A": 0.75, "B": 0.5, "C": 0.3}  # who accepts an invitation to visit
FIRST_CALLS = ("询问裸车价格和优惠", "了解贷款方案", "加微信发送车型资料", "询问现车颜色", "约周末到店看车")
LATER_CALLS = ("客户考虑中, 下周再联系", "已发送最新报价", "客户对比竞品中", "客户家人想一起来看车", "询问置换补贴")
MISSED = "未按约到店, 电话改约"
CANCELLED = ("客户临时出差", "家里有事, 改天再约", "车还没想好, 先不来了")
TIMEFRAMES = {"H": "within_7_days", "A": "within_15_days", "B": "within_30_days", "C": "later"}  # 购车时间


@dataclass
class Customer:
    """One lead's story as it is being planned."""

    ref: str
    name: str
    phone: str
    id_number: str
    source: str
    level: str
    model: catalogue.Model
    owner: str
    buyer: bool


class Showroom:
    """Plans every customer story of the period, day by day."""

    def __init__(self, plan: Plan, rng: random.Random) -> None:
        self.plan, self.rng, self.clock = plan, rng, Clock(plan.args.tz, rng)
        self.phones: set[str] = set()
        self.sales: list[Sale] = []
        self.customers = self.reopened = 0

    def run(self) -> list[Sale]:
        """Plan the period; answer the orders placed, for stock and after-sales."""
        for day in self.plan.days():
            for _ in range(self.leads_on(day)):
                self.customer(day)
            for _ in range(self.rng.randint(0, max(1, round(self.plan.args.scale * 0.15)))):
                self.unfiled_inquiry(day)
        for index, consultant in enumerate(people.CONSULTANTS):
            self.calls_owed_today(consultant.sub, index)
        return self.sales

    def leads_on(self, day: date) -> int:
        """New customers a day: around the scale, a third more at weekends."""
        base = self.plan.args.scale * (1.3 if day.weekday() >= 5 else 1.0)
        return self.rng.randint(math.floor(base * 0.75), math.ceil(base * 1.25))

    def consultant(self, other_than: str = "") -> str:
        """Who receives a customer: the busier consultants more often."""
        choices = [(c.sub, w) for c, w in zip(people.CONSULTANTS, people.CONSULTANT_WEIGHTS, strict=True)
                   if c.sub != other_than]
        return self.rng.choices([sub for sub, _ in choices], weights=[w for _, w in choices])[0]

    def unfiled_inquiry(self, day: date) -> None:
        """A call or a walk-in who left without being filed (counts against the filing rate, 建卡率)."""
        model = catalogue.choose_model(self.rng).name
        if self.rng.random() < 0.5:
            body = {"channel": "phone", "phone": people.mobile(self.rng, self.phones), "note": "只问价格, 未留意向",
                    "model_interest": model, "purchase_timeframe": "later"}
        else:
            body = {"channel": "walk_in", "note": "随便看看, 未留电话", "model_interest": model}
        self.plan.add(self.clock.during(day), self.consultant(), "log_inquiry", "inquiry", body)

    def new_customer(self, source: str, level: str, owner: str, buyer: bool) -> Customer:
        self.customers += 1
        return Customer(f"lead:{self.customers}", people.person_name(self.rng), people.mobile(self.rng, self.phones),
                        people.id_number(self.rng), source, level, catalogue.choose_model(self.rng), owner, buyer)

    def customer(self, day: date) -> None:
        """One customer's story, from first contact to an order, a loss, or still open."""
        level = self.rng.choices(LEVELS, weights=LEVEL_WEIGHTS)[0]
        c = self.new_customer(self.rng.choices(SOURCES, weights=SOURCE_WEIGHTS)[0], level, self.consultant(),
                              chance(self.rng, BUYS[level]))
        filed = self.clock.during(day)
        if not self.file(c, filed):
            return
        visits = [filed] if c.source == "walk_in" else self.invite(c, filed)
        if not visits:
            self.keep_in_touch(c, filed)
            return
        self.after_visit(c, visits[0], first=True)
        if chance(self.rng, 0.5 if c.buyer else 0.2):
            visits.append(self.second_visit(c, visits[0]))
            self.after_visit(c, visits[-1], first=False)
        if c.buyer:
            buyer = Buyer(c.ref, c.name, c.phone, c.id_number, c.model, c.owner)
            placed = self.clock.minutes_later(visits[-1], 90, 150)  # after the test drive and the judgement
            self.sales.extend(plan_order(self.plan, self.clock, len(self.sales) + 1, buyer, placed))
        else:
            self.keep_in_touch(c, visits[-1])

    def file(self, c: Customer, at: datetime) -> bool:
        """Log the inquiry with what was asked (来电客户登记表: calls and walk-ins), then file the customer (建卡)."""
        channel = INQUIRY_CHANNEL.get(c.source)
        if channel:
            note = {"walk_in": "展厅接待", "phone": "来电咨询", "online": "官网留资"}[channel]
            self.plan.add(self.clock.minutes_later(at, -40, -2), c.owner, "log_inquiry", c.ref, {
                "channel": channel, "phone": c.phone, "note": note, "name": c.name, "model_interest": c.model.name,
                "budget": budget(self.rng, c.model), "purchase_timeframe": TIMEFRAMES[c.level]})
        lead = {"name": c.name, "phone": c.phone, "source": c.source, "model_interest": c.model.name,
                "level": c.level}
        if c.source == "referral":  # 转介绍: the referring customer's mobile
            lead["referrer_phone"] = referrer_phone(c.phone)
        return self.plan.add(at, c.owner, "file_lead", c.ref, lead, names=c.ref)

    def follow_up(self, c: Customer, at: datetime, summary: str, next_call: datetime | None = None) -> datetime:
        """A call (跟进) and the date of the next one: two to five days on unless given."""
        channel = self.rng.choices(("phone", "wechat", "sms"), weights=(0.6, 0.3, 0.1))[0]
        next_call = next_call or self.clock.days_later(at, 2, 5)
        self.plan.add(at, c.owner, "follow_up", c.ref,
                      {"channel": channel, "summary": summary, "next_follow_up_at": self.plan.iso(next_call)})
        return at

    def invite(self, c: Customer, filed: datetime) -> list[datetime]:
        """A first call, maybe an appointment (邀约到店), kept or not; answers the visits made."""
        called = self.follow_up(c, self.clock.minutes_later(filed, 5, 240), self.rng.choice(FIRST_CALLS))
        if c.buyer or chance(self.rng, BOOKS[c.level]):
            booked, scheduled = self.clock.minutes_later(called, 1, 3), self.clock.days_later(called, 1, 5)
            if c.buyer or chance(self.rng, 0.6):
                arrived = self.clock.minutes_later(scheduled, -10, 25)
                return [self.visit(c, arrived, c.owner, self.book(c, booked, scheduled, "1", keyed_in=arrived))]
            if not self.not_kept(c, booked, scheduled):
                return []
            if chance(self.rng, 0.3):
                return [self.visit(c, self.clock.days_later(scheduled, 1, 6), c.owner, None)]
        elif chance(self.rng, 0.12):
            return [self.visit(c, self.clock.days_later(called, 2, 8), c.owner, None)]
        return []

    def book(self, c: Customer, at: datetime, scheduled: datetime, number: str,
             keyed_in: datetime | None = None) -> str:
        """Invite the customer (邀约); one kept or cancelled in the period is keyed in then (see the module's doc)."""
        appointment = f"appointment:{c.ref.split(':')[1]}.{number}"
        purpose = self.rng.choice(("consultation", "test_drive", "negotiation"))
        body = {"scheduled_at": self.plan.iso(scheduled), "purpose": purpose, "occurred_at": self.plan.iso(at)}
        when = keyed_in if keyed_in and self.plan.in_period(keyed_in) else at
        self.plan.add(when, c.owner, "book_appointment", c.ref, body, names=appointment, dated=False)
        return appointment

    def not_kept(self, c: Customer, booked: datetime, scheduled: datetime) -> bool:
        """An invitation the customer does not keep; answers whether its day came within the period.

        Before the day a customer may call to cancel, or to move it (only to a time after the period's
        end, still to come); the rest miss it and are called the day after.
        """
        if not self.plan.in_period(scheduled):
            appointment = self.book(c, booked, scheduled, "1")
            moved = self.clock.days_later(booked, 0, 1)
            if chance(self.rng, 0.5) and moved < scheduled:
                self.plan.add(moved, c.owner, "reschedule_appointment", appointment,
                              {"scheduled_at": self.plan.iso(self.clock.days_later(scheduled, 1, 3))}, dated=False)
            return False
        if chance(self.rng, 0.3):
            days = (scheduled.astimezone(self.plan.args.tz).date() - booked.astimezone(self.plan.args.tz).date()).days
            cancelled = self.clock.days_later(booked, 0, days - 1)
            appointment = self.book(c, booked, scheduled, "1", keyed_in=cancelled)
            self.plan.add(cancelled, c.owner, "cancel_appointment", appointment,
                          {"reason": self.rng.choice(CANCELLED)}, dated=False)
            return True
        self.book(c, booked, scheduled, "1")
        self.follow_up(c, self.clock.days_later(scheduled, 0, 1), MISSED)
        return True

    def visit(self, c: Customer, at: datetime, receiving: str, appointment: str | None) -> datetime:
        """An arrival: with the owner's appointment, or asking for the consultant who served them."""
        requested = None if appointment or receiving != c.owner else c.owner
        self.plan.add(at, receiving, "record_visit", c.ref, {
            "consultant_id": receiving, "appointment_id": f"@{appointment}" if appointment else None,
            "requested_consultant_id": requested})
        return at

    def second_visit(self, c: Customer, first: datetime) -> datetime:
        """Back in the showroom (再回展厅): booked, asking for their consultant, or to someone new."""
        if not c.buyer and chance(self.rng, 0.1):  # back after a while, to whoever is free: the file passes
            at, receiving = self.clock.days_later(first, 8, 14), self.consultant(other_than=c.owner)
            self.visit(c, at, receiving, None)
            c.owner = receiving
            return at
        if chance(self.rng, 0.5):
            booked = self.follow_up(c, self.clock.days_later(first, 1, 1), "约再次到店")
            scheduled = self.clock.days_later(booked, 1, 6)
            appointment = self.book(c, self.clock.minutes_later(booked, 1, 3), scheduled, "2", keyed_in=scheduled)
            return self.visit(c, scheduled, c.owner, appointment)
        return self.visit(c, self.clock.days_later(first, 2, 10), c.owner, None)

    def after_visit(self, c: Customer, at: datetime, first: bool) -> None:
        """A test drive in the model's fleet car (试乘试驾) and the consultant's judgement of the customer."""
        if chance(self.rng, (0.8 if c.buyer else 0.45) if first else 0.2):
            self.plan.add(self.clock.minutes_later(at, 15, 45), c.owner, "test_drive", c.ref, {
                "vin": catalogue.fleet_vin(c.model), "driver_license_no": c.id_number, "escort_id": c.owner})
        if chance(self.rng, 0.7 if c.buyer else 0.5):
            c.level = "H" if c.buyer else self.rng.choice((c.level, "A", "B"))
            self.plan.add(self.clock.minutes_later(at, 50, 80), c.owner, "qualify", c.ref,
                          {"status": "intention", "level": c.level})

    def keep_in_touch(self, c: Customer, last: datetime) -> None:
        """Later calls; some customers are given up as lost (战败) with the reason, and a couple come back."""
        for _ in range(self.rng.randint(1, 2)):
            last = self.follow_up(c, self.clock.days_later(last, 1, 6), self.rng.choice(LATER_CALLS))
        if not chance(self.rng, 0.45):
            return
        lost, reason = self.clock.days_later(last, 4, 15), loss(self.rng)
        # a loss, and a reopening, carry no date: the leads service stamps them when they are sent
        if self.plan.add(lost, c.owner, "mark_lost", c.ref, reason, dated=False) and \
                reason["reason_code"] in COMEBACKS and (self.reopened < 2 or chance(self.rng, 0.1)):
            self.come_back(c, lost)

    def come_back(self, c: Customer, lost: datetime) -> None:
        """A lost customer calls again (重新激活): the owner reopens the lead and works it as before."""
        called = self.clock.days_later(lost, 3, 12)
        if self.plan.add(called, c.owner, "reopen_lead", c.ref, {}, dated=False):
            self.reopened += 1
            self.follow_up(c, self.clock.minutes_later(called, 1, 5), "客户回电, 重新考虑购车")
            if chance(self.rng, 0.5):
                self.visit(c, self.clock.days_later(called, 1, 4), c.owner, None)

    def calls_owed_today(self, owner: str, index: int) -> None:
        """Two of a consultant's customers as the period ends (今日待办): one to call today, one gone quiet.

        The first was called the day before yesterday and promised a call today (due); two consultants'
        have since moved the visit booked then (改约). The second was called once some ten days ago and
        not since (overdue, and idle: no contact for 7 days or more); the visit booked then was cancelled,
        or missed (爽约), turn about.
        """
        last = self.plan.last_day
        waiting = self.called_once(owner, last - timedelta(days=2), last)
        if waiting and index % 3 == 0:
            c, called = waiting
            tomorrow = self.clock.during(last + timedelta(days=1))
            appointment = self.book(c, self.clock.minutes_later(called, 1, 3), tomorrow, "1")
            self.plan.add(self.clock.during(last - timedelta(days=1)), owner, "reschedule_appointment", appointment,
                          {"scheduled_at": self.plan.iso(self.clock.during(last + timedelta(days=3)))}, dated=False)
        quiet = self.called_once(owner, last - timedelta(days=10 + index % 3), last - timedelta(days=7))
        if quiet:
            c, called = quiet
            booked, scheduled = self.clock.minutes_later(called, 1, 3), self.clock.days_later(called, 2, 3)
            if index % 2:
                self.book(c, booked, scheduled, "1")  # missed: the leads worker marks it no-show
                return
            cancelled = self.clock.days_later(booked, 0, 1)
            appointment = self.book(c, booked, scheduled, "1", keyed_in=cancelled)
            self.plan.add(cancelled, owner, "cancel_appointment", appointment, {"reason": self.rng.choice(CANCELLED)},
                          dated=False)

    def called_once(self, owner: str, day: date, next_call: date) -> tuple[Customer, datetime] | None:
        """A customer filed and called on ``day`` (if in the period), to be called again on ``next_call``."""
        if day < self.plan.first_day:
            return None
        c = self.new_customer(self.rng.choice(("phone_in", "online")), self.rng.choice(("B", "C")), owner, False)
        filed = self.clock.during(day)
        if not self.file(c, filed):
            return None
        called = self.follow_up(c, self.clock.minutes_later(filed, 5, 60), self.rng.choice(FIRST_CALLS),
                                self.clock.during(next_call))
        return c, called


def budget(rng: random.Random, model: catalogue.Model) -> str:
    """What a caller means to spend: about the model's entry price, in ten thousands (万)."""
    entry = round(min(trim.msrp for trim in model.trims) / Decimal(10000))
    return f"{(entry + rng.choice((-1, 0, 1, 3))) * 10000}.00"


def referrer_phone(phone: str) -> str:
    """A referring customer's mobile for the demo: another number than the customer's own, the same each run."""
    prefix = "137" if not phone.startswith("137") else "136"
    return prefix + phone[3:]

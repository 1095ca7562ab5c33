"""The after-sales desk for every car (DOMAIN.md round 2, "After-sales for every car"): walk-in owners of cars
bought elsewhere (外购车), their maintenance plans, reminder calls (保养提醒) with every outcome, service
appointments (预约) kept, cancelled or missed, marketing consent (PIPL) given and withdrawn, a prospect's
complaint and a notice (优惠活动通知) to the consenting customers.

A kept appointment's arrival is keyed in right after it happens and dated to it; the worker marks an
appointment left unkept missed once its day is over (an arrival keyed in within its day corrects that mark).
Consent and the notice are recorded when they are keyed in (the routes take no business time).
"""
from __future__ import annotations

import random
import string
from datetime import datetime, timedelta

from demo_store import catalogue, people
from demo_store.deals import Sale, money
from demo_store.plan import Clock, Plan, chance

WALK_INS_PER_LEAD_A_DAY = 0.1  # owners of cars bought elsewhere, per daily lead of the scale and day
MAX_WALK_INS = 60
MODELS = ("Corolla", "Lavida", "Sylphy", "CR-V", "Model 3")
DISTRICTS = ("上海市浦东新区", "上海市闵行区", "上海市徐汇区", "上海市宝山区", "上海市嘉定区")
STREETS = ("张杨路", "莘庄路", "漕溪北路", "牡丹江路", "博乐路")
PLANS = ({"interval_months": 6, "interval_km": 7500}, {"interval_months": 12, "interval_km": 10000},
         {"interval_months": 3, "interval_km": 5000})
OUTCOMES, OUTCOME_WEIGHTS = ("booked", "no_answer", "declined", "wrong_number"), (0.45, 0.25, 0.2, 0.1)
NOTES = {"booked": "客户同意到店保养", "no_answer": "无人接听", "declined": "客户近期不方便",
         "wrong_number": "号码错误"}
FATES, FATE_WEIGHTS = ("kept", "cancelled", "missed"), (0.7, 0.12, 0.18)
PLATE_LETTERS = "ABCDEFGHJKLMN"  # care's letters of old; the orders' registrations use P-Z
CONSENT, WITHDRAWN = 0.55, 0.1


class Workshop:
    """Plans the desk's work on walk-in owners and the consent of every customer."""

    def __init__(self, plan: Plan, rng: random.Random) -> None:
        self.plan, self.rng, self.clock = plan, rng, Clock(plan.args.tz, rng)
        self.phones = {a.body["phone"] for a in plan.actions if isinstance(a.body.get("phone"), str)}
        self.plates: set[str] = set()

    def run(self, sales: list[Sale]) -> None:
        count = min(MAX_WALK_INS, max(2, round(self.plan.args.days * self.plan.args.scale * WALK_INS_PER_LEAD_A_DAY)))
        for number in range(1, count + 1):
            self.walk_in(f"walkin:{number}", number)
        for sale in sales:
            if sale.delivered_at is not None:
                self.consent(sale.ref, sale.delivered_at)
        self.prospect_complaint()
        self.notice()

    def walk_in(self, ref: str, number: int) -> None:
        """An owner files their car, perhaps gets a plan, then the desk calls them about its service."""
        days = self.plan.days()
        filed = self.clock.during(self.rng.choice(days[: max(1, len(days) * 2 // 3)]))
        mileage = self.rng.randrange(8000, 90000, 100)
        self.plan.add(filed, people.COORDINATOR.sub, "file_walk_in", ref, {
            "name": people.person_name(self.rng), "phone": people.mobile(self.rng, self.phones),
            "address": self.rng.choice(DISTRICTS) + self.rng.choice(STREETS) + f"{self.rng.randrange(1, 999)}号",
            "vehicle": {"vin": walk_in_vin(number), "model": self.rng.choice(MODELS), "plate": self.plate(),
                        "mileage_km": mileage}}, names=f"customer:{ref}")
        if chance(self.rng, 0.5):
            self.plan.add(filed + timedelta(minutes=1), people.COORDINATOR.sub, "set_plan", ref,
                          dict(self.rng.choice(PLANS)), dated=False)
        if chance(self.rng, 0.5):
            self.consent(ref, filed)
        self.call(ref, self.clock.days_later(filed, 7, 20), mileage)

    def call(self, ref: str, at: datetime, mileage: int, retry: bool = True) -> None:
        """A reminder call; no answer is tried again a few days later, a booked call makes an appointment."""
        outcome = self.rng.choices(OUTCOMES, weights=OUTCOME_WEIGHTS)[0]
        if not retry and outcome == "no_answer":
            outcome = "declined"
        body: dict[str, object] = {"outcome": outcome, "note": NOTES[outcome]}
        coming = self.clock.days_later(at, 2, 6)
        if outcome == "booked":
            body["scheduled_at"] = self.plan.iso(coming)
        if not self.plan.add(at, people.COORDINATOR.sub, "call_reminder", ref, body,
                             names=f"appointment:{ref}" if outcome == "booked" else ""):
            return
        if outcome == "no_answer":
            self.call(ref, self.clock.days_later(at, 1, 3), mileage, retry=False)
        elif outcome == "booked":
            self.appointment(ref, at, coming, mileage)

    def appointment(self, ref: str, booked: datetime, coming: datetime, mileage: int) -> None:
        """Kept (the car comes and is serviced), cancelled the next day, or missed (the worker marks it)."""
        fate = self.rng.choices(FATES, weights=FATE_WEIGHTS)[0]
        appointment, a1 = f"appointment:{ref}", people.COORDINATOR.sub
        if fate == "cancelled":
            self.plan.add(min(booked + timedelta(days=1), coming - timedelta(hours=1)), a1, "cancel_service_visit",
                          appointment, {"reason": "客户临时出差"})
        elif fate == "kept":
            arrived = self.clock.minutes_later(coming, 0, 40)
            if self.plan.add(arrived, a1, "arrive_service_visit", appointment):
                self.plan.add(self.clock.minutes_later(arrived, 60, 150), a1, "record_service", ref, {
                    "vin": f"@vin:{ref}", "service_date": arrived.astimezone(self.plan.args.tz).date().isoformat(),
                    "mileage_km": mileage + self.rng.randrange(300, 3000), "items": ["常规保养", "更换机油机滤"],
                    "cost": money(self.rng.choice((380, 460, 520, 680)))}, dated=False)

    def consent(self, ref: str, since: datetime) -> None:
        """Most customers agree to hear from the store (written form at the handover); a few withdraw later."""
        if not chance(self.rng, CONSENT):
            return
        given = self.clock.minutes_later(since, 20, 90)
        self.plan.add(given, people.COORDINATOR.sub, "set_consent", ref,
                      {"marketing": True, "source": "written_form"}, dated=False)
        if chance(self.rng, WITHDRAWN):
            self.plan.add(self.clock.days_later(given, 3, 30), people.COORDINATOR.sub, "set_consent", ref,
                          {"marketing": False, "source": self.rng.choice(("phone", "sms"))}, dated=False)

    def prospect_complaint(self) -> None:
        """A caller with no file complains about a quote; resolved the same day."""
        opened = self.clock.during(self.plan.days()[len(self.plan.days()) // 2])
        name = "complaint:prospect"
        self.plan.add(opened, people.COORDINATOR.sub, "open_complaint", name, {
            "phone": people.mobile(self.rng, self.phones), "name": people.person_name(self.rng),
            "category": "price", "severity": "low", "description": "电话咨询保养报价与到店收费不符"}, names=name)
        self.plan.add(opened + timedelta(seconds=1), people.COORDINATOR.sub, "resolve_complaint", name,
                      {"note": "已解释收费明细并致歉", "occurred_at": self.plan.iso(opened + timedelta(hours=3))}
                      if self.plan.in_period(opened + timedelta(hours=3)) else {"note": "已解释收费明细并致歉"},
                      dated=False)

    def notice(self) -> None:
        """The year-end notice to every consenting customer, sent on the period's last day."""
        at = min(self.clock.during(self.plan.last_day), self.plan.args.until)
        self.plan.add(at, people.COORDINATOR.sub, "send_notice", "notice:year_end", {
            "title": "年终保养回馈", "body": "12月到店保养工时费八折", "segment": {}}, dated=False)

    def plate(self) -> str:
        """A Shanghai plate (沪A·1234X) not given to another walk-in car."""
        while True:
            tail = "".join(self.rng.choice(string.digits) for _ in range(4)) + self.rng.choice("ABCDEFGH")
            plate = "沪" + self.rng.choice(PLATE_LETTERS) + tail
            if plate not in self.plates:
                self.plates.add(plate)
                return plate


def walk_in_vin(number: int) -> str:
    """A VIN of another maker (LFV, never the store's LDM), its check digit in place."""
    draft = f"LFVCR2A20TC{number:06d}"
    return draft[:8] + catalogue.vin_check_digit(draft) + draft[9:]


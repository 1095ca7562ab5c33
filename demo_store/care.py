"""After the sale (售后): return visits with their questionnaire, services, complaints and their resolution.

Most customers are happy (4 or 5 of 5); a score of 1 or 2 opens a complaint,
which the coordinator resolves within its limit. A complaint is keyed in with
its resolution in one sitting, so none looks overdue while the paper file is
being entered.
"""
from __future__ import annotations

import random
from datetime import datetime, timedelta

from demo_store import people
from demo_store.deals import Sale, money
from demo_store.plan import Clock, Plan, chance

SCORES, SCORE_WEIGHTS = (5, 4, 3, 2, 1), (0.58, 0.30, 0.06, 0.04, 0.02)
FEEDBACK = {5: "非常满意, 顾问很专业", 4: "总体满意", 3: "交车等待时间有点长", 2: "车内不够干净, 手续慢",
            1: "承诺的赠品没有兑现"}
COMPLAINTS = (("waiting_time", "low", "保养等待超过两小时"), ("staff_attitude", "medium", "前台接待态度冷淡"),
              ("price", "low", "保养收费与报价不符"), ("vehicle_quality", "medium", "中控屏偶尔黑屏"))
RESOLUTIONS = ("已致电道歉并赠送保养券", "已补发赠品", "已安排技师复检, 问题解决", "已退还差价")
RECOMMEND = {5: (9, 10), 4: (7, 9), 3: (5, 8), 2: (2, 6), 1: (0, 4)}  # 0-10: promoters 9-10, detractors 0-6
SERVICE_ITEMS = (["首次保养", "更换机油机滤"], ["四轮定位"], ["空调滤芯更换"], ["检查胎压", "车辆检测"])


class Care:
    """Plans each delivered customer's after-sales story."""

    def __init__(self, plan: Plan, rng: random.Random) -> None:
        self.plan, self.rng, self.clock = plan, rng, Clock(plan.args.tz, rng)

    def run(self, sales: list[Sale]) -> None:
        for sale in sales:
            if sale.delivered_at is not None:
                self.customer(sale.ref, sale.delivered_at)

    def customer(self, order: str, delivered: datetime) -> None:
        a1 = people.COORDINATOR.sub  # the plate comes from the orders' registration (orders.vehicle.registered)
        if chance(self.rng, 0.92):
            self.call(order, "delivery", self.clock.days_later(delivered, 3, 4))
        if chance(self.rng, 0.06):
            category, severity, description = self.rng.choice(COMPLAINTS)
            opened = self.clock.days_later(delivered, 4, 30)
            self.plan.add(opened, a1, "open_complaint", order, {
                "customer_id": f"@customer:{order}", "vin": f"@vin:{order}", "category": category,
                "severity": severity, "description": description}, names=f"complaint:{order}.manual")
            self.resolve(f"complaint:{order}.manual", opened)
        if chance(self.rng, 0.35):
            self.service(order, self.clock.days_later(delivered, 20, 75))

    def call(self, order: str, kind: str, at: datetime) -> None:
        """The return visit (回访): satisfaction and feedback; a low score's complaint resolved."""
        score = self.rng.choices(SCORES, weights=SCORE_WEIGHTS)[0]
        complaint = f"complaint:{order}.{kind}"
        called = self.plan.add(at, people.COORDINATOR.sub, "call_back", order, {
            "kind": kind, "satisfaction": score, "feedback": FEEDBACK[score], "answers": self.answers(score)},
            names=complaint if score <= 2 else "")
        if called and score <= 2:
            self.resolve(complaint, at)

    def answers(self, score: int) -> dict[str, int]:
        """The questionnaire (问卷) of a call scored ``score``: each 1-5 answer near it, would-recommend to match."""
        near = {name: min(5, max(1, score + self.rng.choice((-1, 0, 0, 1))))
                for name in ("sales_process", "delivery", "facility")}
        return {**near, "recommend": self.rng.randint(*RECOMMEND[score])}

    def resolve(self, complaint: str, opened: datetime) -> None:
        """Resolved some hours later, keyed in right after the complaint (see the module's note)."""
        if not chance(self.rng, 0.9):
            return  # still being handled: it may well be escalated
        resolved = opened + timedelta(hours=self.rng.randint(2, 30))
        if self.plan.in_period(resolved):
            self.plan.add(opened + timedelta(seconds=1), people.COORDINATOR.sub, "resolve_complaint", complaint,
                          {"note": self.rng.choice(RESOLUTIONS), "occurred_at": self.plan.iso(resolved)},
                          dated=False)

    def service(self, order: str, at: datetime) -> None:
        """The first check-up (首保) or a small repair, then its return visit."""
        day = at.astimezone(self.plan.args.tz).date()
        items = self.rng.choice(SERVICE_ITEMS)
        cost = money(self.rng.choice((0, 180, 260, 380, 520)))
        if self.plan.add(at, people.COORDINATOR.sub, "record_service", order, {
                "vin": f"@vin:{order}", "service_date": day.isoformat(), "mileage_km": self.rng.randint(800, 4800),
                "items": items, "cost": cost}, dated=False):
            self.call(order, "service", self.clock.days_later(at, 2, 3))

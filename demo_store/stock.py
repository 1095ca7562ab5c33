"""The yard (库存): the test-drive fleet, a car for every order, and stock that has not sold yet.

Every order finds a matching car: one arrives and passes its inspection days
before the order is placed, so the oldest-first reservation always has a car,
whichever of the matching ones it picks. A few cars fail their arrival
inspection (接车检验) and pass once fixed.
"""
from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from demo_store import catalogue, people
from demo_store.deals import Sale, money
from demo_store.plan import Clock, Plan, chance

FAULTS = ("左后门漆面划痕", "缺少脚垫", "胎压报警", "右前大灯进水", "随车工具缺失")
LEAD_IN_DAYS = 60  # stock on the yard before the period starts
SLOW_SELLER_AGES = (95, 150)  # days on the yard at the period's end: the stock report's over-90 band


class Yard:
    """Plans the cars that arrive and their inspections."""

    def __init__(self, plan: Plan, rng: random.Random) -> None:
        self.plan, self.rng, self.clock = plan, rng, Clock(plan.args.tz, rng)
        self.serial = 100
        self.lead_in = min(LEAD_IN_DAYS, 360 - plan.args.days)

    def run(self, sales: list[Sale]) -> None:
        """The fleet first, then a car ahead of each order, then unsold stock across the period, and slow
        sellers from long before it (库龄 over 90 days), so the stock desk shows every age band."""
        opening = self.plan.first_day - timedelta(days=self.lead_in)
        slow_rng = random.Random(f"{self.plan.args.seed}:slow-sellers")  # its own stream: the rest stays as it was
        slow_days = self.slow_seller_days(slow_rng)
        self.file_models(min(opening, *slow_days))
        for model in catalogue.MODELS:
            self.arrive(catalogue.fleet_vin(model), catalogue.fleet_spec(model), "test_drive", opening, faults=0)
        for sale in sales:
            day = sale.placed_at.astimezone(self.plan.args.tz).date() - timedelta(days=self.rng.randint(4, 40))
            self.arrive(self.next_vin(sale.spec), sale.spec, "stock", max(day, opening))
        span = (self.plan.last_day - opening).days
        for _ in range(max(6, round(len(sales) * 0.45 + self.plan.args.scale))):
            model = catalogue.choose_model(self.rng)
            spec = catalogue.choose_spec(self.rng, model)
            self.arrive(self.next_vin(spec), spec, "stock", opening + timedelta(days=self.rng.randrange(span)))
        for model in catalogue.MODELS[:2]:  # the showroom floor's demo cars (展车), never sold
            spec = catalogue.choose_spec(slow_rng, model)
            self.arrive(self.next_vin(spec), spec, "demo", opening, faults=0)
        unsold = self.specs_nobody_orders(sales)
        for day in slow_days:
            spec = slow_rng.choice(unsold)
            self.arrive(self.next_vin(spec), spec, "stock", day, faults=0)

    def slow_seller_days(self, rng: random.Random) -> list[date]:
        """The arrival days of three slow sellers: 95 to 150 days before the period's last day, within the year
        the paper records go back."""
        earliest = self.plan.last_day - timedelta(days=359)
        return [max(self.plan.last_day - timedelta(days=rng.randint(*SLOW_SELLER_AGES)), earliest)
                for _ in range(3)]

    def specs_nobody_orders(self, sales: list[Sale]) -> list[catalogue.Spec]:
        """The configurations no order of the period asks for: a car of one is still on the yard at the end."""
        ordered = {sale.spec for sale in sales}
        every = [catalogue.Spec(m.name, t.name, c) for m in catalogue.MODELS for t in m.trims for c in m.colors]
        return [spec for spec in every if spec not in ordered] or every

    def file_models(self, day: date) -> None:
        """The clerk files each model's class (车型大类) before the store opens, so every car arrives with it."""
        before_opening = datetime.combine(day, time(9, 0), tzinfo=self.plan.args.tz)
        for model in catalogue.MODELS:
            self.plan.add(before_opening, people.CLERK.sub, "classify_model", f"model:{model.name}",
                          {"model_class": model.model_class}, dated=False)

    def next_vin(self, spec: catalogue.Spec) -> str:
        self.serial += 1
        return catalogue.make_vin(spec, self.serial)

    def arrive(self, vin: str, spec: catalogue.Spec, kind: str, day: date, faults: float = 0.08) -> None:
        """A car in from the maker (新车入库), inspected a few hours later; a faulty one again when fixed."""
        arrived = self.clock.during(day)
        location = "main" if kind != "stock" or chance(self.rng, 0.85) else "warehouse"
        cost = (spec.msrp * catalogue.COST_RATIO).quantize(Decimal("0.01"))
        if not self.plan.add(arrived, people.CLERK.sub, "receive_car", f"car:{vin}", {
                "vin": vin, "model": spec.model, "trim": spec.trim, "color": spec.color, "msrp": money(spec.msrp),
                "cost": money(cost), "kind": kind, "location": location, "arrived_at": self.plan.iso(arrived)},
                dated=False):
            return
        inspected = self.clock.minutes_later(arrived, 60, 240)
        if chance(self.rng, faults):
            self.inspect(vin, inspected, False, self.rng.choice(FAULTS))
            inspected = self.clock.days_later(inspected, 1, 3)
        self.inspect(vin, inspected, True, "")

    def inspect(self, vin: str, at: datetime, passed: bool, notes: str) -> None:
        self.plan.add(at, people.CLERK.sub, "inspect_car", f"car:{vin}", {"passed": passed, "notes": notes})

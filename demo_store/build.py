"""Build a period's plan: the showroom's stories, the cars they need, after-sales, the staff and groups, monthly
targets."""
from __future__ import annotations

import random
from datetime import date, datetime, time

from demo_store import people
from demo_store.campaigns import Campaigns
from demo_store.care import Care
from demo_store.floor import Floor
from demo_store.pay import Supervisors
from demo_store.plan import MAX_DAYS, Plan, PlanArgs
from demo_store.sales import Showroom
from demo_store.stock import Yard
from demo_store.workshop import Workshop

TARGET_PER_LEAD_A_DAY = 1.0  # monthly units asked of a consultant per daily lead of the scale: about what sells


def build_plan(args: PlanArgs) -> Plan:
    """The same arguments always give the same plan (each part draws from its own random stream)."""
    if not 1 <= args.days <= MAX_DAYS:
        raise ValueError(f"days must be between 1 and {MAX_DAYS}")
    if not 0 < args.scale <= 200:
        raise ValueError("scale must be more than 0 and at most 200 leads a day")
    plan = Plan(args)
    sales = Showroom(plan, random.Random(f"{args.seed}:showroom")).run()
    Yard(plan, random.Random(f"{args.seed}:yard")).run(sales)
    Care(plan, random.Random(f"{args.seed}:care")).run(sales)
    Workshop(plan, random.Random(f"{args.seed}:workshop")).run(sales)  # walk-ins, calls, consent: before Floor
    Floor(plan, random.Random(f"{args.seed}:floor")).run()  # the roster, the DCC, a duplicate merged
    Campaigns(plan, random.Random(f"{args.seed}:campaigns")).run()  # after every story: it picks from them
    set_staff_and_groups(plan)
    set_targets(plan)
    Supervisors(plan, random.Random(f"{args.seed}:supervisors")).run()  # meetings, a template, weekly plans
    return plan


def months(first: date, last: date) -> list[date]:
    """The first day of every month the period touches."""
    found, day = [], first.replace(day=1)
    while day <= last:
        found.append(day)
        day = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return found


def set_staff_and_groups(plan: Plan) -> None:
    """The sales manager puts everyone on reporting's staff directory, then the groups (小组), before any target.

    The groups take effect from the period's first day: reporting lets a store open its books that way (no one
    was in a group before), so every seeded month has its group figures, scorecards and commission.
    """
    start = datetime.combine(plan.first_day, time(8, 0), plan.args.tz)
    for person in people.STAFF.values():
        plan.add(start, people.MANAGER.sub, "put_staff", f"staff:{person.sub}",
                 {"name": person.name, "role": person.role}, dated=False)
    for group in people.GROUPS:
        plan.add(start, people.MANAGER.sub, "put_group", f"group:{group.group_id}",
                 {"name": group.name, "supervisor_id": group.supervisor, "members": list(group.members),
                  "effective_from": plan.first_day.isoformat()}, dated=False)


def set_targets(plan: Plan) -> None:
    """The sales manager sets each consultant's monthly units (任务分配表), at the period's start."""
    start = datetime.combine(plan.first_day, time(9, 0), plan.args.tz)
    for month in months(plan.first_day, plan.last_day):
        targets = [{"consultant_id": c.sub, "units": max(1, round(plan.args.scale * TARGET_PER_LEAD_A_DAY * w))}
                   for c, w in zip(people.CONSULTANTS, people.CONSULTANT_WEIGHTS, strict=True)]
        plan.add(start, people.MANAGER.sub, "set_targets", f"targets:{month:%Y-%m}", {"targets": targets},
                 dated=False)

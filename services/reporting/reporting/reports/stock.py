"""Stock (库存报表): on hand per model/trim/colour and status, ageing, the test-drive fleet, slow movers.

Ages change every day, so they are worked out when the report is read, from
each car's arrival; a store holds hundreds of cars, not millions.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from reporting.dates import aware, local_day
from reporting.domain import AGEING_BUCKETS, SLOW_MOVER_DAYS, ageing_bucket, is_slow_mover, stock_age_days
from reporting.models import SaleFact, VehicleFact
from reporting.reports import Table

STATUSES = ("in_transit", "pending_inspection", "available", "on_hold", "reserved")
NOT_ON_HAND = ("in_transit", "delivered")


def _last_deliveries(session: Session, tz: ZoneInfo) -> dict[str, date]:
    """Each model's latest delivery, from orders and from inventory's outbound."""
    latest: dict[str, date] = {}
    for model, day in session.execute(select(SaleFact.model, func.max(SaleFact.day)).group_by(SaleFact.model)):
        latest[model] = day
    cars = select(VehicleFact.model, func.max(VehicleFact.delivered_at)).where(VehicleFact.delivered_at.is_not(None))
    for model, moment in session.execute(cars.group_by(VehicleFact.model)):
        day = local_day(moment, tz)
        latest[model] = max(latest.get(model, day), day)
    return latest


def _group_key(car: VehicleFact) -> tuple[str, str, str]:
    return (car.model or "unknown", car.trim or "", car.color or "")


def stock(session: Session, now: datetime, tz: ZoneInfo) -> dict[str, Any]:
    """The stock report as of ``now``."""
    cars = list(session.scalars(select(VehicleFact).where(VehicleFact.status != "delivered")))
    stock_cars = [c for c in cars if (c.kind or "stock") == "stock"]
    groups: dict[tuple[str, str, str], dict[str, Any]] = defaultdict(
        lambda: {"on_hand": 0, **dict.fromkeys(STATUSES, 0), "ageing": dict.fromkeys(AGEING_BUCKETS, 0),
                 "oldest_days": 0})
    ageing = dict.fromkeys(AGEING_BUCKETS, 0)
    for car in stock_cars:
        group = groups[_group_key(car)]
        if car.status in STATUSES:
            group[car.status] += 1
        if car.status in NOT_ON_HAND or car.arrived_at is None:
            continue
        age = stock_age_days(aware(car.arrived_at), now)
        group["on_hand"] += 1
        group["ageing"][ageing_bucket(age)] += 1
        group["oldest_days"] = max(group["oldest_days"], age)
        ageing[ageing_bucket(age)] += 1
    items = [{"model": k[0], "trim": k[1], "color": k[2], **v} for k, v in sorted(groups.items())]
    return {
        "as_of": local_day(now, tz), "on_hand": sum(i["on_hand"] for i in items),
        "by_status": {s: sum(i[s] for i in items) for s in STATUSES}, "ageing": ageing, "items": items,
        "test_drive_fleet": _fleet(cars), "demo_cars": sum(1 for c in cars if c.kind == "demo"),
        **_advice(session, items, now, tz),
    }


def _fleet(cars: list[VehicleFact]) -> list[dict[str, Any]]:
    """The test-drive cars (试驾车) and where they are."""
    return [{"vin": c.vin, "model": c.model, "trim": c.trim, "color": c.color, "location": c.location,
             "status": c.status} for c in sorted(cars, key=lambda c: c.vin) if c.kind == "test_drive"]


def _advice(session: Session, items: list[dict[str, Any]], now: datetime, tz: ZoneInfo) -> dict[str, Any]:
    """Stock more of what sells, less of what does not (the back office's advice to the manager)."""
    today = local_day(now, tz)
    last = _last_deliveries(session, tz)
    slow = [{"model": i["model"], "trim": i["trim"], "color": i["color"], "on_hand": i["on_hand"],
             "oldest_days": i["oldest_days"], "last_model_delivery": last.get(i["model"])}
            for i in items if i["on_hand"] and is_slow_mover(i["oldest_days"], last.get(i["model"]), today)]
    since = today - timedelta(days=SLOW_MOVER_DAYS)
    sold = session.execute(select(SaleFact.model, func.count()).where(SaleFact.day > since)
                           .group_by(SaleFact.model)).all()
    on_hand: dict[str, int] = defaultdict(int)
    for item in items:
        on_hand[item["model"]] += item["on_hand"]
    selling = [{"model": model, "sold_last_60_days": int(n), "on_hand": on_hand.get(model, 0)}
               for model, n in sorted(sold, key=lambda r: (-r[1], r[0]))]
    return {"slow_movers": slow, "selling": selling}


def stock_table(report: dict[str, Any]) -> Table:
    """One row per model/trim/colour: status counts and ageing buckets."""
    header = ["model", "trim", "color", "on_hand", *STATUSES, *[f"age_{b}" for b in AGEING_BUCKETS], "oldest_days"]
    rows = [[i["model"], i["trim"], i["color"], i["on_hand"], *[i[s] for s in STATUSES],
             *[i["ageing"][b] for b in AGEING_BUCKETS], i["oldest_days"]] for i in report["items"]]
    return header, rows

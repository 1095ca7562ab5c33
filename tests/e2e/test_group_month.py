"""A month of the sales groups' work through the five real services and the real broker (DOMAIN.md, "Groups,
targets, scorecards and pay"), and the supervisor's scorecard, commission, the groups' and weekly reports checked
against figures worked out by hand, before and after ``POST /admin/rebuild``.

The services run on the real clock, so the month is the current one and "today" is the store's today: the
move between groups is recorded today (the earliest day the store lets it take effect and the latest it may), and
the cars are sold today. Figures that depend on the day of the month (meetings due, the target to date) are
worked out below from that day, in the comments' arithmetic.

c1 and c2 are in group A (supervisor s1, online sales by role) and c3 in group B (supervisor s2) from the 1st;
c2 moves to B today. Targets: c1 2 units (SUV 2), c3 2 units (sedan 2); c2 has none (a moved consultant's target
split by days is worked through in services/reporting/tests/integration/pay). Inventory classes Aurora as SUV
and Comet as sedan; c1 delivers two Auroras, c2 (now in B) an Aurora, c3 a Comet. s1 records a morning meeting
(晨会) at 08:45 each day of the month that has reached 08:45; the template makes every day a working day and sets
the sedan's deduction (扣发) to CNY 150.
"""
from __future__ import annotations

import calendar
import os
from datetime import datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from dealer_testing import RunningService, wait_for
from dealer_testing.desk import Desk, declare_every_consumer_queue

CHECKLIST = dict.fromkeys(("exterior", "interior", "fuel", "accessories", "documents", "keys"), True)
ID_NUMBER = "110101199003074514"


def cents(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def set_up_groups(reporting: RunningService, month: str, today: datetime) -> None:
    """Staff, the groups from the 1st, c2's move today, the month's targets and template."""
    manager = Desk(reporting, "sales_manager", "m1")
    for staff_id, role in (("s1", "online_sales"), ("s2", "consultant"), ("c1", "consultant"),
                           ("c2", "consultant"), ("c3", "consultant")):
        manager.call("PUT", f"/staff/{staff_id}", {"name": f"王{staff_id}", "role": role})
    first = f"{month}-01"
    manager.call("PUT", "/groups/A", {"name": "网销组", "supervisor_id": "s1", "members": ["c1", "c2"],
                                      "effective_from": first})
    manager.call("PUT", "/groups/B", {"name": "展厅组", "supervisor_id": "s2", "members": ["c3"],
                                      "effective_from": first})
    manager.call("PUT", "/groups/B", {"name": "展厅组", "supervisor_id": "s2", "members": ["c3", "c2"],
                                      "effective_from": today.date().isoformat()})
    manager.call("PUT", f"/targets/{month}", {"targets": [
        {"consultant_id": "c1", "units": 2, "by_model_class": {"SUV": 2}},
        {"consultant_id": "c3", "units": 2, "by_model_class": {"sedan": 2}}]})
    manager.call("PUT", f"/scorecard-template/{month}", {"working_days": [1, 2, 3, 4, 5, 6, 7],
                                                         "class_deductions": {"sedan": "150"}})


def hold_meetings(reporting: RunningService, today: datetime) -> int:
    """s1's morning meeting at 08:45 on each day of the month so far that has reached 08:45; how many."""
    supervisor = Desk(reporting, "online_sales", "s1")
    held = 0
    for day in range(1, today.day + 1):
        start = datetime.combine(today.date().replace(day=day), time(8, 45), today.tzinfo)
        if start <= today:
            supervisor.call("POST", "/meetings", {"group_id": "A", "kind": "morning", "held_at": start.isoformat(),
                                                  "minutes": "昨日回顾, 今日邀约", "attendees": ["c1", "c2"]})
            held += 1
    return held


def sell(svc: dict[str, RunningService], consultant: str, serial: int, model: str) -> None:
    """A consultant sells a car at its list price to delivery (交车): order, contract, review, payment, compulsory
    insurance, checklist."""
    desk = Desk(svc["orders"], "consultant", consultant)
    order = desk.call("POST", "/orders", {
        "lead_id": None, "msrp": "199900.00", "price": "199900.00", "deposit": "5000.00",
        "customer": {"name": "Wang Lei", "phone": f"138000000{serial:02d}", "id_number": ID_NUMBER},
        "vehicle": {"model": model, "trim": "2.0T", "color": "white"}})
    path = f"/orders/{order['id']}"
    wait_for(lambda: desk.get(path)["status"] == "reserved", timeout=30, message="inventory to reserve the car")
    desk.call("POST", f"{path}/contract", {})
    office = Desk(svc["orders"], "back_office", "b1")
    office.call("POST", f"{path}/contract/review", {"passed": True, "notes": ""})  # no discount: no manager needed
    outstanding = office.get(path)["outstanding"]
    office.call("POST", f"{path}/payments", {"amount": outstanding, "method": "bank_transfer", "kind": "balance"})
    today = datetime.now(ZoneInfo(os.environ.get("DEALER_TZ") or "Asia/Shanghai")).date()
    office.call("POST", f"{path}/insurance", {  # 交强险, covering the delivery day
        "insurer": "中国人保", "policy_no": f"JQX-{serial:04d}", "kind": "compulsory", "premium": "950.00",
        "starts_on": (today - timedelta(days=1)).isoformat(), "ends_on": (today + timedelta(days=364)).isoformat()})
    desk.call("POST", f"{path}/deliver", {"checklist": CHECKLIST})


def stock_and_sell(svc: dict[str, RunningService], new_vin: Any) -> None:
    """Inventory classes the models and receives four cars; c1 sells two Auroras, c2 one, c3 a Comet."""
    clerk = Desk(svc["inventory"], "inventory_clerk", "k1")
    clerk.call("PUT", "/models/Aurora", {"model_class": "SUV"})
    clerk.call("PUT", "/models/Comet", {"model_class": "sedan"})
    sales = [("c1", "Aurora"), ("c1", "Aurora"), ("c2", "Aurora"), ("c3", "Comet")]
    for serial, (consultant, model) in enumerate(sales, start=1):
        vin = new_vin()
        clerk.call("POST", "/vehicles", {"vin": vin, "model": model, "trim": "2.0T", "color": "white",
                                         "msrp": "199900.00", "cost": "171000.00", "kind": "stock",
                                         "location": "main"})
        clerk.call("POST", f"/vehicles/{vin}/inspection", {"passed": True, "notes": ""})
        sell(svc, consultant, serial, model)


def expected(today: datetime, held: int) -> dict[str, Any]:
    """Worked out by hand. A: c1's 2 Auroras of c1's 2 units (SUV 2 of 2): 100%, CNY 50 a unit, no class short.
    B: c2's Aurora and c3's Comet, 2 of c3's 2 units: 100%, CNY 50 a unit; sedan 1 of 2 = 50% < 90%: CNY 150 off
    each member: c2 50 - 150 and c3 50 - 150 -> 0.00. c2 was in A from the 1st to yesterday (none on the 1st):
    a row of nothing there."""
    moved_today = today.day > 1
    rows = {("c1", "A"): ("2", "50.00", "100.00", "0.00", "100.00"),
            ("c2", "B"): ("1", "50.00", "50.00", "150.00", "0.00"),
            ("c3", "B"): ("1", "50.00", "50.00", "150.00", "0.00")}
    if moved_today:
        rows[("c2", "A")] = ("0", "50.00", "0.00", "0.00", "0.00")
    # the scorecard's line 1: every day a working day, 2 slots a day up to today; the morning ones held on time
    due = 2 * today.day
    meetings = Decimal(held) / due
    # lines 2–6: no leads this month: every rate 0 of 0 = 0, scoring 0; line 7: 2 of 2 = 1: 0.20 × 1 × 100 = 20
    total = Decimal("0.20") * meetings * 100 + 20
    # the week: its Sunday's month is this month unless the week runs into the next; the target to date is the
    # month's × days elapsed by that Sunday ÷ days in the month
    sunday = today.date() + timedelta(days=7 - today.isoweekday())
    in_month = sunday.month == today.month
    days = calendar.monthrange(today.year, today.month)[1]
    to_date = {name: cents(Decimal(target) * sunday.day / days) if in_month else "0.00"
               for name, target in (("A", 2), ("B", 2), ("store", 4))}
    return {"commissions": rows, "line_1": (str(held), str(due), cents(Decimal("0.20") * meetings * 100)),
            "total": cents(total), "to_date": to_date, "in_month": in_month,
            "leaderboard_A": [("c1", 2, "2.00", "1.0000")] + ([("c2", 0, "0.00", None)] if moved_today else []),
            # B: c2 and c3 one unit each; c3 0.5 of target before c2, who has none
            "leaderboard_B": [("c3", 1, "2.00", "0.5000"), ("c2", 1, "0.00", None)]}


def figures(reporting: RunningService, month: str, week: str) -> dict[str, Any]:
    """What reporting answers, in the shape of ``expected``."""
    manager = Desk(reporting, "sales_manager", "m1")
    rows = {(r["consultant_id"], r["group_id"]): (str(r["units"]), r["rate_per_unit"], r["gross"], r["deductions"],
                                                  r["net"])
            for r in manager.get(f"/commissions?month={month}")["items"]}
    card = manager.get(f"/scorecards?month={month}&group_id=A")
    groups = {g["group_id"]: g for g in manager.get(f"/reports/groups?month={month}")["items"]}
    weekly = manager.get(f"/reports/weekly?week={week}")
    return {"commissions": rows, "card": card, "groups": groups, "weekly": weekly}


def check(found: dict[str, Any], wanted: dict[str, Any]) -> None:
    assert found["commissions"] == wanted["commissions"]
    line_1 = found["card"]["lines"][0]
    assert (line_1["numerator"], line_1["denominator"], line_1["score"]) == wanted["line_1"]
    assert [line["score"] for line in found["card"]["lines"][1:]] == ["0.00"] * 5 + ["20.00"]
    assert found["card"]["total"] == wanted["total"]
    a, b = found["groups"]["A"], found["groups"]["B"]
    assert (a["units"], a["target"], a["completion"], b["units"], b["target"], b["completion"]) == (
        2, "2.00", "1.0000", 2, "2.00", "1.0000")
    assert (a["supervisor"], b["supervisor"]) == ({"staff_id": "s1", "name": "王s1"}, {"staff_id": "s2",
                                                                                      "name": "王s2"})
    for name, group in (("A", a), ("B", b)):
        assert [(r["consultant_id"], r["units"], r["target"], r["completion"]) for r in group["consultants"]] == \
            wanted[f"leaderboard_{name}"]
    weekly = found["weekly"]
    rows = {g["group_id"]: g for g in weekly["groups"]}
    for name, row in (("A", rows["A"]), ("B", rows["B"]), ("store", weekly["store"])):
        units = 4 if name == "store" else 2
        # every car was sold today, in this week; none the week before: the change is the week's units
        assert (row["units"], row["change"]["units"], row["target_to_date"]) == (units, units, wanted["to_date"][name])
        assert row["units_month_to_date"] == (units if wanted["in_month"] else 0)
        assert set(row["change"]["rates_pp"].values()) == {"0.00"}
    assert (weekly["store"]["funnel"]["orders"], weekly["store"]["funnel"]["deliveries"]) == (4, 4)
    assert rows["A"]["plan"] == "每天邀约两位老客户" and rows["B"]["plan"] is None


def test_a_month_of_groups_gives_the_scorecard_commission_and_reports_worked_out_by_hand(start_service,
                                                                                          new_vin) -> None:
    declare_every_consumer_queue()
    svc = {name: start_service(name) for name in ("reporting", "inventory", "leads", "orders", "after_sales")}
    today = datetime.now(ZoneInfo(os.environ.get("DEALER_TZ") or "Asia/Shanghai"))
    month, week = f"{today:%Y-%m}", "{}-W{:02d}".format(*today.isocalendar()[:2])
    set_up_groups(svc["reporting"], month, today)
    held = hold_meetings(svc["reporting"], today)
    Desk(svc["reporting"], "online_sales", "s1").call("PUT", f"/weekly-plans/{week}/A", {"plan": "每天邀约两位老客户"})
    Desk(svc["leads"], "consultant", "c1").call("POST", "/inquiries", {"channel": "online", "phone": "13900000001",
                                                                       "note": "web form"})
    stock_and_sell(svc, new_vin)
    wanted = expected(today, held)

    def settled() -> bool:
        found = figures(svc["reporting"], month, week)
        return found["commissions"] == wanted["commissions"] and found["weekly"]["store"]["funnel"]["inquiries"] == 1
    wait_for(settled, timeout=60, message="reporting to hear every delivery")
    check(figures(svc["reporting"], month, week), wanted)

    ops = Desk(svc["reporting"], "ops", "o1")
    run = ops.call("POST", "/admin/rebuild", {}, expect=(202,))
    wait_for(lambda: ops.get(f"/admin/rebuilds/{run['id']}")["status"] == "done", timeout=60,
             message="the rebuild to finish")
    check(figures(svc["reporting"], month, week), wanted)

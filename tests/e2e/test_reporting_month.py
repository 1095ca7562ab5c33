"""The store's work through the real services and bus, and every KPI reporting gives checked by hand.

Inventory receives cars, leads logs inquiries, files customers, books visits
and test drives, orders sells and delivers, after-sales calls back and handles
complaints; reporting hears all of it on ``dealer.events``. Every figure must
equal the one worked out from these actions, and stay the same after a
redelivery of every event, a rebuild, and a lost reporting database refilled
from the departments' feeds. The dashboard then draws the same figures.

The rates are counted as the store counts them (DOMAIN.md): the work holds a repeat call from a customer
on file, a call filed three days later, a walk-in filed straight away, an order later cancelled, an
order naming no lead but carrying a lead's phone, leads past their 30 days (keyed in from the paper
register, 补录) and leads younger than 30 days.
"""
from __future__ import annotations

import contextlib
import json
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import requests

from dealer_testing import ROOT, RunningService, token, wait_for
from dealer_testing.desk import Desk, declare_every_consumer_queue
from dealer_testing.paperwork import compulsory_policy
from shared import broker
from shared.config import load_settings
from shared.envelope import make_event
from shared.publisher import ConfirmingPublisher, Outgoing
from shared.service import installed_services

DEPARTMENTS = ("inventory", "leads", "orders", "after_sales")
CHECKLIST = dict.fromkeys(("exterior", "interior", "fuel", "accessories", "documents", "keys"), True)
ID_NUMBER = "110101199003074514"
VIN_VALUES = {**dict.fromkeys("AJ", 1), **dict.fromkeys("BKS", 2), **dict.fromkeys("CLT", 3),
              **dict.fromkeys("DMU", 4), **dict.fromkeys("ENV", 5), **dict.fromkeys("FW", 6),
              **dict.fromkeys("GPX", 7), **dict.fromkeys("HY", 8), **dict.fromkeys("RZ", 9),
              **{str(d): d for d in range(10)}}
VIN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)


def vin(serial: int) -> str:
    """A VIN with a correct ISO 3779 check digit in its ninth place (inventory refuses any other)."""
    body = f"LSVAU2180N{serial:07d}"
    remainder = sum(VIN_VALUES[c] * w for c, w in zip(body, VIN_WEIGHTS, strict=True)) % 11
    return body[:8] + ("X" if remainder == 10 else str(remainder)) + body[9:]


def feed_events(service: RunningService) -> list[dict[str, Any]]:
    """Everything a department's feed serves now."""
    items: list[dict[str, Any]] = []
    after = 0
    while True:
        page = requests.get(f"{service.url}/api/v1/events", params={"after": after, "limit": 5000},
                            headers=token("service", "reporting"), timeout=10).json()
        items += page["items"]
        if not page["items"]:
            return items
        after = int(page["next"])


def store_work(svc: dict[str, RunningService]) -> dict[str, Any]:
    """The month's actions; returns what the checks need to know of them."""
    clerk, manager = Desk(svc["inventory"], "inventory_clerk", "k1"), Desk(svc["leads"], "sales_manager", "m1")
    c1, c2 = Desk(svc["leads"], "consultant", "c1"), Desk(svc["leads"], "consultant", "c2")
    now = datetime.now(UTC)
    cars = {"fleet": vin(1), "new": vin(2), "old": vin(3), "comet": vin(4)}
    for key, model, kind, age, passed in (("fleet", "Aurora", "test_drive", 200, True),
                                          ("new", "Aurora", "stock", 10, True), ("old", "Aurora", "stock", 70, True),
                                          ("comet", "Comet", "stock", 95, False)):
        clerk.post("/vehicles", {"vin": cars[key], "model": model, "trim": "2.0T Luxury", "color": "white",
                                 "msrp": "199900.00", "cost": "171000.00", "kind": kind, "location": "main",
                                 "model_class": "SUV", "arrived_at": (now - timedelta(days=age)).isoformat()})
        clerk.post(f"/vehicles/{cars[key]}/inspection", {"passed": passed, "notes": "" if passed else "paint"})

    c1.post("/inquiries", {"channel": "phone", "phone": "13800000001", "note": "asked the price"})
    c2.post("/inquiries", {"channel": "walk_in", "phone": "13800000002", "note": "looked around"})
    c2.post("/inquiries", {"channel": "online", "phone": "13800000003", "note": "web form"})
    first = c1.post("/leads", {"name": "Wang Lei", "phone": "13800000001", "source": "phone_in",
                               "model_interest": "Aurora", "level": "A"})
    second = c2.post("/leads", {"name": "Li Na", "phone": "13800000005", "source": "walk_in",
                                "model_interest": "Aurora"})
    third = c1.post("/leads", {"name": "Zhao Min", "phone": "13800000006", "source": "referral",
                               "referrer_phone": "13800000009", "model_interest": "Aurora"})
    invited = c1.post(f"/leads/{first['id']}/appointments", {"scheduled_at": (now + timedelta(hours=2)).isoformat()})
    c2.post(f"/leads/{second['id']}/appointments", {"scheduled_at": (now + timedelta(days=2)).isoformat()})
    c1.post(f"/leads/{first['id']}/visits", {"appointment_id": invited["id"]})
    c1.post(f"/leads/{first['id']}/test-drives", {"vin": cars["fleet"], "driver_license_no": "D1234567",
                                                  "escort_id": "c1"})
    c1.post(f"/leads/{first['id']}/visits", {})  # the return visit (再回展厅)
    assert manager.get(f"/leads/{first['id']}")["visits"] == 2

    c1.post("/inquiries", {"channel": "phone", "phone": "13800000001", "note": "calls again"})  # on file already
    c2.post("/inquiries", {"channel": "phone", "phone": "13800000007", "note": "asked about stock",
                           "occurred_at": (now - timedelta(days=3)).isoformat()})  # from the paper register
    late = c2.post("/leads", {"name": "Sun Li", "phone": "13800000007", "source": "phone_in",
                              "model_interest": "Aurora"})  # files the call of three days ago: too late
    sold = sell(svc, first["id"], "13800000001")
    cancelled = place_order(svc, third["id"], "13800000006")
    Desk(svc["orders"], "consultant", "c1").post(f"/orders/{cancelled['id']}/cancel", {"reason": "changed mind"})
    order_by_hand(svc, "c2", None, "13800000005", now)  # names no lead: the phone is Li Na's (second)
    keyed_in_from_paper(svc, c1, c2, now)
    assert late["owner_id"] == "c2"
    return {"cars": cars, "sold": sold, **after_sales(svc, cars["old"])}


def order_by_hand(svc: dict[str, RunningService], consultant: str, lead_id: str | None, phone: str,
                  placed_at: datetime) -> dict[str, Any]:
    """An order of a Borealis, which no car in stock is: it waits (backordered) and moves no stock figure."""
    named = {"lead_id": lead_id} if lead_id else {}
    return Desk(svc["orders"], "consultant", consultant).post("/orders", {
        **named, "customer": {"name": "Customer", "phone": phone, "id_number": ID_NUMBER},
        "vehicle": {"model": "Borealis", "trim": "1.5T", "color": "black"}, "msrp": "259900.00",
        "price": "249900.00", "deposit": "5000.00", "occurred_at": placed_at.isoformat()})


def keyed_in_from_paper(svc: dict[str, RunningService], c1: Desk, c2: Desk, now: datetime) -> None:
    """Two online leads of 45 and 40 days ago, their 30 days passed: the first ordered 5 days after filing."""
    ordered = c1.post("/leads", {"name": "Qian Bo", "phone": "13800000011", "source": "online",
                                 "model_interest": "Borealis", "occurred_at": (now - timedelta(days=45)).isoformat()})
    order_by_hand(svc, "c1", ordered["id"], "13800000011", now - timedelta(days=40))
    c2.post("/leads", {"name": "Zhou Yi", "phone": "13800000012", "source": "online", "model_interest": "Borealis",
                       "occurred_at": (now - timedelta(days=40)).isoformat()})


def place_order(svc: dict[str, RunningService], lead_id: str, phone: str) -> dict[str, Any]:
    """c1 places an order with a deposit; inventory reserves the oldest matching car."""
    desk = Desk(svc["orders"], "consultant", "c1")
    order = desk.post("/orders", {"lead_id": lead_id, "customer": {"name": "Wang Lei", "phone": phone,
                                                                    "id_number": ID_NUMBER},
                                  "vehicle": {"model": "Aurora", "trim": "2.0T Luxury", "color": "white"},
                                  "msrp": "199900.00", "price": "189900.00", "deposit": "5000.00"})
    return wait_for(lambda: (o := desk.get(f"/orders/{order['id']}"))["status"] == "reserved" and o, timeout=30,
                    message="inventory to reserve a car")


def sell(svc: dict[str, RunningService], lead_id: str, phone: str) -> dict[str, Any]:
    """The paper trail to delivery (交车): contract, review (and approval), payment, insurance, checklist."""
    order = place_order(svc, lead_id, phone)
    path = f"/orders/{order['id']}"
    Desk(svc["orders"], "consultant", "c1").post(f"{path}/contract")
    back_office = Desk(svc["orders"], "back_office", "b1")
    if back_office.post(f"{path}/contract/review", {"passed": True})["status"] == "reviewed":  # over the limit
        Desk(svc["orders"], "sales_manager", "m1").post(f"{path}/contract/approve")
    outstanding = Decimal(back_office.get(path)["outstanding"])
    back_office.post(f"{path}/payments", {"amount": f"{outstanding:.2f}", "method": "bank_transfer",
                                          "kind": "balance"})
    back_office.post(f"{path}/insurance", compulsory_policy())
    return Desk(svc["orders"], "consultant", "c1").post(f"{path}/deliver", {"checklist": CHECKLIST})


def after_sales(svc: dict[str, RunningService], sold_vin: str) -> dict[str, Any]:
    """The delivery's return call, one complaint resolved and one left open."""
    desk = Desk(svc["after_sales"], "after_sales", "a1")
    call = wait_for(lambda: desk.get(f"/return-visits?vin={sold_vin}&within_days=30")["items"], timeout=30,
                    message="after-sales to schedule the delivery's return call")[0]
    desk.post(f"/return-visits/{call['id']}/complete", {"satisfaction": 4, "feedback": "happy with the car"})
    opened = desk.post("/complaints", {"customer_id": call["customer_id"], "category": "delivery",
                                       "severity": "low", "description": "a floor mat was missing"})
    resolved = desk.post(f"/complaints/{opened['id']}/resolve", {"note": "mat delivered"})
    desk.post("/complaints", {"customer_id": call["customer_id"], "category": "waiting_time", "severity": "low",
                              "description": "waited long at delivery"})
    hours = (datetime.fromisoformat(resolved["resolved_at"]) - datetime.fromisoformat(resolved["opened_at"]))
    return {"hours_to_resolve": round(hours.total_seconds() / 3600, 2)}


def expected(work: dict[str, Any]) -> dict[str, Any]:
    """The figures worked out by hand from ``store_work``."""
    return {
        # the span: 45 days ago to tomorrow
        "funnel": {"inquiries": 5,  # calls 0001, 0001 again, 0007 (three days ago); walk-in 0002; online 0003
                   "leads": 6,  # first, second, third, late (today); Qian Bo (45 days ago), Zhou Yi (40 days ago)
                   "appointments": 2, "visits": 3, "test_drives": 1,
                   "orders": 4,  # sold, cancelled, Li Na's naming no lead (today); Qian Bo's (40 days ago)
                   "deliveries": 1,
                   "rates": {"filing_rate": 0.5, "appointment_arrival_rate": 0.5, "return_visit_rate": 0.5,
                             "test_drive_rate": 0.5, "conversion_30d": 0.5, "referral_rate": 0.1667},
                   "rate_details": {
                       # new-customer contacts: call 0001 (filed the same day: yes), walk-in 0002 (never filed),
                       # Li Na (a walk-in filed with no inquiry: itself a contact, filed), call 0007 (filed three
                       # days later: no) = 2 / 4; 0001's second call is from a customer on file: neither side;
                       # 0003 is online, Zhao Min a referral, the two keyed in online
                       "filing_rate": {"numerator": 2, "denominator": 4},
                       "appointment_arrival_rate": {"numerator": 1, "denominator": 2},
                       "return_visit_rate": {"numerator": 1, "denominator": 2},
                       "test_drive_rate": {"numerator": 1, "denominator": 2},
                       # past their 30 days: Qian Bo (ordered 5 days after filing) and Zhou Yi (no order) = 1 / 2;
                       # filed today: first (sold), second (Li Na's phone on an order naming no lead), third
                       # (its only order cancelled), late (no order): 4 apart, 2 ordered so far
                       "conversion_30d": {"numerator": 1, "denominator": 2, "not_yet_30_days": 4,
                                          "ordered_so_far": 2},
                       "referral_rate": {"numerator": 1, "denominator": 6}},  # Zhao Min, referred
                   "consultant_id": None, "group_id": None, "consultant_name": None},
        "sales": {"units": 1, "revenue": "189900.00",
                  "by_model": [{"model": "Aurora", "units": 1, "revenue": "189900.00"}],
                  "by_consultant": [{"consultant_id": "c1", "name": "王芳", "units": 1, "revenue": "189900.00"}],
                  "by_source": [{"source": "phone_in", "units": 1, "revenue": "189900.00"}]},
        "consultants": {"items": [  # this month: the keyed-in leads and Qian Bo's order are of an earlier one
            {"rank": 1, "consultant_id": "c1", "name": "王芳", "leads": 2, "visits": 2, "test_drives": 1, "orders": 2,
             "deliveries": 1, "target": 2, "completion": 0.5, "completion_details": {"numerator": 1, "denominator": 2},
             "by_model_class": {"SUV": {"units": 1, "target": 2}}},
            {"rank": 2, "consultant_id": "c2", "name": "李娜", "leads": 2, "visits": 1, "test_drives": 0, "orders": 1,
             "deliveries": 0, "target": 1, "completion": 0.0, "completion_details": {"numerator": 0, "denominator": 1},
             "by_model_class": {"SUV": {"units": 0, "target": 1}}}],
            "team": {"deliveries": 1, "target": 3, "completion": 0.3333,
                     "completion_details": {"numerator": 1, "denominator": 3}}},
        "stock": {"on_hand": 2, "ageing": {"0-30": 1, "31-60": 0, "61-90": 0, "over_90": 1},
                  "available": 1, "on_hold": 1, "reserved": 0, "fleet": [work["cars"]["fleet"]],
                  "slow_movers": ["Comet"]},
        "after_sales": {"csi": 4.0, "complaints": {"opened": 2, "resolved": 1, "escalated": 0, "open_now": 1,
                                                   "mean_hours_to_resolve": work["hours_to_resolve"]},
                        "reminders_due_30": 0, "reminders_due_365": 1},
    }


def figures(reporting: RunningService) -> dict[str, Any]:
    """The figures reporting gives now, for the days of the test (store-local)."""
    desk = Desk(reporting, "sales_manager", "m1")
    today = date.fromisoformat(desk.get("/reports/sales/daily?days=1")["to"])
    span = f"from={today - timedelta(days=1)}&to={today + timedelta(days=1)}"
    funnel = desk.get(f"/reports/funnel?from={today - timedelta(days=45)}&to={today + timedelta(days=1)}")
    assert set(funnel.pop("populations")) >= {*funnel["rates"], *funnel["rate_details"], "inquiries", "orders"}
    sales = desk.get(f"/reports/sales?period=month&date={today:%Y-%m}")
    consultants = desk.get(f"/reports/consultants?month={today:%Y-%m}")
    stock = desk.get("/reports/stock")
    care = desk.get(f"/reports/after-sales?{span}")
    return {
        "funnel": {k: v for k, v in funnel.items() if k not in ("from", "to")},
        "sales": {k: sales[k] for k in ("units", "revenue", "by_model", "by_consultant", "by_source")},
        "consultants": {k: consultants[k] for k in ("items", "team")},
        "stock": {"on_hand": stock["on_hand"], "ageing": stock["ageing"],
                  **{s: stock["by_status"][s] for s in ("available", "on_hold", "reserved")},
                  "fleet": [car["vin"] for car in stock["test_drive_fleet"]],
                  "slow_movers": [s["model"] for s in stock["slow_movers"]]},
        "after_sales": {"csi": care["csi"], "complaints": care["complaints"],
                        "reminders_due_30": care["reminders_due"],
                        "reminders_due_365": desk.get(f"/reports/after-sales?{span}&window=365")["reminders_due"]},
    }


def settle(read: Callable[[], dict[str, Any]], wanted: dict[str, Any], timeout: float = 60) -> None:
    """Wait for the figures to reach ``wanted`` (events travel asynchronously), then compare in full."""
    with contextlib.suppress(pytest.fail.Exception):
        wait_for(lambda: read() == wanted, timeout=timeout, message="reporting's figures")
    assert read() == wanted


def set_targets(reporting: RunningService) -> None:
    """The two consultants on the staff directory (targets are set for staff only), then their targets."""
    manager = Desk(reporting, "sales_manager", "m1")
    for staff_id, name in (("c1", "王芳"), ("c2", "李娜")):
        manager.call("PUT", f"/staff/{staff_id}", {"name": name, "role": "consultant"})
    month = manager.get("/reports/sales/daily?days=1")["to"][:7]
    manager.call("PUT", f"/targets/{month}", {"targets": [
        {"consultant_id": "c1", "units": 2, "by_model_class": {"SUV": 2}},
        {"consultant_id": "c2", "units": 1, "by_model_class": {"SUV": 1}}]})


def redeliver_everything(svc: dict[str, RunningService], stored: Callable[[], int]) -> None:
    """Every department's events once more, straight into reporting's queue, then one new event behind them."""
    settings = load_settings("reporting")
    everything = [event for name in DEPARTMENTS for event in feed_events(svc[name])]
    behind = make_event("leads", "leads.lead.followed_up", "sentinel", {
        "lead_id": "sentinel", "follow_up_id": "f-0", "channel": "phone", "by": "c1", "owner_id": "c1",
        "at": datetime.now(UTC).isoformat(), "next_follow_up_at": None})
    before = stored()
    publisher = ConfirmingPublisher(settings.amqp_url)
    try:
        confirmed = publisher.publish([Outgoing("", settings.queue("events"), json.dumps(e).encode(),
                                                broker.message_properties(e)) for e in [*everything, behind]])
    finally:
        publisher.close()
    assert all(confirmed)
    wait_for(lambda: stored() == before + 1, timeout=60, message="the redelivered events to be handled")


def holds_no_personal_numbers(database: Path) -> None:
    """Reporting keeps no full phone or ID number, though orders' delivery event carries both."""
    with contextlib.closing(sqlite3.connect(database)) as conn:
        tables = [row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        everything = json.dumps([conn.execute(f'SELECT * FROM "{t}"').fetchall() for t in tables], default=str)
    assert "138****0001" in everything
    assert "13800000001" not in everything and ID_NUMBER not in everything


def draws_the_same_figures(reporting: RunningService, tmp_path: Path) -> None:
    """The dashboard in headless Chromium shows the API's figures; its screenshot is kept."""
    from playwright.sync_api import sync_playwright

    desk = Desk(reporting, "sales_manager", "m1")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(f"{reporting.url}/dashboard")
        page.fill("#token", desk.headers["Authorization"].removeprefix("Bearer "))
        page.click("#login-form button[type=submit]")
        page.wait_for_function("() => window.dealerDashboard.updates >= 1")
        charts = page.evaluate("() => Object.fromEntries(Object.entries(window.dealerDashboard.charts)"
                               ".map(([name, chart]) => [name, chart.data.datasets.map((set) => set.data)]))")
        today = desk.get("/reports/sales/daily?days=1")["to"]
        funnel = desk.get(f"/reports/funnel?from={today[:8]}01&to={today}")
        stages = ("inquiries", "leads", "appointments", "visits", "test_drives", "orders", "deliveries")
        assert charts["funnel"] == [[funnel[s] for s in stages]] and funnel["deliveries"] == 1
        ranking = desk.get(f"/reports/consultants?month={today[:7]}")["items"]
        assert charts["consultants"] == [[None if r["completion"] is None else r["completion"] * 100 for r in ranking]]
        ageing = desk.get("/reports/stock")["ageing"]
        assert charts["ageing"] == [[ageing[b] for b in ("0-30", "31-60", "61-90", "over_90")]]
        month = desk.get(f"/reports/sales/daily?to={today}&days={int(today[8:])}")["items"]  # this month to date
        assert charts["trend"][0] == [p["units"] for p in month]
        shot = tmp_path / "dashboard-month.png"
        page.screenshot(path=str(shot), full_page=True)
        browser.close()
    (ROOT / "test-output").mkdir(exist_ok=True)
    shutil.copy(shot, ROOT / "test-output" / "dashboard-month.png")


def test_a_month_of_store_work_gives_every_kpi_worked_out_by_hand(start_service, tmp_path: Path) -> None:
    missing = [name for name in (*DEPARTMENTS, "reporting") if name not in installed_services()]
    assert not missing, f"this test needs every department installed; missing: {missing}"
    declare_every_consumer_queue()
    svc = {name: start_service(name) for name in ("reporting", *DEPARTMENTS)}
    ops = Desk(svc["reporting"], "ops", "o1")
    set_targets(svc["reporting"])

    work = store_work(svc)
    wanted = expected(work)
    settle(lambda: figures(svc["reporting"]), wanted)

    def stored() -> int:
        return int(ops.get("/admin/status")["events_stored"])

    wait_for(lambda: sum(len(feed_events(svc[n])) for n in DEPARTMENTS) == stored(), timeout=30,
             message="every event to be in the feeds")
    redeliver_everything(svc, stored)
    assert figures(svc["reporting"]) == wanted

    run = ops.call("POST", "/admin/rebuild", {}, expect=(202,))
    wait_for(lambda: ops.get(f"/admin/rebuilds/{run['id']}")["status"] == "done", timeout=60,
             message="the rebuild to finish")
    assert figures(svc["reporting"]) == wanted

    holds_no_personal_numbers(tmp_path / "reporting.db")
    svc["reporting"].stop()
    for leftover in tmp_path.glob("reporting.db*"):
        leftover.unlink()  # the reporting database is lost
    reporting = start_service("reporting", database_url=f"sqlite:///{tmp_path / 'reporting-new.db'}", worker=False)
    backfill = subprocess.run([sys.executable, "-m", "dealer_cli", "reporting", "backfill"], env=reporting.env,
                              capture_output=True, text=True, timeout=120)
    assert backfill.returncode == 0, backfill.stderr
    set_targets(reporting)  # the staff and targets are the manager's input, not events: they are entered again
    assert figures(reporting) == wanted
    draws_the_same_figures(reporting, tmp_path)

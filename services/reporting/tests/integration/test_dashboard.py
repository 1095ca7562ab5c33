"""The managers' dashboard in headless Chromium: login first, then charts drawn from the JSON API."""
from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from playwright.sync_api import Browser, Page, sync_playwright

from shared.testing import ROOT, json_of, token, wait_for

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
CHART_DATA = """() => Object.fromEntries(Object.entries(window.dealerDashboard.charts).map(
    ([name, chart]) => [name, {labels: chart.data.labels, data: chart.data.datasets.map((set) => set.data),
                               drawn: chart.width > 0 && chart.height > 0}]))"""


@pytest.fixture
def browser() -> Iterator[Browser]:
    """Debian's Chromium, driven by Playwright."""
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def sign_in(page: Page, bearer: dict[str, str]) -> None:
    page.fill("#token", bearer["Authorization"].removeprefix("Bearer "))
    page.click("#login-form button[type=submit]")


def api(url: str, path: str, bearer: dict[str, str]) -> Any:
    return json_of(requests.get(f"{url}/api/v1{path}", headers=bearer, timeout=5))


def expected_charts(url: str, bearer: dict[str, str]) -> dict[str, Any]:
    """What each chart must show, read from the JSON API."""
    trend = api(url, "/reports/sales/daily?days=30", bearer)
    today = trend["to"]
    funnel = api(url, f"/reports/funnel?from={today[:8]}01&to={today}", bearer)
    consultants = api(url, f"/reports/consultants?month={today[:7]}", bearer)["items"]
    stock, after_sales = api(url, "/reports/stock", bearer), api(url, f"/reports/after-sales?from={today[:8]}01",
                                                                 bearer)
    complaints = after_sales["complaints"]
    stages = ("inquiries", "leads", "appointments", "visits", "test_drives", "orders", "deliveries")
    return {
        "funnel": [[funnel[s] for s in stages]],
        "trend": [[p["units"] for p in trend["items"]], [float(p["revenue"]) for p in trend["items"]]],
        "consultants": [[r["deliveries"] for r in consultants], [r["target"] or 0 for r in consultants]],
        "ageing": [[stock["ageing"][b] for b in ("0-30", "31-60", "61-90", "over_90")]],
        "complaints": [[complaints["opened"], complaints["resolved"], complaints["escalated"],
                        complaints["open_now"]]],
    }


def save_screenshot(page: Page, tmp_path: Path, name: str) -> Path:
    """Under the test's own directory, and a copy in test-output/ at the project root (git-ignored)."""
    shot = tmp_path / name
    page.screenshot(path=str(shot), full_page=True)
    (ROOT / "test-output").mkdir(exist_ok=True)
    shutil.copy(shot, ROOT / "test-output" / name)
    return shot


def today_events(events) -> list[dict[str, Any]]:
    """Some of everything, today and over the last weeks, so every chart has figures."""
    now = datetime.now(events.zone)
    lead = events.lead(now - timedelta(days=1), "c1")
    lead_id = lead["data"]["lead_id"]
    complaint = events.complaint_opened(now - timedelta(hours=5))
    return [events.inquiry(now, "phone", "c2"), lead, events.visit(lead_id, now, 1, "c1"),
            events.test_drive(lead_id, now, "c1"), events.order_placed(now, lead_id, "c1"),
            events.delivered(now - timedelta(days=3), "o-d1", lead_id, "c1", price="199900.00"),
            events.delivered(now, "o-d2", None, "c2", "Borealis", "black", "259900.00"),
            events.received(events.vin(1), now - timedelta(days=80), model="Comet"),
            events.received(events.vin(2), now - timedelta(days=5)),
            events.return_visit(now, 4), complaint, events.complaint_escalated(complaint["data"]["complaint_id"], now)]


def test_the_dashboard_asks_for_a_token_then_draws_the_apis_figures_and_updates_itself(
        start_service, bus, events, browser: Browser, tmp_path: Path) -> None:
    reporting = start_service("reporting")
    manager = token("sales_manager", "m1")
    month = date.today().strftime("%Y-%m")
    assert requests.put(f"{reporting.url}/api/v1/targets/{month}", headers=manager, timeout=5,
                        json={"targets": [{"consultant_id": "c1", "units": 2}]}).status_code == 200
    sent = today_events(events)
    bus(sent)
    wait_for(lambda: api(reporting.url, "/admin/status", manager)["events_stored"] == len(sent), timeout=60,
             message="the events to be stored")

    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto(f"{reporting.url}/dashboard?refresh=2")
    page.wait_for_selector("#login", state="visible")
    assert page.is_hidden("#board") and page.inner_text("#today-tiles") == ""

    sign_in(page, token("sales_manager", "m1", secret="not-the-store-secret-0123456789abcdef"))
    page.wait_for_function("() => document.querySelector('#login-error').textContent.includes('not valid')")
    assert page.is_hidden("#board")

    errors.clear()  # the refused token's 401 was expected; from here on nothing may fail
    sign_in(page, manager)
    page.wait_for_function("() => window.dealerDashboard.updates >= 1")
    drawn = page.evaluate(CHART_DATA)
    assert {name: chart["data"] for name, chart in drawn.items()} == expected_charts(reporting.url, manager)
    assert all(chart["drawn"] for chart in drawn.values())
    assert drawn["funnel"]["data"][0][-1] == 2 and drawn["consultants"]["labels"] == ["c1", "c2"]
    assert page.inner_text("#consultant-table tbody").split("\n")[0].split("\t")[:5] == ["1", "c1", "1", "2", "50.0%"]
    save_screenshot(page, tmp_path, "dashboard.png")

    bus([events.delivered(datetime.now(events.zone), "o-d3", None, "c1", price="99900.00")])
    page.wait_for_function("() => window.dealerDashboard.charts.funnel.data.datasets[0].data[6] === 3",
                           timeout=30000)
    assert page.evaluate(CHART_DATA)["funnel"]["data"] == expected_charts(reporting.url, manager)["funnel"]
    assert errors == []

    page.click("#logout")
    page.wait_for_selector("#login", state="visible")
    seen = page.evaluate("() => window.dealerDashboard.updates")
    sign_in(page, token("consultant", "c2"))
    page.wait_for_function(f"() => window.dealerDashboard.updates > {seen}")
    assert "denied" in page.get_attribute("#panel-funnel", "class")  # the team's funnel is not a consultant's
    assert page.evaluate(CHART_DATA)["consultants"]["labels"] == ["c2"]  # their own row only
    page.close()

"""The managers' dashboard in headless Chromium: login first, then charts drawn from the JSON API."""
from __future__ import annotations

import calendar
import csv
import shutil
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from playwright.sync_api import Browser, Page, sync_playwright

from dealer_testing import ROOT, json_of, token, wait_for
from shared.web.csv_safe import safe_cell

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


STAGES = ("inquiries", "leads", "appointments", "visits", "test_drives", "orders", "deliveries")


def store_today(url: str, bearer: dict[str, str]) -> str:
    """The store's date (DEALER_TZ), as the API answers it."""
    return api(url, "/reports/sales/daily?days=1", bearer)["to"]


def expected_charts(url: str, bearer: dict[str, str], month: str | None = None) -> dict[str, Any]:
    """What each chart must show for a month (this one by default), read from the JSON API."""
    today = store_today(url, bearer)
    month = month or today[:7]
    first = f"{month}-01"
    last = today if today.startswith(month) else f"{month}-{calendar.monthrange(*map(int, month.split('-')))[1]:02d}"
    trend = api(url, f"/reports/sales/daily?to={last}&days={int(last[8:])}", bearer)
    funnel = api(url, f"/reports/funnel?from={first}&to={last}", bearer)
    consultants = api(url, f"/reports/consultants?month={month}", bearer)["items"]
    stock, after_sales = api(url, "/reports/stock", bearer), api(url, f"/reports/after-sales?from={first}&to={last}",
                                                                 bearer)
    complaints = after_sales["complaints"]
    return {
        "funnel": [[funnel[s] for s in STAGES]],
        "trend": [[p["units"] for p in trend["items"]], [float(p["revenue"]) for p in trend["items"]]],
        "consultants": [[None if r["completion"] is None else r["completion"] * 100 for r in consultants]],
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
    assert page.is_hidden("#board") and page.inner_text("#day-tiles") == ""

    sign_in(page, token("sales_manager", "m1", secret="not-the-store-secret-0123456789abcdef"))
    page.wait_for_function("() => document.querySelector('#login-error').textContent.includes('not valid')")
    assert page.is_hidden("#board")

    errors.clear()  # the refused token's 401 was expected; from here on nothing may fail
    sign_in(page, manager)
    page.wait_for_function("() => window.dealerDashboard.updates >= 1")
    drawn = page.evaluate(CHART_DATA)
    assert {name: chart["data"] for name, chart in drawn.items()} == expected_charts(reporting.url, manager)
    assert all(chart["drawn"] for chart in drawn.values()), drawn
    assert drawn["funnel"]["data"][0][-1] == 2 and drawn["consultants"]["labels"] == ["c1", "c2 (no target)"]
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
    assert page.evaluate(CHART_DATA)["consultants"]["labels"] == ["c2 (no target)"]  # their own row only
    page.close()


# -- November 2025, worked out by hand -------------------------------------------------------------------
# Calls & walk-ins 3 (3, 4 and 30 Nov), leads filed 2 (3 and 12 Nov), appointments 0, visits 1 (5 Nov),
# test drives 1 (5 Nov), orders 1 (20 Nov), deliveries 2 (25 Nov CNY 199,900.00 by c1, 28 Nov CNY 259,900.00
# by c2); a complaint opened 10 Nov, escalated 11 Nov. October: one lead (8 Oct), one delivery (15 Oct,
# CNY 150,000.00 by c1), a complaint opened 20 Oct and resolved 21 Oct. Targets for November: c1 4, c2 2.
# Two cars in stock since October 2025 (over 90 days old whatever today is).
NOVEMBER, OCTOBER = "2025-11", "2025-10"
NOVEMBER_FUNNEL = [3, 2, 0, 1, 1, 1, 2]
OCTOBER_FUNNEL = [0, 1, 0, 0, 0, 0, 1]
STAGE_LABELS = ["来电到店 Calls & walk-ins logged", "线索 Leads filed", "邀约 Appointments booked",
                "到店 Showroom visits", "试驾 Test drives taken", "订单 Orders placed", "交车 Cars delivered"]
RATE_WORDS = {"filing_rate": ("filed", "calls & walk-ins"), "appointment_arrival_rate": ("kept", "appointments booked"),
              "return_visit_rate": ("came back", "first-time visitors"),
              "test_drive_rate": ("test-drove", "visiting leads"),
              "conversion_30d": ("ordered within 30 days", "leads filed")}
PANEL_KEYS = ("day", "funnel", "compare", "trend", "consultants", "stock", "afterSales")
PANEL_IDS = {"day": "panel-day", "funnel": "panel-funnel", "compare": "panel-compare", "trend": "panel-trend",
             "consultants": "panel-consultants", "stock": "panel-stock", "afterSales": "panel-after-sales"}


def autumn_events(events) -> list[dict[str, Any]]:
    """October and November 2025 as the comment above counts them."""
    def on(month: int, day: int, hour: int = 10) -> datetime:
        return events.at(date(2025, month, day), hour)

    inquiry = events.inquiry(on(11, 3), "phone", "c1")
    lead = events.lead(on(11, 3, 11), "c1", inquiry_ids=(inquiry["data"]["inquiry_id"],))
    lead_id = lead["data"]["lead_id"]
    complaint, old_complaint = events.complaint_opened(on(11, 10)), events.complaint_opened(on(10, 20))
    return [inquiry, lead, events.inquiry(on(11, 4), "phone", "c2"), events.lead(on(11, 12), "c2"),
            events.visit(lead_id, on(11, 5), 1, "c1"), events.test_drive(lead_id, on(11, 5, 11), "c1"),
            events.order_placed(on(11, 20), lead_id, "c1"),
            events.delivered(on(11, 25), "o-n1", lead_id, "c1", price="199900.00"),
            events.delivered(on(11, 28), "o-n2", None, "c2", "Borealis", "black", "259900.00"),
            events.inquiry(on(11, 30), "phone", "c2"), events.lead(on(10, 8), "c1"),
            events.delivered(on(10, 15), "o-o1", None, "c1", price="150000.00"),
            complaint, events.complaint_escalated(complaint["data"]["complaint_id"], on(11, 11)),
            old_complaint, events.complaint_resolved(old_complaint["data"]["complaint_id"], on(10, 20), on(10, 21)),
            events.received(events.vin(11), on(10, 1)), events.received(events.vin(12), on(10, 2), model="Comet")]


@pytest.fixture
def autumn(start_service, bus, events) -> tuple[str, dict[str, str]]:
    """Reporting with October and November 2025 stored; its URL and a manager's token."""
    reporting = start_service("reporting")
    manager = token("sales_manager", "m1")
    assert requests.put(f"{reporting.url}/api/v1/targets/{NOVEMBER}", headers=manager, timeout=5, json={
        "targets": [{"consultant_id": "c1", "units": 4}, {"consultant_id": "c2", "units": 2}]}).status_code == 200
    sent = autumn_events(events)
    bus(sent)
    wait_for(lambda: api(reporting.url, "/admin/status", manager)["events_stored"] == len(sent), timeout=60,
             message="the events to be stored")
    return reporting.url, manager


def open_board(browser: Browser, url: str, bearer: dict[str, str], refresh: int = 600) -> Page:
    """A page signed in with ``bearer`` and drawn once (no refresh during the test unless asked)."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    page.goto(f"{url}/dashboard?refresh={refresh}")
    sign_in(page, bearer)
    page.wait_for_function("() => window.dealerDashboard.updates >= 1")
    return page


def pick_month(page: Page, month: str) -> None:
    """Choose a month in the picker and wait until the page has drawn it."""
    seen = page.evaluate("() => window.dealerDashboard.updates")
    page.fill("#month", month)
    page.wait_for_function("([month, seen]) => window.dealerDashboard.updates > seen"
                           " && window.dealerDashboard.period.month === month", arg=[month, seen])


def cells(page: Page, selector: str) -> list[list[str]]:
    """The text of each cell of each row under ``selector``."""
    return page.evaluate("(selector) => [...document.querySelectorAll(selector)].map("
                         "(tr) => [...tr.cells].map((td) => td.textContent))", selector)


def tiles(page: Page, selector: str) -> list[dict[str, str]]:
    """Each tile's parts by class: label, value, detail, previous."""
    return page.evaluate("(selector) => [...document.querySelectorAll(selector + ' .tile')].map((tile) =>"
                         " Object.fromEntries([...tile.children].map((part) => [part.className, part.textContent])))",
                         selector)


FIGURES = ".panel small, .panel .tiles, .panel tbody, .panel tfoot, .panel ul, .panel .summary, #toolbar [data-fill]"
EMPTIED = """(figures) => ({
    figures: [...document.querySelectorAll(figures)].map((e) => e.textContent.trim()).filter((t) => t !== ''),
    canvasesWithACharts: [...document.querySelectorAll('canvas')].filter((c) => window.Chart.getChart(c)).length,
    charts: Object.keys(window.dealerDashboard.charts), data: Object.keys(window.dealerDashboard.data),
    csv: Object.keys(window.dealerDashboard.csv || {}), period: window.dealerDashboard.period || null,
    month: (document.querySelector('#month') || {value: ''}).value,
    denied: document.querySelectorAll('.denied').length})"""


def test_signing_out_then_in_as_after_sales_shows_no_figure_of_the_managers(autumn, browser: Browser) -> None:
    url, manager = autumn
    coordinator = token("after_sales", "a1")
    asked: list[tuple[str, str]] = []  # (Authorization, URL) of every API request
    held: list[Any] = []
    holding = {"stock": False}

    def hold_stock(route: Any) -> None:
        """Once asked to, keep the manager's stock answers on their way (a refresh in flight at sign-out)."""
        if holding["stock"]:
            held.append(route)
        else:
            route.continue_()

    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.on("request", lambda r: asked.append((r.headers.get("authorization", ""), r.url)) if "/api/" in r.url
            else None)
    page.route("**/api/v1/reports/stock*", hold_stock)
    page.goto(f"{url}/dashboard?refresh=2")
    sign_in(page, manager)
    page.wait_for_function("() => window.dealerDashboard.updates >= 1")
    assert page.inner_text("#stock-on-hand").startswith("2 on hand")  # the manager's figure

    holding["stock"] = True
    wait_for(lambda: page.evaluate("() => true") and bool(held), timeout=15, message="a refresh to ask for stock")
    dropped = page.evaluate("() => window.dealerDashboard.dropped")
    page.click("#logout")
    page.wait_for_selector("#login", state="visible")
    assert page.evaluate(EMPTIED, FIGURES) == {"figures": [], "canvasesWithACharts": 0, "charts": [], "data": [],
                                               "csv": [], "period": None, "month": "", "denied": 0}

    seen = page.evaluate("() => window.dealerDashboard.updates")
    sign_in(page, coordinator)
    page.wait_for_function(f"() => window.dealerDashboard.updates > {seen}")
    assert "on hand" not in page.inner_text("#board")
    for route in held:  # the manager's answers arrive now, after the coordinator signed in: they must be dropped
        route.continue_()
    page.wait_for_function(f"() => window.dealerDashboard.dropped > {dropped}")

    denied = page.evaluate("() => [...document.querySelectorAll('.panel.denied')].map((p) => p.id)")
    assert denied == [PANEL_IDS[k] for k in ("day", "funnel", "compare", "trend", "consultants", "stock")]
    assert page.evaluate("() => [...document.querySelectorAll('.panel.denied [data-fill]')]"
                         ".map((e) => e.textContent).filter((t) => t !== '')") == []
    assert "on hand" not in page.inner_text("#board")  # nor once the manager's last answers have come
    assert page.evaluate("() => Object.keys(window.dealerDashboard.charts)") == ["complaints"]
    assert page.evaluate("() => Object.keys(window.dealerDashboard.data)") == ["afterSales"]
    coordinators = [u.split("/api/v1")[1] for auth, u in asked if auth == coordinator["Authorization"]]
    assert coordinators and all(path.startswith("/reports/after-sales?") for path in coordinators), coordinators
    page.close()


def test_each_funnel_bar_names_its_dates_and_each_rate_its_numerator_and_denominator(autumn, browser) -> None:
    url, manager = autumn
    page = open_board(browser, url, manager)
    pick_month(page, NOVEMBER)
    funnel = page.evaluate("() => window.dealerDashboard.charts.funnel.data")
    assert funnel["labels"] == [[label, "1–30 Nov"] for label in STAGE_LABELS]
    assert funnel["datasets"][0]["data"] == NOVEMBER_FUNNEL
    report = api(url, "/reports/funnel?from=2025-11-01&to=2025-11-30", manager)
    shown = tiles(page, "#rate-tiles")
    assert len(shown) == len(RATE_WORDS)
    for tile, (name, (numerator_words, denominator_words)) in zip(shown, RATE_WORDS.items(), strict=True):
        n, d = report["rate_details"][name]["numerator"], report["rate_details"][name]["denominator"]
        assert report["rates"][name] == (round(n / d, 4) if d else 0.0)  # the rate is the division it shows
        assert tile["value"] == f"{report['rates'][name] * 100:.1f}%"
        assert tile["detail"] == f"{n} {numerator_words} / {d} {denominator_words}"
    # Lead A visited on 5 Nov and test-drove that day: 1 of 1 visiting leads.
    assert shown[3]["detail"] == "1 test-drove / 1 visiting leads" and shown[3]["value"] == "100.0%"
    note = page.inner_text("#panel-funnel .note")
    assert "Bars count the period's events" in note and "rates count populations" in note
    page.close()


def report_paths(asked: list[str]) -> set[str]:
    return {u.split("/api/v1")[1] for u in asked if "/api/v1/reports/" in u}


def test_the_month_picker_changes_every_panels_period(autumn, browser: Browser) -> None:
    url, manager = autumn
    page = open_board(browser, url, manager)
    today = store_today(url, manager)
    assert page.input_value("#month") == today[:7]  # the current month by default
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url))

    pick_month(page, NOVEMBER)
    assert report_paths(asked) == {
        "/reports/sales/daily?days=1",  # the store's date
        "/reports/funnel?from=2025-11-30&to=2025-11-30",  # the month's last day
        "/reports/funnel?from=2025-11-01&to=2025-11-30", "/reports/funnel?from=2025-10-01&to=2025-10-31",
        "/reports/sales/daily?to=2025-11-30&days=30", "/reports/sales/daily?to=2025-10-31&days=31",
        "/reports/consultants?month=2025-11", "/reports/stock",
        "/reports/after-sales?from=2025-11-01&to=2025-11-30"}
    assert page.inner_text("#month-shown") == "Showing 显示: Nov 2025 (1–30 Nov)"
    drawn = page.evaluate(CHART_DATA)
    units = [0] * 30
    units[24], units[27] = 1, 1  # 25 and 28 November
    assert {name: chart["data"] for name, chart in drawn.items()} == {
        "funnel": [NOVEMBER_FUNNEL], "trend": [units, [199900.0 if u and i == 24 else 259900.0 if u else 0.0
                                                      for i, u in enumerate(units)]],
        "consultants": [[50.0, 25.0]], "ageing": [[0, 0, 0, 2]], "complaints": [[1, 0, 1, 1]]}
    assert drawn["consultants"]["labels"] == ["c2", "c1"]
    assert page.inner_text("#day-date") == "30 Nov" and page.inner_text("#day-title") == "Last day of the month 月末"
    assert [t["value"] for t in tiles(page, "#day-tiles")] == ["1", "0", "0", "0", "0", "0", "0"]
    for key in ("funnel-range", "trend-range", "consultants-month", "after-sales-range"):
        assert page.inner_text(f"#{key}") == "1–30 Nov", key
    assert "not by month" in page.inner_text("#stock-on-hand")  # stock is a snapshot of now, and says so

    pick_month(page, OCTOBER)
    drawn = page.evaluate(CHART_DATA)
    assert drawn["funnel"]["data"] == [OCTOBER_FUNNEL] and drawn["complaints"]["data"] == [[1, 1, 0, 1]]
    assert sum(drawn["trend"]["data"][0]) == 1 and len(drawn["trend"]["data"][0]) == 31
    assert page.inner_text("#funnel-range") == "1–31 Oct"
    page.close()


def test_the_pace_line_stands_at_the_share_of_the_month_gone(autumn, browser: Browser) -> None:
    url, manager = autumn
    page = open_board(browser, url, manager)
    share = "([month, today]) => window.dealerDashboard.tools.paceShare(month, today)"
    assert page.evaluate(share, ["2026-11", "2026-11-12"]) == 12 / 30  # 12 of 30 days, today counted
    assert page.evaluate(share, ["2024-02", "2024-02-15"]) == 15 / 29  # a leap February
    assert page.evaluate(share, ["2026-10", "2026-11-12"]) == 1.0  # a past month is all gone

    today = store_today(url, manager)
    day, days = int(today[8:]), calendar.monthrange(int(today[:4]), int(today[5:7]))[1]
    line = page.evaluate("() => { const c = window.dealerDashboard.charts.consultants;"
                         " return {...c.dealerPace, expectedX: c.scales.x.getPixelForValue(c.dealerPace.value)}; }")
    assert line["value"] == pytest.approx(day / days * 100) and line["x"] == line["expectedX"]
    assert page.inner_text("#pace-summary").startswith(f"Pace 进度: {day} of {days} days gone")

    pick_month(page, NOVEMBER)
    line = page.evaluate("() => { const c = window.dealerDashboard.charts.consultants;"
                         " return {...c.dealerPace, right: c.chartArea.right, top: c.chartArea.top,"
                         " bottom: c.chartArea.bottom, at100: c.scales.x.getPixelForValue(100)}; }")
    assert line["value"] == 100.0 and line["x"] == line["at100"]
    painted = page.evaluate("""([x, top, bottom]) => {
        const canvas = window.dealerDashboard.charts.consultants.canvas;
        const ratio = canvas.width / canvas.clientWidth;
        const pixels = canvas.getContext('2d').getImageData(Math.round(x * ratio) - 1, Math.round(top * ratio),
                                                             3, Math.round((bottom - top) * ratio)).data;
        let count = 0;
        for (let i = 0; i < pixels.length; i += 4) {
          if (Math.abs(pixels[i] - 0x6d) + Math.abs(pixels[i + 1] - 0x59) + Math.abs(pixels[i + 2] - 0x7a) < 60
              && pixels[i + 3] > 200) count += 1;
        }
        return count; }""", [line["x"], line["top"], line["bottom"]])
    assert painted > 20  # the dashed line is on the canvas where the scale puts 100%
    # The month is all gone: c2 should have 2.0 of 2 by now (has 1), c1 4.0 of 4 (has 1); the team 6.0 of 6.
    assert cells(page, "#consultant-table tbody tr") == [["1", "c2", "1", "2", "50.0%", "2.0", "behind 落后"],
                                                          ["2", "c1", "1", "4", "25.0%", "4.0", "behind 落后"]]
    assert cells(page, "#consultant-table tfoot tr") == [["", "Team 团队", "2", "6", "33.3%", "6.0", "behind 落后"]]
    page.close()


def test_the_previous_month_is_shown_beside_this_one(autumn, browser: Browser) -> None:
    url, manager = autumn
    page = open_board(browser, url, manager)
    pick_month(page, NOVEMBER)
    october = api(url, "/reports/funnel?from=2025-10-01&to=2025-10-31", manager)
    november = api(url, "/reports/funnel?from=2025-11-01&to=2025-11-30", manager)

    def rate(report: dict[str, Any], name: str) -> str:
        details = report["rate_details"][name]
        return f"{report['rates'][name] * 100:.1f}% ({details['numerator']} / {details['denominator']})"

    def change(points: float) -> str:  # as the page writes it: a sign when above zero, one decimal
        return f"+{points:.1f}" if points > 0 else f"{points:.1f}"

    counts = [["交车 Units delivered", "1", "2", "+1"],
              ["销售额 Revenue (CNY)", "150000.00", "459800.00", "+309800.00"],
              *[[label, str(before), str(now), f"+{now - before}" if now > before else str(now - before)]
                for label, before, now in zip(STAGE_LABELS, OCTOBER_FUNNEL, NOVEMBER_FUNNEL, strict=True)][:-1]]
    rate_labels = ["建卡率 Filing rate", "邀约到店率 Invitation arrival", "再回展厅率 Return to store",
                   "试乘试驾率 Test drive", "30天转化率 30-day conversion"]
    rates = [[label, rate(october, name), rate(november, name),
              change((november["rates"][name] - october["rates"][name]) * 100)]
             for label, name in zip(rate_labels, RATE_WORDS, strict=True)]
    assert cells(page, "#compare-table tbody tr") == counts + rates
    assert page.inner_text("#compare-months") == "1–31 Oct → 1–30 Nov"
    assert page.inner_text("#trend-summary") == ("Nov 2025: 2 units, CNY 459,800.00 · 上月 Oct 2025: 1 units, "
                                                 "CNY 150,000.00")
    for tile, name in zip(tiles(page, "#rate-tiles"), RATE_WORDS, strict=True):
        assert tile["previous"] == f"上月 Last month 1–31 Oct: {rate(october, name)}"
    page.close()


def downloaded(page: Page, key: str, tmp_path: Path) -> tuple[str, list[list[str]]]:
    """Click a panel's CSV button: the file's name and its rows (header first)."""
    with page.expect_download() as download:
        page.click(f"button.csv[data-panel={key}]")
    target = tmp_path / download.value.suggested_filename
    download.value.save_as(target)
    with target.open(newline="", encoding="utf-8") as handle:
        return download.value.suggested_filename, list(csv.reader(handle))


def test_each_panels_csv_button_downloads_a_csv_whose_rows_match_its_figures(autumn, browser, tmp_path) -> None:
    url, manager = autumn
    page = open_board(browser, url, manager)
    pick_month(page, NOVEMBER)
    drawn = page.evaluate(CHART_DATA)
    files = {key: downloaded(page, key, tmp_path) for key in PANEL_KEYS}
    assert {key: name for key, (name, _) in files.items()} == {
        "day": "funnel-2025-11-30-2025-11-30.csv", "funnel": "funnel-2025-11-01-2025-11-30.csv",
        "compare": "month-on-month-2025-11.csv", "trend": "sales-daily-2025-11-01-2025-11-30.csv",
        "consultants": "consultants-2025-11.csv", "stock": f"stock-{store_today(url, manager)}.csv",
        "afterSales": "after-sales-2025-11-01-2025-11-30.csv"}
    rows = {key: table for key, (_, table) in files.items()}

    assert [r[1] for r in rows["day"][1:8]] == [t["value"] for t in tiles(page, "#day-tiles")]
    assert [int(r[1]) for r in rows["funnel"][1:8]] == drawn["funnel"]["data"][0] == NOVEMBER_FUNNEL
    shown = [t["detail"] for t in tiles(page, "#rate-tiles")]
    assert [f"{r[2]} {RATE_WORDS[r[0]][0]} / {r[3]} {RATE_WORDS[r[0]][1]}" for r in rows["funnel"][8:]] == shown
    assert rows["compare"][1:] == cells(page, "#compare-table tbody tr")
    assert rows["compare"][0] == ["figure", "last month 2025-10-01..2025-10-31", "this month 2025-11-01..2025-11-30",
                                  "change"]
    assert [int(r[1]) for r in rows["trend"][1:]] == drawn["trend"]["data"][0]
    assert [float(r[2]) for r in rows["trend"][1:]] == drawn["trend"]["data"][1]
    header = rows["consultants"][0]
    assert [[r[header.index(c)] for c in ("rank", "consultant_id", "deliveries", "target")]
            for r in rows["consultants"][1:]] == [row[:4] for row in cells(page, "#consultant-table tbody tr")]
    header = rows["stock"][0]
    assert [sum(int(r[header.index(f"age_{b}")]) for r in rows["stock"][1:])
            for b in ("0-30", "31-60", "61-90", "over_90")] == drawn["ageing"]["data"][0] == [0, 0, 0, 2]
    figures = {r[0]: r[1] for r in rows["afterSales"][1:]}
    assert [int(figures[f"complaints_{n}"]) for n in ("opened", "resolved", "escalated", "open_now")] == \
        drawn["complaints"]["data"][0] == [1, 0, 1, 1]
    page.screenshot(path="/tmp/dashboard.png", full_page=True)
    page.close()


def test_the_pages_own_csv_neutralises_formula_cells_as_the_server_does(start_service, browser: Browser) -> None:
    reporting = start_service("reporting", worker=False)
    page = browser.new_page()
    page.goto(f"{reporting.url}/dashboard")
    page.wait_for_function("() => window.dealerDashboard && window.dealerDashboard.tools")
    values = ["=SUM(A1:A9)", "+cmd", "-2+3", "@import", "\tx", "\rx", "-1200.00", "+0.5", "plain", "", 5, None]
    by_hand = ["'=SUM(A1:A9)", "'+cmd", "'-2+3", "'@import", "'\tx", "'\rx", "-1200.00", "+0.5", "plain", "", "5", ""]
    assert page.evaluate("(values) => values.map(window.dealerDashboard.tools.csvCell)", values) == by_hand
    assert [str(safe_cell(v)) for v in values] == by_hand  # the server's rule gives the same cells
    assert page.evaluate("() => window.dealerDashboard.tools.csvText(['a', 'b'], [['=1+2', 'x, \"y\"']])") == \
        'a,b\r\n\'=1+2,"x, ""y"""\r\n'
    page.close()

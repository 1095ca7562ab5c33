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
    lost = api(url, f"/reports/lost-reasons?from={first}&to={last}", bearer)
    return {
        "funnel": [[funnel[s] for s in STAGES]],
        "trend": [[p["units"] for p in trend["items"]], [float(p["revenue"]) for p in trend["items"]]],
        "consultants": [[None if r["completion"] is None else r["completion"] * 100 for r in consultants]],
        "ageing": [[stock["ageing"][b] for b in ("0-30", "31-60", "61-90", "over_90")]],
        "complaints": [[complaints["opened"], complaints["resolved"], complaints["escalated"],
                        complaints["open_now"]]],
        "lostReasons": [[r["count"] for r in lost["reasons"]]],
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


def on_staff(url: str, manager: dict[str, str], *staff_ids: str) -> None:
    """Consultants on the staff directory (targets are set for staff only)."""
    for staff_id in staff_ids:
        assert requests.put(f"{url}/api/v1/staff/{staff_id}", headers=manager, timeout=5,
                            json={"name": f"Staff {staff_id}", "role": "consultant"}).status_code == 200


def test_the_dashboard_asks_for_a_token_then_draws_the_apis_figures_and_updates_itself(
        start_service, bus, events, browser: Browser, tmp_path: Path) -> None:
    reporting = start_service("reporting")
    manager = token("sales_manager", "m1")
    month = date.today().strftime("%Y-%m")
    on_staff(reporting.url, manager, "c1")
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
    # People by name (c1 is on the staff directory), by id when the directory does not know them (c2).
    assert drawn["funnel"]["data"][0][-1] == 2 and drawn["consultants"]["labels"] == ["Staff c1", "c2 (no target)"]
    assert page.inner_text("#consultant-table tbody").split("\n")[0].split("\t")[:5] == ["1", "Staff c1", "1", "2",
                                                                                        "50.0% (1/2)"]
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
              "conversion_30d": ("ordered within 30 days", "leads filed"),
              "referral_rate": ("from referrals", "leads filed")}
PANEL_KEYS = ("day", "funnel", "compare", "trend", "consultants", "stock", "afterSales", "lostReasons", "campaigns")
PANEL_IDS = {"day": "panel-day", "funnel": "panel-funnel", "compare": "panel-compare", "trend": "panel-trend",
             "consultants": "panel-consultants", "lostReasons": "panel-lost-reasons",
             "campaigns": "panel-campaigns", "stock": "panel-stock", "afterSales": "panel-after-sales",
             "groups": "panel-groups", "scorecard": "panel-scorecard", "commission": "panel-commission",
             "weekly": "panel-weekly"}


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
    on_staff(reporting.url, manager, "c1", "c2")
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
    assert denied == [PANEL_IDS[k] for k in ("day", "funnel", "compare", "trend", "consultants", "lostReasons",
                                             "campaigns", "groups", "scorecard", "commission", "weekly", "stock")]
    assert page.evaluate("() => [...document.querySelectorAll('.panel.denied [data-fill]')]"
                         ".map((e) => e.textContent).filter((t) => t !== '')") == []
    assert "on hand" not in page.inner_text("#board")  # nor once the manager's last answers have come
    assert page.evaluate("() => Object.keys(window.dealerDashboard.charts)") == ["complaints"]
    assert page.evaluate("() => Object.keys(window.dealerDashboard.data)") == ["afterSales"]
    coordinators = [u.split("/api/v1")[1] for auth, u in asked if auth == coordinator["Authorization"]]
    # Besides their own report, the two a supervisor (any staff role) or a member reads by group: both 403 here,
    # and the weekly report and the scorecard, which follow the groups report, are not asked for.
    assert coordinators and all(path.startswith(("/reports/after-sales?", "/reports/groups?", "/commissions?"))
                                for path in coordinators), coordinators
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
        "/reports/after-sales?from=2025-11-01&to=2025-11-30",
        "/reports/lost-reasons?from=2025-11-01&to=2025-11-30", "/reports/campaigns?from=2025-11-01&to=2025-11-30",
        "/reports/groups?month=2025-11", "/reports/weekly?week=2025-W48"}  # the week of 30 Nov, a Sunday
    assert page.inner_text("#month-shown") == "Showing 显示: Nov 2025 (1–30 Nov)"
    drawn = page.evaluate(CHART_DATA)
    units = [0] * 30
    units[24], units[27] = 1, 1  # 25 and 28 November
    assert {name: chart["data"] for name, chart in drawn.items()} == {
        "funnel": [NOVEMBER_FUNNEL], "trend": [units, [199900.0 if u and i == 24 else 259900.0 if u else 0.0
                                                      for i, u in enumerate(units)]],
        "consultants": [[50.0, 25.0]], "ageing": [[0, 0, 0, 2]], "complaints": [[1, 0, 1, 1]],
        "lostReasons": [[0] * 7]}  # nobody lost in the autumn's figures
    assert drawn["consultants"]["labels"] == ["Staff c2", "Staff c1"]
    assert page.inner_text("#day-date") == "30 Nov" and page.inner_text("#day-title") == "Last day of the month 月末"
    assert [t["value"] for t in tiles(page, "#day-tiles")] == ["1", "0", "0", "0", "0", "0", "0"]
    for key in ("funnel-range", "trend-range", "consultants-month", "after-sales-range", "lost-range",
                "campaigns-range"):
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
    assert cells(page, "#consultant-table tbody tr") == [
        ["1", "Staff c2", "1", "2", "50.0% (1/2)", "2.0", "behind 落后"],
        ["2", "Staff c1", "1", "4", "25.0% (1/4)", "4.0", "behind 落后"]]
    assert cells(page, "#consultant-table tfoot tr") == [["", "Team 团队", "2", "6", "33.3% (2/6)", "6.0",
                                                          "behind 落后"]]
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
                   "试乘试驾率 Test drive", "30天转化率 30-day conversion", "转介绍率 Referral rate"]
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
        "afterSales": "after-sales-2025-11-01-2025-11-30.csv",
        "lostReasons": "lost-reasons-2025-11-01-2025-11-30.csv", "campaigns": "campaigns-2025-11-01-2025-11-30.csv"}
    rows = {key: table for key, (_, table) in files.items()}

    assert [r[1] for r in rows["day"][1:8]] == [t["value"] for t in tiles(page, "#day-tiles")]
    assert [int(r[1]) for r in rows["funnel"][1:8]] == drawn["funnel"]["data"][0] == NOVEMBER_FUNNEL
    shown = [t["detail"] for t in tiles(page, "#rate-tiles")]
    rate_rows = [r for r in rows["funnel"][8:] if r[0] in RATE_WORDS]  # not conversion_30d's parts
    assert [f"{r[2]} {RATE_WORDS[r[0]][0]} / {r[3]} {RATE_WORDS[r[0]][1]}" for r in rate_rows] == shown
    assert rows["compare"][1:] == cells(page, "#compare-table tbody tr")
    assert rows["compare"][0] == ["figure", "last month 2025-10-01..2025-10-31", "this month 2025-11-01..2025-11-30",
                                  "change"]
    assert [int(r[1]) for r in rows["trend"][1:]] == drawn["trend"]["data"][0]
    assert [float(r[2]) for r in rows["trend"][1:]] == drawn["trend"]["data"][1]
    header = rows["consultants"][0]
    assert [[r[header.index(c)] for c in ("rank", "name", "deliveries", "target")]
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


# -- The sales floor's November 2025, worked out by hand ---------------------------------------------------------
# Twelve leads filed (L1..L12), one of them a referral (L3): referral rate 1 / 12 = 8.3%.
# Lost and still lost: L2 and L12 on price, L7 on financing, seven to a competitor (L3 and L4 比亚迪, L5 吉利,
# L8 丰田, L9 大众, L10 特斯拉, L11 长安): 10. L6, lost as postponed on 16 Nov, was reopened on 17 Nov: not counted.
# Campaigns: an online one 28 Oct-11 Nov (L7 invited, never came); the motor show 8-9 Nov (L1 and L2 invited; L1
# came on the 8th, test-drove that day, ordered on the 10th, took delivery on the 20th; L5 walked in on the 9th,
# uninvited); a test-drive day on 22 Nov (L6 invited, did not come); an outreach 1-7 Oct, before the month.
REFERRAL = 3
LOSSES = {2: (12, "price", None), 3: (14, "competitor", "比亚迪"), 4: (15, "competitor", "比亚迪"),
          5: (18, "competitor", "吉利"), 7: (19, "financing", None), 8: (20, "competitor", "丰田"),
          9: (21, "competitor", "大众"), 10: (22, "competitor", "特斯拉"), 11: (23, "competitor", "长安"),
          12: (24, "price", None)}  # lead -> (day lost, reason code, competitor's brand)
CAMPAIGNS = {"online": ("双十一线上购车节", "online", date(2025, 10, 28), date(2025, 11, 11)),
             "show": ("秋季车展", "motor_show", date(2025, 11, 8), date(2025, 11, 9)),
             "drive": ("店头试驾日", "in_store_event", date(2025, 11, 22), date(2025, 11, 22)),
             "outreach": ("国庆外拓", "outreach", date(2025, 10, 1), date(2025, 10, 7))}


def floor_events(events) -> list[dict[str, Any]]:
    """November 2025 on the sales floor as the comment above counts it."""
    def on(day: int, hour: int = 10, month: int = 11) -> datetime:
        return events.at(date(2025, month, day), hour)

    owners = {n: ("c1", "c2", "c3")[n % 3] for n in range(1, 13)}
    leads = {n: f"lead-{n}" for n in owners}
    sent = [events.lead(on(n + 2), owners[n], "referral" if n == REFERRAL else "phone_in", lead_id=leads[n])
            for n in owners]
    sent += [lead_lost(events, leads[n], owners[n], on(day), code, brand)
             for n, (day, code, brand) in LOSSES.items()]
    sent += [lead_lost(events, leads[6], owners[6], on(16), "postponed", None),
             events.event("leads.lead.reopened", leads[6], {"lead_id": leads[6], "status": "potential",
                                                            "owner_id": owners[6], "by": owners[6]})]
    sent += [campaign_created(events, key, name, kind, first, last)
             for key, (name, kind, first, last) in CAMPAIGNS.items()]
    sent += [campaign_invited(events, "online", leads[7], owners[7], on(11, 15)),
             campaign_invited(events, "show", leads[1], owners[1], on(5)),
             campaign_invited(events, "show", leads[2], owners[2], on(5)),
             campaign_invited(events, "drive", leads[6], owners[6], on(18))]
    sent += [campaign_visit(events, leads[1], on(8), owners[1], "show"),
             events.test_drive(leads[1], on(8, 11), owners[1]),
             events.order_placed(on(10), leads[1], owners[1], order_id="o-show"),
             events.delivered(on(20), "o-show", leads[1], owners[1]),
             campaign_visit(events, leads[5], on(9), owners[5], "show")]
    return sent


def lead_lost(events, lead_id: str, owner: str, when: datetime, code: str, brand: str | None) -> dict[str, Any]:
    """``leads.lead.lost`` with its reason from the store's list."""
    return events.event("leads.lead.lost", lead_id, {
        "lead_id": lead_id, "reason": code, "owner_id": owner, "by": owner, "reason_code": code,
        "competitor_brand": brand, "lost_at": when.isoformat()})


def campaign_created(events, campaign_id: str, name: str, kind: str, first: date, last: date) -> dict[str, Any]:
    """``leads.campaign.created``, by the manager a fortnight before the campaign starts."""
    return events.event("leads.campaign.created", campaign_id, {
        "campaign_id": campaign_id, "name": name, "kind": kind, "starts_on": first.isoformat(),
        "ends_on": last.isoformat(), "created_by": "m1",
        "created_at": events.at(first - timedelta(days=14), 9).isoformat()})


def campaign_invited(events, campaign_id: str, lead_id: str, owner: str, when: datetime) -> dict[str, Any]:
    """``leads.campaign.invited``: the lead's owner invites the customer."""
    return events.event("leads.campaign.invited", campaign_id, {
        "campaign_id": campaign_id, "lead_id": lead_id, "owner_id": owner, "invited_by": owner,
        "invited_at": when.isoformat()})


def campaign_visit(events, lead_id: str, when: datetime, consultant: str, campaign_id: str) -> dict[str, Any]:
    """A first visit that names a campaign: attendance (到店)."""
    return events.event("leads.visit.recorded", lead_id, {
        "lead_id": lead_id, "visit_id": events.new_id(), "consultant_id": consultant, "appointment_id": None,
        "visit_number": 1, "owner_id": consultant, "previous_owner_id": consultant, "visited_at": when.isoformat(),
        "campaign_id": campaign_id})


@pytest.fixture
def floor(start_service, database_url: str, bus, events) -> tuple[str, dict[str, str]]:
    """Reporting, on SQLite and on PostgreSQL, with the floor's November 2025 stored; its URL and a manager's token."""
    reporting = start_service("reporting", database_url)
    manager = token("sales_manager", "m1")
    sent = floor_events(events)
    bus(sent)
    wait_for(lambda: api(reporting.url, "/admin/status", manager)["events_stored"] == len(sent), timeout=60,
             message="the events to be stored")
    return reporting.url, manager


REASON_LABELS = ["价格 Price", "竞品 Competitor", "贷款/金融 Financing", "无现车 No stock", "暂缓购买 Postponed",
                 "联系不上 Unreachable", "其他 Other"]


def test_the_lost_reasons_panel_draws_a_bar_per_reason_with_its_count_and_share_and_the_top_brands(
        floor, browser: Browser, tmp_path: Path) -> None:
    url, manager = floor
    page = open_board(browser, url, manager)
    pick_month(page, NOVEMBER)
    # 10 still lost: price 2 (20%), competitor 7 (70%), financing 1 (10%); the reopened postponement not counted.
    counts = [2, 7, 1, 0, 0, 0, 0]
    shares = ["20.0%", "70.0%", "10.0%", "0.0%", "0.0%", "0.0%", "0.0%"]
    chart = page.evaluate("() => window.dealerDashboard.charts.lostReasons.data")
    assert chart["labels"] == [[label, f"{n} · {share}"] for label, n, share in zip(REASON_LABELS, counts, shares,
                                                                                   strict=True)]
    assert chart["datasets"][0]["data"] == counts
    assert page.inner_text("#lost-summary") == "10 leads lost 战败 (still lost now)"
    assert page.inner_text("#lost-range") == "1–30 Nov"
    # Brands by count, then by name; the five named most, then the rest (长安) summed up. Shares of the 10 lost.
    assert cells(page, "#brand-table tbody tr") == [
        ["比亚迪", "2", "20.0%"], ["丰田", "1", "10.0%"], ["吉利", "1", "10.0%"], ["大众", "1", "10.0%"],
        ["特斯拉", "1", "10.0%"], ["Other brands 其他品牌 (1)", "1", "10.0%"]]

    name, rows = downloaded(page, "lostReasons", tmp_path)
    assert name == "lost-reasons-2025-11-01-2025-11-30.csv"
    assert rows[0] == ["dimension", "value", "count", "share"] and rows[1][:3] == ["total", "", "10"]
    assert [r[2] for r in rows[2:9]] == [str(n) for n in counts]
    assert [[r[1], r[2]] for r in rows[9:]] == [["比亚迪", "2"], ["丰田", "1"], ["吉利", "1"], ["大众", "1"],
                                                 ["特斯拉", "1"], ["长安", "1"]]
    save_screenshot(page, tmp_path, "dashboard-floor.png")
    page.close()


def test_the_campaigns_panel_shows_each_campaigns_funnel_and_only_to_those_who_read_the_report(
        floor, browser: Browser, tmp_path: Path) -> None:
    url, manager = floor
    page = open_board(browser, url, manager)
    pick_month(page, NOVEMBER)
    # By first day; the online campaign began in October. The motor show: 2 invited (L1, L2), 2 arrived (L1 invited,
    # L5 walked in), 1 test drive, 1 order and 1 delivery (L1's).
    assert cells(page, "#campaign-table tbody tr") == [
        ["双十一线上购车节", "线上活动 Online", "28 Oct – 11 Nov", "1", "0", "0", "0", "0"],
        ["秋季车展", "车展 Motor show", "8–9 Nov", "2", "2", "1", "1", "1"],
        ["店头试驾日", "店头活动 In-store event", "22 Nov", "1", "0", "0", "0", "0"]]
    assert page.inner_text("#campaigns-range") == "1–30 Nov"
    span = "([first, last]) => window.dealerDashboard.tools.spanLabel(first, last)"
    assert page.evaluate(span, ["2025-12-28", "2026-01-03"]) == "28 Dec 2025 – 3 Jan 2026"  # a New Year's show
    name, rows = downloaded(page, "campaigns", tmp_path)
    assert name == "campaigns-2025-11-01-2025-11-30.csv"
    header = rows[0]
    assert [[r[header.index(c)] for c in ("name", "invited", "arrived", "test_drives", "orders", "deliveries")]
            for r in rows[1:]] == [[r[0], *r[3:]] for r in cells(page, "#campaign-table tbody tr")]

    pick_month(page, OCTOBER)  # the outreach, and the online campaign that ran into November
    assert [r[:3] for r in cells(page, "#campaign-table tbody tr")] == [
        ["国庆外拓", "外拓 Outreach", "1–7 Oct"], ["双十一线上购车节", "线上活动 Online", "28 Oct – 11 Nov"]]

    page.click("#logout")
    page.wait_for_selector("#login", state="visible")
    assert page.evaluate("() => document.querySelector('#campaign-table tbody').textContent") == ""
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url))
    seen = page.evaluate("() => window.dealerDashboard.updates")
    sign_in(page, token("consultant", "c1"))
    page.wait_for_function(f"() => window.dealerDashboard.updates > {seen}")
    denied = page.evaluate("() => [...document.querySelectorAll('.panel.denied')].map((p) => p.id)")
    assert {"panel-lost-reasons", "panel-campaigns"} <= set(denied)
    assert [path for path in report_paths(asked) if "lost-reasons" in path or "campaigns" in path] == []
    assert "lostReasons" not in page.evaluate("() => Object.keys(window.dealerDashboard.charts)")
    page.close()


def test_the_funnel_shows_the_referral_rate_with_its_numerator_and_denominator(floor, browser: Browser) -> None:
    url, manager = floor
    page = open_board(browser, url, manager)
    pick_month(page, NOVEMBER)
    referral = tiles(page, "#rate-tiles")[-1]
    # One referral (L3) among the 12 leads filed in November; October filed none: 0 of 0 is 0.
    assert referral == {"label": "转介绍率 Referral rate", "value": "8.3%",
                        "detail": "1 from referrals / 12 leads filed",
                        "previous": "上月 Last month 1–31 Oct: 0.0% (0 / 0)"}
    assert cells(page, "#compare-table tbody tr")[-1] == ["转介绍率 Referral rate", "0.0% (0 / 0)", "8.3% (1 / 12)",
                                                          "+8.3"]
    page.close()

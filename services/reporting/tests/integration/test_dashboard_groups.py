"""The dashboard's group panels in headless Chromium: groups (小组), the scorecard (绩效考核表), commission (提成) and
the weekly progress report (周销售进度), seeded through the real routes and the broker, figures worked out by hand.

The reporting service runs as its own process with the store's real clock, and a group's members can be set
only from a day of the current month: so the month is this one, and everything happens on its first day (the
meetings at 08:45 and 08:50 of it).
"""
from __future__ import annotations

import calendar
import csv
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pytest
import requests
from playwright.sync_api import Browser, Page, sync_playwright

from dealer_testing import ROOT, json_of, token, wait_for

# The page helpers of test_dashboard.py, which this module cannot import (pytest's importlib mode).
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture
def browser() -> Iterator[Browser]:
    """Debian's Chromium, driven by Playwright."""
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def api(url: str, path: str, bearer: dict[str, str]) -> Any:
    return json_of(requests.get(f"{url}/api/v1{path}", headers=bearer, timeout=5))


def open_board(browser: Browser, url: str, bearer: dict[str, str]) -> Page:
    """A page signed in with ``bearer`` and drawn once (no timed refresh during the test)."""
    page = browser.new_page(viewport={"width": 1400, "height": 1400}, accept_downloads=True)
    page.goto(f"{url}/dashboard?refresh=600")
    page.fill("#token", bearer["Authorization"].removeprefix("Bearer "))
    page.click("#login-form button[type=submit]")
    page.wait_for_function("() => window.dealerDashboard.updates >= 1")
    return page


def cells(page: Page, selector: str) -> list[list[str]]:
    """The text of each cell of each row under ``selector``."""
    return page.evaluate("(selector) => [...document.querySelectorAll(selector)].map("
                         "(tr) => [...tr.cells].map((td) => td.textContent))", selector)


def downloaded(page: Page, key: str, tmp_path: Path) -> tuple[str, list[list[str]]]:
    """Click a panel's CSV button: the file's name and its rows (header first)."""
    with page.expect_download() as download:
        page.click(f"button.csv[data-panel={key}]")
    target = tmp_path / download.value.suggested_filename
    download.value.save_as(target)
    with target.open(newline="", encoding="utf-8") as handle:
        return download.value.suggested_filename, list(csv.reader(handle))


STAFF = {"s1": ("Zhou Min 周敏", "online_sales"), "s2": ("Sun Hao 孙浩", "consultant"),
         "c1": ("Li Na 李娜", "consultant"), "c2": ("Wang Qiang 王强", "consultant"),
         "c3": ("Zhao Lei 赵磊", "consultant")}
GROUPS = {"A": ("网销组 Online", "s1", ["c1", "c2"]), "B": ("展厅组 Showroom", "s2", ["c3"])}
# Targets: c1 4 (SUV 2), c2 2, c3 5 (SUV 3): group A 6 (SUV 2), group B 5 (SUV 3), the store 11.
TARGETS = [{"consultant_id": "c1", "units": 4, "by_model_class": {"SUV": 2}}, {"consultant_id": "c2", "units": 2},
           {"consultant_id": "c3", "units": 5, "by_model_class": {"SUV": 3}}]
# Deliveries on the 1st: c1 2 SUV + 1 sedan, c2 1 sedan (A: 4 of 6, SUV 2 of 2); c3 2 SUV + 3 MPV (B: 5 of 5, SUV 2
# of 3, under 90%).
DELIVERIES = [("c1", "SUV"), ("c1", "SUV"), ("c1", "sedan"), ("c2", "sedan"),
              ("c3", "SUV"), ("c3", "SUV"), ("c3", "MPV"), ("c3", "MPV"), ("c3", "MPV")]
PLAN = "<script>window.planRan = true</script>\n下周：邀约 5 位客户到店 <b>试驾</b>"
FIVE_RATE_CELLS_OF_B = ["0.0% (0/0)"] * 5  # group B's floor logged nothing: every rate 0 of 0


def put(url: str, path: str, bearer: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
    answer = requests.put(f"{url}/api/v1{path}", headers=bearer, json=body, timeout=5)
    assert answer.status_code == 200, answer.text
    return answer.json()


def floor_of_the_first(events, first: date) -> list[dict[str, Any]]:
    """Group A's floor on the 1st, all by c1: two new callers (I1, I2), I1 filed as L1, L2 filed from a call with no
    inquiry logged (itself a new contact, filed), both visit for the first time, L1 test-drives; then the deliveries.
    Filing 2 of 3 contacts; return to store 0 of 2 first-time visitors; test drive 1 of 2 visiting leads; no
    appointment (0 of 0); 30-day conversion 0 of 0 (leads filed in the last 31 days are on neither side)."""
    def on(hour: int, minute: int = 0) -> Any:
        return events.at(first, hour, minute)

    i1 = events.inquiry(on(9), "phone", "c1")
    l1 = events.lead(on(9, 30), "c1", inquiry_ids=(i1["data"]["inquiry_id"],), lead_id="lead-1")
    floor = [i1, l1, events.inquiry(on(9, 40), "phone", "c1"), events.lead(on(10), "c1", lead_id="lead-2"),
             events.visit("lead-1", on(11), 1, "c1"), events.visit("lead-2", on(11, 30), 1, "c1"),
             events.test_drive("lead-1", on(12), "c1")]
    return floor + [events.delivered(on(14, n), f"order-{n}", None, who, car=events.vin(700 + n), model_class=cls)
                    for n, (who, cls) in enumerate(DELIVERIES)]


@pytest.fixture
def month_of_groups(start_service, database_url: str, bus, events) -> dict[str, Any]:
    """Reporting (SQLite and PostgreSQL) with this month's staff, groups, targets, meetings, plan and floor."""
    reporting = start_service("reporting", database_url)
    url, manager = reporting.url, token("sales_manager", "m1")
    today = date.fromisoformat(api(url, "/reports/sales/daily?days=1", manager)["to"])
    first, month = today.replace(day=1), today.strftime("%Y-%m")
    for staff_id, (name, role) in STAFF.items():
        put(url, f"/staff/{staff_id}", manager, {"name": name, "role": role})
    for group_id, (name, supervisor, members) in GROUPS.items():
        put(url, f"/groups/{group_id}", manager, {"name": name, "supervisor_id": supervisor, "members": members,
                                                  "effective_from": first.isoformat()})
    put(url, f"/targets/{month}", manager, {"targets": TARGETS})
    supervisor = token("online_sales", "s1")
    # A's morning meeting at 08:45 with minutes (on time); its "evening" one at 08:50 is outside 16:30–17:15.
    for kind, minute in (("morning", 45), ("evening", 50)):
        answer = requests.post(f"{url}/api/v1/meetings", headers=supervisor, timeout=5, json={
            "group_id": "A", "kind": kind, "held_at": events.at(first, 8, minute).isoformat(),
            "minutes": "晨会：今日邀约 3 位客户", "attendees": ["c1", "c2"]})
        assert answer.status_code == 201, answer.text
    week = "{}-W{:02d}".format(*first.isocalendar()[:2])
    put(url, f"/weekly-plans/{week}/A", supervisor, {"plan": PLAN})
    sent = floor_of_the_first(events, first)
    bus(sent)
    wait_for(lambda: api(url, "/admin/status", manager)["events_stored"] == len(sent), timeout=60,
             message="the events to be stored")
    return {"url": url, "manager": manager, "today": today, "first": first, "month": month, "week": week}


def cents(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def meetings_due(first: date, today: date) -> int:
    """Two slots (morning, evening) for each Monday to Saturday from the 1st to today."""
    return 2 * sum(1 for n in range((today - first).days + 1) if (first + timedelta(days=n)).isoweekday() <= 6)


def draw_again(page: Page, act: Any) -> None:
    """Do something that makes the board read again, and wait until it has drawn."""
    seen = page.evaluate("() => window.dealerDashboard.updates")
    act()
    page.wait_for_function("(seen) => window.dealerDashboard.updates > seen", arg=seen)


def test_the_groups_panel_ranks_groups_and_their_consultants_by_name_with_each_rate_counted(
        month_of_groups, browser: Browser, tmp_path: Path) -> None:
    url, manager = month_of_groups["url"], month_of_groups["manager"]
    page = open_board(browser, url, manager)
    # B 5 units of 5 (100%) before A 4 of 6 (66.7%). A's rates: filing 2/3, arrival 0/0, return 0/2, drive 1/2, 30d 0/0.
    assert cells(page, "#groups-table tbody tr") == [
        ["1", "展厅组 Showroom", "Sun Hao 孙浩", "5", "5", "100.0% (5/5)", *FIVE_RATE_CELLS_OF_B],
        ["2", "网销组 Online", "Zhou Min 周敏", "4", "6", "66.7% (4/6)",
         "66.7% (2/3)", "0.0% (0/0)", "0.0% (0/2)", "50.0% (1/2)", "0.0% (0/0)"]]
    assert page.input_value("#group-pick") == "B"  # the leader is shown first
    # The store's 30-day conversion this month: L1 and L2, filed on the 1st, are within their 30 days (the 1st is at
    # most 30 days ago): on neither side yet, shown apart, neither ordered.
    assert page.evaluate("() => document.querySelectorAll('#rate-tiles .tile .detail')[4].textContent") == \
        "0 ordered within 30 days / 0 leads filed · 2 not yet 30 days 未满30天 (0 ordered so far)"
    assert cells(page, "#group-consultants tbody tr") == [["1", "Zhao Lei 赵磊", "5", "5", "100.0% (5/5)"]]
    draw_again(page, lambda: page.select_option("#group-pick", "A"))
    # c1 3 of 4 = 75%, c2 1 of 2 = 50%: most units first.
    assert cells(page, "#group-consultants tbody tr") == [["1", "Li Na 李娜", "3", "4", "75.0% (3/4)"],
                                                          ["2", "Wang Qiang 王强", "1", "2", "50.0% (1/2)"]]
    name, rows = downloaded(page, "groups", tmp_path)
    assert name == f"groups-{month_of_groups['month']}.csv"
    assert [r[:6] for r in rows[1:]] == [["A", "网销组 Online", "s1", "4", "6.00", "0.6667"],
                                         ["B", "展厅组 Showroom", "s2", "5", "5.00", "1.0000"]]
    page.close()


def test_the_scorecard_shows_each_line_with_its_counts_weight_target_and_score_and_the_total(
        month_of_groups, browser: Browser, tmp_path: Path) -> None:
    url, manager, first, today = (month_of_groups[k] for k in ("url", "manager", "first", "today"))
    page = open_board(browser, url, manager)
    draw_again(page, lambda: page.select_option("#group-pick", "A"))
    due = meetings_due(first, today)
    on_time = Decimal(1) / due  # the 08:45 morning meeting; the 08:50 "evening" one is outside its window
    meeting_score = Decimal("0.20") * on_time * 100
    # filing 0.15 × (2/3 ÷ 0.90) × 100 = 11.11; test drive 0.10 × (1/2 ÷ 0.60) × 100 = 8.33;
    # completion 0.20 × 4/6 × 100 = 13.33; return, arrival and 30-day conversion score 0.
    filing, drive, completion = (Decimal("0.15") * (Decimal(2) / 3) / Decimal("0.90") * 100,
                                 Decimal("0.10") * (Decimal(1) / 2) / Decimal("0.60") * 100,
                                 Decimal("0.20") * (Decimal(4) / 6) * 100)
    shown_rate = f"{(on_time * 100).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}%"
    assert cells(page, "#scorecard-table tbody tr") == [
        ["1", "晨会夕会 Meetings on time with minutes", "20.0%", "100.0%", f"{shown_rate} (1/{due})",
         cents(meeting_score)],
        ["2", "小组建卡率 Group filing rate", "15.0%", "90.0%", "66.7% (2/3)", "11.11"],
        ["3", "小组再回展厅率 Group return to store", "10.0%", "23.0%", "0.0% (0/2)", "0.00"],
        ["4", "邀约到店率 Invitation arrival", "15.0%", "22.0%", "0.0% (0/0)", "0.00"],
        ["5", "试乘试驾率 Test drive", "10.0%", "60.0%", "50.0% (1/2)", "8.33"],
        ["6", "30天转化率 30-day conversion", "10.0%", "13.0%", "0.0% (0/0)", "0.00"],
        ["7", "销量完成率 Unit completion", "20.0%", "100.0%", "66.7% (4/6)", "13.33"]]
    total = cents(meeting_score + filing + drive + completion)  # the unrounded lines' sum, rounded once
    assert cells(page, "#scorecard-table tfoot tr") == [["", "Total 合计", "", "", "", total]]
    name, rows = downloaded(page, "scorecard", tmp_path)
    assert name == f"scorecard-A-{month_of_groups['month']}.csv" and rows[-1][-1] == total
    page.close()


COMMISSION_HEADER = ["consultant_id", "name", "group_id", "units", "rate_per_unit", "gross", "deductions", "net"]


def test_the_commission_panel_shows_each_members_pay_and_its_csv_the_same_rows(
        month_of_groups, browser: Browser, tmp_path: Path) -> None:
    url, manager = month_of_groups["url"], month_of_groups["manager"]
    page = open_board(browser, url, manager)
    # A at 4/6: 50 × 4/6 = 33.333 a unit; c1 3 × 33.333 = 100.00, c2 33.33; SUV 2 of 2: no deduction.
    # B at 5/5: 50 a unit, c3 5 × 50 = 250.00; SUV 2 of 3 (66.7% < 90%): 200 off -> 50.00.
    assert cells(page, "#commission-table tbody tr") == [
        ["Li Na 李娜", "网销组 Online", "3", "33.33", "100.00", "0.00", "—", "100.00"],
        ["Wang Qiang 王强", "网销组 Online", "1", "33.33", "33.33", "0.00", "—", "33.33"],
        ["Zhao Lei 赵磊", "展厅组 Showroom", "5", "50.00", "250.00", "200.00", "SUV", "50.00"]]
    # 100.00 + 33.33 + 250.00 = 383.33 gross, 200.00 off, 183.33 net.
    assert cells(page, "#commission-table tfoot tr") == [["Total 合计", "", "9", "", "383.33", "200.00", "",
                                                          "183.33"]]
    name, rows = downloaded(page, "commission", tmp_path)
    assert name == f"commissions-{month_of_groups['month']}.csv"
    assert rows == [COMMISSION_HEADER, ["c1", "Li Na 李娜", "A", "3", "33.33", "100.00", "0.00", "100.00"],
                    ["c2", "Wang Qiang 王强", "A", "1", "33.33", "33.33", "0.00", "33.33"],
                    ["c3", "Zhao Lei 赵磊", "B", "5", "50.00", "250.00", "200.00", "50.00"]]
    (ROOT / "test-output").mkdir(exist_ok=True)  # git-ignored: a look at the panels after a run
    page.screenshot(path=str(ROOT / "test-output" / "dashboard-groups.png"), full_page=True)
    page.close()


def test_a_consultant_sees_only_their_own_commission_and_a_supervisor_only_their_groups(
        month_of_groups, browser: Browser) -> None:
    url = month_of_groups["url"]
    asked: list[str] = []
    page = open_board(browser, url, token("consultant", "c2"))
    page.on("request", lambda r: asked.append(r.url.split("/api/v1")[1]) if "/api/v1/" in r.url else None)
    # c2 reads their own row only, with their group's name (the commission row carries it).
    assert cells(page, "#commission-table tbody tr") == [
        ["Wang Qiang 王强", "网销组 Online", "1", "33.33", "33.33", "0.00", "—", "33.33"]]
    assert "Li Na" not in page.inner_text("#board") and "Zhao Lei" not in page.inner_text("#board")
    denied = page.evaluate("() => [...document.querySelectorAll('.panel.denied')].map((p) => p.id)")
    assert {"panel-groups", "panel-scorecard", "panel-weekly"} <= set(denied)
    assert "panel-commission" not in denied
    draw_again(page, lambda: page.evaluate("() => document.querySelector('#month').dispatchEvent(new Event('change'))"))
    assert not [path for path in asked if path.startswith(("/reports/weekly", "/scorecards"))]  # not even asked
    page.close()

    # s1, an online-sales consultant by role, supervises A: A's groups row, scorecard, weekly row and commission.
    page = open_board(browser, url, token("online_sales", "s1"))
    assert [row[1] for row in cells(page, "#groups-table tbody tr")] == ["网销组 Online"]
    assert page.inner_text("#scorecard-group").startswith("网销组 Online")
    assert [row[0] for row in cells(page, "#commission-table tbody tr")] == ["Li Na 李娜", "Wang Qiang 王强"]
    assert page.evaluate("() => document.querySelectorAll('.panel.denied').length") > 0  # the team's funnel
    assert "panel-commission" not in page.evaluate("() => [...document.querySelectorAll('.panel.denied')]"
                                                   ".map((p) => p.id)")
    page.close()


def test_the_weekly_panel_shows_each_group_and_the_store_against_the_week_before_and_the_plan_as_text(
        month_of_groups, browser: Browser, tmp_path: Path) -> None:
    url, manager, first = month_of_groups["url"], month_of_groups["manager"], month_of_groups["first"]
    page = open_board(browser, url, manager)
    week = month_of_groups["week"]
    draw_again(page, lambda: page.fill("#week", week))
    sunday = first + timedelta(days=7 - first.isoweekday())  # the week's last day, in this month
    in_month = calendar.monthrange(first.year, first.month)[1]

    def to_date(target: int) -> str:  # the month's target × days gone by the Sunday ÷ days in the month
        return str(Decimal(Decimal(target) * sunday.day / in_month).quantize(Decimal("0.01"),
                                                                             rounding=ROUND_HALF_UP).normalize())

    # All of it on the 1st, nothing the week before: every change is the week's own figure.
    a_rates = ["66.7% (2/3) +66.67 pp", "0.0% (0/0) 0.00 pp", "0.0% (0/2) 0.00 pp", "50.0% (1/2) +50.00 pp",
               "0.0% (0/0) 0.00 pp"]
    assert cells(page, "#weekly-table tbody tr") == [
        ["网销组 Online", "Zhou Min 周敏", "4", "+4", "4", to_date(6), "6", *a_rates],
        ["展厅组 Showroom", "Sun Hao 孙浩", "5", "+5", "5", to_date(5), "5", *["0.0% (0/0) 0.00 pp"] * 5],
        ["Store 全店", "", "9", "+9", "9", to_date(11), "11", *a_rates]]
    plans = page.evaluate("() => [...document.querySelectorAll('#weekly-plans .plan')].map((p) => "
                          "[p.querySelector('h3').textContent, p.querySelector('p').textContent])")
    assert plans == [["网销组 Online · Zhou Min 周敏", PLAN],
                     ["展厅组 Showroom · Sun Hao 孙浩", "No plan written yet 尚未填写计划"]]
    assert page.evaluate("() => document.querySelectorAll('#weekly-plans script, #weekly-plans b').length") == 0
    assert page.evaluate("() => window.planRan") is None  # shown, never run
    name, rows = downloaded(page, "weekly", tmp_path)
    assert name == f"weekly-{week}.csv"
    assert [[r[0], r[1], r[-1]] for r in rows[1:]] == [["A", "4", PLAN], ["B", "5", ""], ["store", "9", ""]]
    earlier = (first - timedelta(days=7)).isocalendar()
    draw_again(page, lambda: page.fill("#week", f"{earlier[0]}-W{earlier[1]:02d}"))
    assert [r[2:4] for r in cells(page, "#weekly-table tbody tr")] == [["0", "0"], ["0", "0"], ["0", "0"]]
    page.click("#logout")
    page.wait_for_selector("#login", state="visible")
    assert page.evaluate("() => [document.querySelector('#weekly-plans').textContent,"
                         " document.querySelector('#week').value, document.querySelector('#group-pick').length]") \
        == ["", "", 0]
    page.close()


def test_the_pages_iso_weeks_and_money_sums_follow_the_calendar_and_the_cent(start_service, browser: Browser) -> None:
    reporting = start_service("reporting", worker=False)
    page = browser.new_page()
    page.goto(f"{reporting.url}/dashboard")
    page.wait_for_function("() => window.dealerDashboard && window.dealerDashboard.tools")
    # ISO 8601: a week belongs to the year of its Thursday. 1 Jan 2027 is a Friday (2026's 53rd week); 30 Dec 2024 a
    # Monday whose Thursday is 2 Jan 2025; 30 Nov 2025 a Sunday, last day of week 48; 7 Dec 2026 a Monday.
    days = ["2027-01-01", "2024-12-30", "2025-11-30", "2026-12-07", "2026-01-01"]
    assert page.evaluate("(days) => days.map(window.dealerDashboard.tools.isoWeek)", days) == \
        ["2026-W53", "2025-W01", "2025-W48", "2026-W50", "2026-W01"]
    # 0.1 + 0.2 in binary is 0.30000000000000004: money is summed in cents. 100.00 + 33.33 + 250.00 = 383.33.
    assert page.evaluate("() => [window.dealerDashboard.tools.sumMoney(['0.10', '0.20']),"
                         " window.dealerDashboard.tools.sumMoney(['100.00', '33.33', '250.00'])]") == ["0.30", "383.33"]
    assert page.evaluate("() => window.dealerDashboard.tools.rateWithCounts(0.3636, 4, 11)") == "36.4% (4/11)"
    page.close()

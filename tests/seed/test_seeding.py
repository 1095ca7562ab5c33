"""``dealer seed`` against the real store: every department running as real processes on the real bus.

A few days at a small scale: every action answers as planned (no 5xx, no surprise
4xx), each department holds what the plan made, reporting counts the period, no
process logs an error, and the actions performed are exactly the seed's plan.
"""
from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import requests

from dealer_testing import DEFAULT_SECRET, RunningService, token, wait_for
from demo_store.build import build_plan
from demo_store.command import seed_store
from demo_store.plan import PlanArgs
from demo_store.report import missed_appointments
from shared.config import load_settings
from shared.service import installed_services

DEPARTMENTS = ("inventory", "leads", "orders", "after_sales", "reporting")


def total(url: str, path: str, role: str) -> int:
    answer = requests.get(f"{url}/api/v1{path}", headers=token(role, "checker"), timeout=10)
    assert answer.status_code == 200, answer.text
    return int(answer.json()["total"])


def error_lines(log_dir: Path) -> list[str]:
    return [f"{log.name}: {line}" for log in sorted(log_dir.glob("*.log"))
            for line in log.read_text(errors="replace").splitlines()
            if '"level": "ERROR"' in line or "[ERROR]" in line or "Traceback" in line]


def test_seeded_days_fill_every_department_as_planned_and_reporting_counts_them(
        start_service: Any, tmp_path: Path) -> None:
    running = {name: start_service(name) for name in DEPARTMENTS if name in installed_services()}
    urls = {**load_settings("leads").service_urls, **{name: r.url for name, r in running.items()}}
    args = PlanArgs(seed=11, days=30, scale=1.5, until=datetime.now(UTC) - timedelta(minutes=2),
                    tz=load_settings("leads").timezone)
    plan = build_plan(args)
    counts = plan.counts()

    result = seed_store(plan, urls, DEFAULT_SECRET, progress=False)
    print(result.summary)

    assert not [status for status in result.statuses if status >= 500], result.statuses
    assert result.done == [action.describe() for action in build_plan(args).ordered()]  # the same seed, the same plan
    assert total(urls["leads"], "/leads", "sales_manager") == counts["file_lead"] > 0
    assert total(urls["inventory"], "/vehicles", "inventory_clerk") == counts["receive_car"]
    assert total(urls["orders"], "/orders", "sales_manager") == counts["place_order"]
    assert total(urls["orders"], "/orders?status=delivered", "sales_manager") == counts["deliver"]
    # a file per delivery and per walk-in owner (their phones are no buyer's: one phone, one file)
    assert total(urls["after_sales"], "/customers", "after_sales") == counts["deliver"] + counts["file_walk_in"]
    assert total(urls["after_sales"], "/notices", "after_sales") == counts["send_notice"] == 1
    if "reporting" in running:
        funnel = result.funnel or {}
        assert funnel["leads"] == counts["file_lead"] and funnel["visits"] > 0 and funnel["inquiries"] > 0
        assert funnel["test_drives"] == counts["test_drive"] and funnel["appointments"] == counts["book_appointment"]
    assert error_lines(tmp_path / "logs") == []


def restart_worker(service: RunningService) -> None:
    """Stop a department's worker and start it again: its scheduled jobs run at its start (then every few minutes)."""
    worker = next(p for p in service.processes if p.args[-2:] == ["worker", service.name])
    worker.terminate()
    worker.wait(timeout=30)
    service.processes.remove(worker)
    service.start_worker()


def leads_of(url: str, query: str) -> list[dict[str, Any]]:
    """Every lead a manager finds with ``query``, page after page."""
    found: list[dict[str, Any]] = []
    while True:
        page = requests.get(f"{url}/api/v1/leads?{query}&page_size=200&page={len(found) // 200 + 1}",
                            headers=token("sales_manager", "checker"), timeout=10).json()
        found += page["items"]
        if len(found) >= page["total"]:
            return found


def test_a_seeded_store_shows_the_sales_floors_day_lost_reasons_moved_and_missed_appointments_and_agendas(
        start_service: Any, database_url: str, tmp_path: Path) -> None:
    running = {name: start_service(name, database_url if name == "leads" else None)
               for name in DEPARTMENTS if name in installed_services()}
    urls = {**load_settings("leads").service_urls, **{name: r.url for name, r in running.items()}}
    zone = load_settings("leads").timezone
    plan = build_plan(PlanArgs(seed=11, days=30, scale=1.5, until=datetime.now(UTC) - timedelta(minutes=2), tz=zone))
    counts, leads, manager = plan.counts(), urls["leads"], token("sales_manager", "checker")
    seed_store(plan, urls, DEFAULT_SECRET, progress=False)

    # Lost (战败) with reasons from the store's list; the leads reopened since are open again.
    reopened = {a.ref for a in plan.actions if a.verb == "reopen_lead"}
    still_lost = Counter(a.body["reason_code"] for a in plan.actions if a.verb == "mark_lost" and a.ref not in reopened)
    lost = leads_of(leads, "status=lost")
    assert Counter(lead["lost_reason_code"] for lead in lost) == still_lost and len(still_lost) >= 3
    assert all(bool(lead["competitor_brand"]) == (lead["lost_reason_code"] == "competitor") for lead in lost)
    assert counts["reopen_lead"] >= 2 and len(reopened) == counts["reopen_lead"]

    # Appointments moved to a time still to come, cancelled, and missed: the leads worker marks the missed ones
    # no-show at its start and every 5 minutes, so it is restarted rather than waited for.
    moved = [datetime.fromisoformat(a.body["scheduled_at"]) for a in plan.actions if a.verb == "reschedule_appointment"]
    assert len(moved) >= 2
    for new_time in moved:  # booked still, at the new time
        query = f"date={new_time.astimezone(zone).date()}&status=booked&page_size=200"
        items = requests.get(f"{leads}/api/v1/appointments?{query}", headers=manager, timeout=10).json()["items"]
        assert new_time in [datetime.fromisoformat(item["scheduled_at"]) for item in items]
    assert total(leads, "/appointments?status=cancelled", "sales_manager") == counts["cancel_appointment"] >= 2
    restart_worker(running["leads"])
    today = datetime.now(UTC).astimezone(zone).date()
    missed = missed_appointments(plan, before=today)
    assert missed >= 3
    wait_for(lambda: total(leads, "/appointments?status=no_show", "sales_manager") == missed, timeout=60,
             message=f"the leads worker to mark {missed} appointments no-show")

    # The call register keeps what the callers asked for: model, budget and when they mean to buy (here the
    # calls whose customer the plan files).
    filed = {a.ref for a in plan.actions if a.verb in ("file_lead", "file_duplicate")}
    asked = [a.body for a in plan.actions if a.verb == "log_inquiry" and "budget" in a.body and a.ref in filed]
    register = requests.get(f"{leads}/api/v1/inquiries?filed=true&page_size=200", headers=manager, timeout=10).json()
    assert register["total"] <= 200 and len(asked) > 20
    assert sorted((i["name"], i["model_interest"], i["budget"], i["purchase_timeframe"]) for i in register["items"]
                  if i["budget"]) == sorted((b["name"], b["model_interest"], b["budget"], b["purchase_timeframe"])
                                            for b in asked)

    # Each consultant's agenda on the period's last day (today) has calls due, calls overdue and idle customers.
    for consultant in ("c1", "c2", "c3", "c4", "c5", "c6"):
        agenda = requests.get(f"{leads}/api/v1/agenda?date={plan.last_day}&consultant_id={consultant}",
                              headers=manager, timeout=10).json()
        assert agenda["follow_ups_due"] and agenda["follow_ups_overdue"] and agenda["idle_leads"], (consultant,
                                                                                                    agenda)
    assert error_lines(tmp_path / "logs") == []

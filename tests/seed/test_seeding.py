"""``dealer seed`` against the real store: every department running as real processes on the real bus.

A few days at a small scale: every action answers as planned (no 5xx, no surprise
4xx), each department holds what the plan made, reporting counts the period, no
process logs an error, and the actions performed are exactly the seed's plan.
"""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import requests

from dealer_testing import DEFAULT_SECRET, token
from demo_store.build import build_plan
from demo_store.command import seed_store
from demo_store.plan import PlanArgs
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
    assert total(urls["after_sales"], "/customers", "after_sales") == counts["deliver"]
    if "reporting" in running:
        funnel = result.funnel or {}
        assert funnel["leads"] == counts["file_lead"] and funnel["visits"] > 0 and funnel["inquiries"] > 0
        assert funnel["test_drives"] == counts["test_drive"] and funnel["appointments"] == counts["book_appointment"]
    assert error_lines(tmp_path / "logs") == []

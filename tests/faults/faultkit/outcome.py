"""The end of every fault test: settle, reconcile, compare with the actions, write the figures.

The figures go to ``test-output/faults/<fault>.json``; ``tests/faults/report.py``
renders them into ``docs/reliability.md``.
"""
from __future__ import annotations

import json
import platform as machine
import re
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from faultkit.http import Answers, Client
from faultkit.platform import Platform
from faultkit.reconcile import reconcile, settle
from faultkit.stream import Ledger

ROOT = Path(__file__).resolve().parents[3]
OUTPUT = ROOT / "test-output" / "faults"
SKIPPED = re.compile(r'"skipped": (\d+)')


def store_today() -> date:
    """Today on the store's calendar (reports count store-local days)."""
    return datetime.now(ZoneInfo("Asia/Shanghai")).date()


def funnel(platform: Platform) -> dict[str, Any]:
    """Reporting's funnel over the days the test ran (yesterday to tomorrow: midnight-proof)."""
    today = store_today()
    manager = Client("reporting", platform.urls["reporting"], "sales_manager", "m1", Answers())
    try:
        return manager.get(f"/api/v1/reports/funnel?from={today - timedelta(days=1)}&to={today + timedelta(days=1)}")
    finally:
        manager.close()


def dropped_duplicates(platform: Platform) -> dict[str, int]:
    """Per consuming service, the redelivered events its consumer recognised and skipped (from its log)."""
    return {name: sum(int(n) for n in SKIPPED.findall(platform.worker_log(name))) for name in platform.services}


def conclude(platform: Platform, ledger: Ledger, synthetic: Counter[tuple[str, str]] | None = None,
             settle_timeout: float = 240.0) -> dict[str, Any]:
    """Wait for the platform to settle, reconcile, and check every figure against the actions."""
    started = time.monotonic()
    settled_in = settle(platform.db_urls, synthetic, timeout=settle_timeout)
    figures = reconcile(platform.db_urls, synthetic)
    found = funnel(platform)
    figures["settled_seconds"] = round(settled_in, 1)
    figures["conclude_seconds"] = round(time.monotonic() - started, 1)
    figures["funnel"] = {stage: found[stage] for stage in ("leads", "orders", "deliveries", "test_drives")}
    figures["actions"] = ledger.figures()
    figures["dropped_duplicates"] = dropped_duplicates(platform)
    wanted = {"leads": len(ledger.leads), "orders": len(ledger.orders), "deliveries": len(ledger.delivered),
              "test_drives": ledger.test_drives}
    assert figures["lost"] == 0 and figures["unexpected"] == 0, _mismatch(figures)
    assert figures["duplicates_applied"] == 0, figures
    assert figures["funnel"] == wanted, f"reporting's funnel {figures['funnel']} != the actions {wanted}"
    assert ledger.actions >= 2000, ledger.figures()
    return figures


def _mismatch(figures: dict[str, Any]) -> str:
    off = {k: v for k, v in figures["by_type"].items() if v["expected"] != v["found"]}
    return f"events lost or unexpected: {off}"


def write_result(fault: str, result: dict[str, Any]) -> Path:
    """Write one fault's figures for the report."""
    OUTPUT.mkdir(parents=True, exist_ok=True)
    path = OUTPUT / f"{fault}.json"
    result = {"fault": fault, "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
              "machine": {"cpus": _cpus(), "python": machine.python_version(), "load_1min": _load()}, **result}
    path.write_text(json.dumps(result, indent=2, sort_keys=False, default=str) + "\n")
    return path


def _cpus() -> int:
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def _load() -> float | None:
    """The machine's load average over the last minute (other work slows the figures down)."""
    import os

    return round(os.getloadavg()[0], 1) if hasattr(os, "getloadavg") else None

"""Reporting as real processes (gunicorn web + worker) on PostgreSQL, fed through the real bus."""
from __future__ import annotations

import subprocess
import sys
from datetime import date, timedelta
from typing import Any

import requests

from dealer_testing import json_of, token, wait_for

DAY = date(2026, 10, 12)


def a_week(events) -> list[dict[str, Any]]:
    """Inquiries, a filing, an appointment kept, visits, a test drive, an order and its delivery."""
    at = events.at
    inquiry = events.inquiry(at(DAY), "phone", "c1")
    lead = events.lead(at(DAY, 11), "c1", "phone_in", (inquiry["data"]["inquiry_id"],))
    lead_id = lead["data"]["lead_id"]
    booked = events.appointment(lead_id, at(DAY, 12), "c1")
    placed = events.order_placed(at(DAY + timedelta(days=3)), lead_id, "c1")
    return [inquiry, events.inquiry(at(DAY), "walk_in", "c2"), lead, booked,
            events.visit(lead_id, at(DAY + timedelta(days=1)), 1, "c1", booked["data"]["appointment_id"]),
            events.test_drive(lead_id, at(DAY + timedelta(days=1), 11), "c1"),
            events.visit(lead_id, at(DAY + timedelta(days=2)), 2, "c1"), placed,
            events.delivered(at(DAY + timedelta(days=6)), placed["data"]["order_id"], lead_id, "c1")]


EXPECTED = {"inquiries": 2, "leads": 1, "appointments": 1, "visits": 2, "test_drives": 1, "orders": 1,
            "deliveries": 1,
            "rate_details": {"filing_rate": {"numerator": 1, "denominator": 2},
                             "appointment_arrival_rate": {"numerator": 1, "denominator": 1},
                             "return_visit_rate": {"numerator": 1, "denominator": 1},
                             "test_drive_rate": {"numerator": 1, "denominator": 1},
                             # October's lead is past its 30 days: none left apart
                             "conversion_30d": {"numerator": 1, "denominator": 1, "not_yet_30_days": 0,
                                                "ordered_so_far": 0},
                             "referral_rate": {"numerator": 0, "denominator": 1}}}  # filed from a call


def test_events_from_the_bus_are_counted_once_through_redelivery_and_both_rebuilds(
        start_service, postgres_url, bus, events) -> None:
    reporting = start_service("reporting", database_url=postgres_url)
    manager, ops = token("sales_manager", "m1"), token("ops", "o1")

    def stored() -> int:
        return int(json_of(requests.get(f"{reporting.url}/api/v1/admin/status", headers=ops, timeout=5))
                   ["events_stored"])

    def month() -> dict[str, Any]:
        found = json_of(requests.get(f"{reporting.url}/api/v1/reports/funnel?from=2026-10-01&to=2026-10-31",
                                     headers=manager, timeout=5))
        return {k: v for k, v in found.items() if k in EXPECTED}

    week = a_week(events)
    bus(week)
    wait_for(lambda: stored() == len(week), timeout=60, message="the week's events to be stored")
    assert month() == EXPECTED

    sentinel = events.event("leads.lead.followed_up", "l-9", {
        "lead_id": "l-9", "follow_up_id": "f-9", "channel": "phone", "by": "c1", "owner_id": "c1",
        "at": events.at(DAY).isoformat(), "next_follow_up_at": None})
    bus(week + [sentinel])  # every event again, then one new one behind them on the same queue
    wait_for(lambda: stored() == len(week) + 1, timeout=60, message="the redelivered events to be handled")
    assert month() == EXPECTED

    started = requests.post(f"{reporting.url}/api/v1/admin/rebuild", headers=ops, timeout=5)
    assert started.status_code == 202, started.text
    progress = f"{reporting.url}{started.headers['Location']}"
    done = wait_for(lambda: (r := json_of(requests.get(progress, headers=ops, timeout=5)))["status"] == "done" and r,
                    timeout=60, message="the rebuild to finish")
    assert (done["processed"], done["total"]) == (len(week) + 1, len(week) + 1)
    assert month() == EXPECTED

    cli = subprocess.run([sys.executable, "-m", "dealer_cli", "reporting", "rebuild"], env=reporting.env,
                         capture_output=True, text=True, timeout=120)
    assert cli.returncode == 0, cli.stderr
    assert f"rebuilt every projection from {len(week) + 1} event(s)" in cli.stderr
    assert month() == EXPECTED

"""Backfill from the departments' event feeds (the real feed code, served in-process)."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import update

from dealer_testing import DEFAULT_SECRET, token
from reporting.rebuild.backfill import FeedUnavailable, Fetch, backfill
from shared.clock import utcnow
from shared.db import SharedBase, get_engine, session_factory
from shared.outbox import OutboxEvent, assign_feed_positions, record_event
from shared.web.app import build_app
from shared.web.feed import feed

DAY = date(2026, 10, 9)


class Department:
    """A department's event log and its feed, as every service serves it."""

    def __init__(self, name: str, path: Path) -> None:
        self.url = f"sqlite:///{path / (name + '-feed.db')}"
        SharedBase.metadata.create_all(get_engine(self.url))
        self.app: Flask = build_app(name, f"{name} feed", [feed], {"DATABASE_URL": self.url,
                                                                     "JWT_SECRET": DEFAULT_SECRET})

    def publish(self, envelopes: list[dict[str, Any]]) -> None:
        """Write events to the outbox, old enough for the feed to serve them."""
        with session_factory(self.url)() as session, session.begin():
            for envelope in envelopes:
                record_event(session, envelope)
            session.flush()
            session.execute(update(OutboxEvent).values(created_at=utcnow() - timedelta(seconds=5)))
        with session_factory(self.url)() as session:
            assign_feed_positions(session)  # what the department's relay does first each round


@pytest.fixture
def departments(tmp_path: Path) -> dict[str, Department]:
    return {name: Department(name, tmp_path) for name in ("leads", "orders")}


def feed_of(departments: dict[str, Department]) -> Fetch:
    """Read each department's feed through its HTTP routes with a service token."""
    def fetch(service: str, after: int, limit: int) -> tuple[list[dict[str, Any]], int]:
        if service not in departments:
            raise FeedUnavailable(f"{service} did not answer")
        page = departments[service].app.test_client().get(f"/api/v1/events?after={after}&limit={limit}",
                                                          headers=token("service", "reporting")).get_json()
        return page["items"], int(page["next"])
    return fetch


@pytest.fixture
def history(events, departments) -> list[dict[str, Any]]:
    """Leads files two customers; orders sells to one of them."""
    first, second = events.lead(events.at(DAY), "c1"), events.lead(events.at(DAY), "c2")
    placed = events.order_placed(events.at(DAY, 14), first["data"]["lead_id"], "c1")
    delivered = events.delivered(events.at(DAY, 16), placed["data"]["order_id"], first["data"]["lead_id"], "c1")
    departments["leads"].publish([first, second])
    departments["orders"].publish([placed, delivered])
    return [first, second, placed, delivered]


def funnel(as_role: Callable[..., Any]) -> dict[str, Any]:
    return as_role("sales_manager", "m1").get("/api/v1/reports/funnel?from=2026-10-01&to=2026-10-31").get_json()


def test_backfill_stores_every_feed_event_once_and_a_second_run_adds_nothing(app, departments, history,
                                                                             as_role) -> None:
    sessions = app.extensions["dealer"].sessions
    first = backfill(sessions, ("leads", "orders"), feed_of(departments), page_size=1)
    assert [(r.service, r.read, r.stored, r.error) for r in first] == [("leads", 2, 2, None), ("orders", 2, 2, None)]
    figures = funnel(as_role)
    assert (figures["leads"], figures["orders"], figures["deliveries"]) == (2, 1, 1)
    assert figures["rate_details"]["conversion_30d"] == {"numerator": 1, "denominator": 2, "not_yet_30_days": 0,
                                                         "ordered_so_far": 0}  # both past their 30 days
    again = backfill(sessions, ("leads", "orders"), feed_of(departments))
    assert [(r.read, r.stored) for r in again] == [(0, 0), (0, 0)]
    assert funnel(as_role) == figures
    status = as_role("ops", "o1").get("/api/v1/admin/status").get_json()
    assert status["events_stored"] == 4 and status["feed_cursors"] == {"leads": 2, "orders": 2}


def test_events_consumed_live_are_not_counted_again_by_backfill(app, departments, history, consume,
                                                               as_role) -> None:
    consume(history[:3])
    results = backfill(app.extensions["dealer"].sessions, ("leads", "orders"), feed_of(departments))
    assert sum(r.stored for r in results) == 1
    figures = funnel(as_role)
    assert (figures["leads"], figures["orders"], figures["deliveries"]) == (2, 1, 1)


def test_a_feed_that_does_not_answer_is_reported_while_the_others_are_read(app, departments, history,
                                                                         as_role) -> None:
    results = backfill(app.extensions["dealer"].sessions, ("inventory", "leads"), feed_of(departments))
    assert results[0].error == "inventory did not answer" and results[0].read == 0
    assert (results[1].read, results[1].stored, results[1].error) == (2, 2, None)
    assert funnel(as_role)["leads"] == 2

"""Benchmark 8: the consultant's agenda (GET /api/v1/agenda) for a consultant with 2,000 leads.

    python bench/agenda.py [--leads 2000] [--calls 200] [--database sqlite|postgresql|both] [--quick]

The leads are seeded through the leads service's own use cases (``leads.services``: filing, follow-ups,
appointments, each its own transaction with its events in the outbox, as the API does), spread over the
last 60 days, with 500 leads of other consultants beside them. The agenda is then called over HTTP through
the Flask test client with the consultant's token, for today and for each of the six days before (routing,
arguments, auth, the queries and JSON all included), with the default ``limit`` (the 50 most urgent overdue
follow-ups and idle leads, and their totals). Goal: p99 < 50 ms; it never fails on time. The machine's load
average before and after is kept beside the figures: on a shared machine they mean little without it.
"""
from __future__ import annotations

import argparse
import logging
import os
import random
import tempfile
import time
from contextlib import AbstractContextManager, nullcontext
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from report import postgres_database, print_table, time_gets, write_results
from stack import load_average

SECRET = "bench-secret-0123456789abcdef0123456789"
CONSULTANT = "bench-c1"
OTHERS = ("bench-c2", "bench-c3", "bench-c4", "bench-c5")
ZONE = "Asia/Shanghai"


def seed(database_url: str, leads: int, others: int) -> float:
    """File ``leads`` for the consultant and ``others`` for other consultants, with their work; seconds taken."""
    from leads import services
    from shared.actors import Actor
    from shared.db import session_factory

    sessions, rng, now = session_factory(database_url), random.Random(14), datetime.now(UTC)
    started = time.perf_counter()
    for n in range(leads + others):
        actor = Actor(CONSULTANT if n < leads else OTHERS[n % len(OTHERS)], "consultant")
        with sessions() as session:
            _work_one_lead(session, services, actor, n, rng, now)
    return time.perf_counter() - started


def _work_one_lead(session: Any, services: Any, actor: Any, n: int, rng: random.Random, now: datetime) -> None:
    """A lead as a working consultant keeps it: filed in the last 60 days; most called in the last 5 days with the
    next call set 1-7 days on, one in ten left 8-20 days without a call, one in twenty never called; one in three
    invited."""
    filed = now - timedelta(days=rng.uniform(1, 60))
    lead = services.file_lead(session, {"name": f"Customer {n}", "phone": f"139{n:08d}", "source": "phone_in",
                                        "model_interest": "Aurora", "level": rng.choice("HABC"),
                                        "occurred_at": filed}, actor)
    kind = rng.random()
    if kind < 0.05:
        return
    last = max(filed, now - timedelta(days=rng.uniform(8, 20) if kind < 0.15 else rng.uniform(0, 5)))
    calls = sorted(filed + (last - filed) * rng.random() for _ in range(rng.randint(0, 3)))
    for at in [*calls, last]:
        services.follow_up(session, lead.id, {"channel": "phone", "summary": "called", "occurred_at": at,
                                              "next_follow_up_at": at + timedelta(days=rng.uniform(1, 7))}, actor)
    if rng.random() < 0.3:
        booked = filed + (last - filed) * rng.random()
        services.book_appointment(session, lead.id, {"scheduled_at": booked + timedelta(days=rng.uniform(0, 8)),
                                                     "purpose": "consultation", "occurred_at": booked}, actor)


def analyze(database_url: str) -> None:
    """Table statistics, as autovacuum keeps them after a bulk write (PostgreSQL)."""
    from shared.db import get_engine

    with get_engine(database_url).connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")


def time_agenda(database_url: str, calls: int) -> dict[str, Any]:
    """p50/p99 of the agenda over ``calls`` HTTP calls, today and the six days before in turn."""
    from leads.app import create_app
    from shared.web.auth import mint_token

    app = create_app({"DATABASE_URL": database_url, "JWT_SECRET": SECRET, "TESTING": True})
    client = app.test_client()
    headers = {"Authorization": f"Bearer {mint_token(SECRET, 'consultant', CONSULTANT)}"}
    today = datetime.now(ZoneInfo(ZONE)).date()
    url = lambda n: f"/api/v1/agenda?date={today - timedelta(days=n % 7)}"  # noqa: E731
    figures = time_gets(client, url, headers, calls)
    body = client.get(url(0), headers=headers).get_json()
    sizes = {key: len(body[key]) for key in ("follow_ups_due", "follow_ups_overdue", "appointments", "idle_leads")}
    totals = {key: body[f"{key}_total"] for key in ("follow_ups_overdue", "idle_leads")}
    return {**figures, "today": sizes, "today_totals": totals}


def today_lists(figures: dict[str, Any]) -> str:
    """Today's lists as answered: "due 229, overdue 50 of 519, appointments 19, idle 50 of 257"."""
    totals = figures["today_totals"]
    return ", ".join(f"{key.removeprefix('follow_ups_').removesuffix('_leads')} {size}"
                     + (f" of {totals[key]}" if key in totals else "") for key, size in figures["today"].items())


def run(database: str, leads: int, others: int, calls: int) -> dict[str, Any]:
    """Migrate a fresh database, seed it, time the agenda."""
    from shared.db import dispose_engines
    from shared.migrations import upgrade
    from shared.service import service

    scratch: AbstractContextManager[Any] = tempfile.TemporaryDirectory() if database == "sqlite" else nullcontext()
    with scratch as folder, (postgres_database() if database == "postgresql" else nullcontext()) as pg_url:
        url = pg_url or f"sqlite:///{Path(folder) / 'leads.db'}"
        upgrade(service("leads"), url)
        seeded = seed(url, leads, others)
        if database == "postgresql":
            analyze(url)
        load_before = load_average()
        figures = time_agenda(url, calls)
        dispose_engines()
    return {**figures, "seed_s": seeded, "load_average": {"before": load_before, "after": load_average()}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--leads", type=int, default=2000)
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--quick", action="store_true", help="500 leads, 100 calls")
    args = parser.parse_args()
    leads, calls = (500, 100) if args.quick else (args.leads, args.calls)
    os.environ.setdefault("DEALER_TZ", ZONE)
    os.environ.setdefault("DEALER_JWT_SECRET", SECRET)
    logging.getLogger("dealer.access").disabled = True  # one line per call otherwise
    databases = ("sqlite", "postgresql") if args.database == "both" else (args.database,)
    results = {database: run(database, leads, 500, calls) for database in databases}
    rows = [(database, f"p50 {f['p50_ms']:.1f} ms", f"p99 {f['p99_ms']:.1f} ms", f"max {f['max_ms']:.1f} ms",
             today_lists(f), f"{f['seed_s']:.0f} s", " / ".join(map(str, f["load_average"]["before"])),
             " / ".join(map(str, f["load_average"]["after"])), "goal p99 < 50 ms")
            for database, f in results.items()]
    header = ["database", "p50", "p99", "max", "today's lists", "seeding", "load before", "load after", "goal"]
    print_table(f"Agenda of a consultant with {leads:,} leads (and 500 of others'), over HTTP (Flask test client), "
                f"{calls} calls each", header, rows)
    path = write_results("agenda", {"leads": leads, "other_leads": 500, "quick": args.quick, "results": results,
                                    "via": "HTTP, Flask test client", "goal_p99_ms": 50,
                                    "table": {"title": f"Agenda, {leads:,} leads of one consultant",
                                              "header": header, "rows": [list(row) for row in rows]}})
    print(f"\nwritten {path}")


if __name__ == "__main__":
    main()

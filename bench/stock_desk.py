"""Benchmark 10: the stock desk (GET /api/v1/stock and a filtered GET /api/v1/vehicles) at 20,000 vehicles.

    python bench/stock_desk.py [--vehicles 20000] [--calls 200] [--database sqlite|postgresql|both] [--quick]

A dealer group's yard and its history: 70 % of the cars delivered (出库), the rest on hand in every status,
3.5 % of them test-drive cars (试驾车) and 1.5 % demo cars (展车), 8 models x 3 trims x 5 colours at 3 stores,
first arrivals spread over the last 400 days. The rows go in with one bulk insert (the reads are what is
measured, not the receiving). Then, over HTTP through the Flask test client with a clerk's token, 200 calls
each of: the stock report across the group (all kinds), the same as CSV, and the aged-stock list a clerk asks
for (``kind=stock&status=available&min_age_days=91``, first page of 50). Prints p50/p99/max; never fails on
time. The machine's load average before and after is kept beside the figures.
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
from decimal import Decimal
from pathlib import Path
from typing import Any

from report import postgres_database, print_table, time_gets, write_results
from stack import load_average

SECRET = "bench-secret-0123456789abcdef0123456789"
ZONE = "Asia/Shanghai"
MODELS = ("Aurora", "Borealis", "Cirrus", "Delta", "Equinox", "Fjord", "Gale", "Horizon")
TRIMS = ("1.5T Comfort", "2.0T Luxury", "2.0T Sport")
COLOURS = ("white", "black", "grey", "blue", "red")
STORES = ("main", "east", "north-branch")
HELD = ("available", "available", "available", "reserved", "on_hold", "pending_inspection")
QUERIES = {"stock": "/api/v1/stock", "stock csv": "/api/v1/stock?format=csv",
           "vehicles aged": "/api/v1/vehicles?kind=stock&status=available&min_age_days=91"}


def vehicle_rows(count: int) -> list[dict[str, Any]]:
    """``count`` cars as the inventory table holds them, from a fixed seed."""
    rng, now, rows = random.Random(16), datetime.now(UTC), []
    for n in range(count):
        draw = rng.random()
        kind = "test_drive" if draw < 0.035 else "demo" if draw < 0.05 else "stock"
        delivered = kind == "stock" and rng.random() < 0.74
        arrived = now - timedelta(days=rng.uniform(0, 400))
        rows.append({"vin": f"BENCH{n:012d}", "model": rng.choice(MODELS), "trim": rng.choice(TRIMS),
                     "color": rng.choice(COLOURS), "msrp": Decimal("199900.00"), "cost": Decimal("171000.00"),
                     "kind": kind, "model_class": "sedan", "location": rng.choice(STORES), "arrived_at": arrived,
                     "status": "delivered" if delivered else "available" if kind != "stock" else rng.choice(HELD),
                     "delivered_at": min(arrived + timedelta(days=rng.uniform(5, 120)), now) if delivered else None,
                     "received_by": "bench-k1", "inspection_notes": "", "version": 1})
    return rows


def seed(database_url: str, count: int) -> float:
    """Insert the cars in one statement; seconds taken."""
    from sqlalchemy import insert

    from inventory.models import Vehicle
    from shared.db import session_factory

    started = time.perf_counter()
    with session_factory(database_url)() as session, session.begin():
        session.execute(insert(Vehicle), vehicle_rows(count))
    return time.perf_counter() - started


def analyze(database_url: str) -> None:
    """Table statistics, as autovacuum keeps them after a bulk write (PostgreSQL)."""
    from shared.db import get_engine

    with get_engine(database_url).connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")


def time_desk(database_url: str, calls: int) -> dict[str, Any]:
    """p50/p99 of each of the desk's reads over ``calls`` HTTP calls, and what the answers held."""
    from inventory.app import create_app
    from shared.web.auth import mint_token

    app = create_app({"DATABASE_URL": database_url, "JWT_SECRET": SECRET, "TESTING": True})
    client = app.test_client()
    headers = {"Authorization": f"Bearer {mint_token(SECRET, 'inventory_clerk', 'bench-k1')}"}
    figures = {name: _timed(client, path, headers, calls) for name, path in QUERIES.items()}
    report = client.get(QUERIES["stock"], headers=headers).get_json()
    aged = client.get(QUERIES["vehicles aged"], headers=headers).get_json()
    held = {kind: counts["on_hand"] for kind, counts in report["by_kind"].items()}
    return {"timings": figures, "on_hand": held, "lines": len(report["items"]), "aged_total": aged["total"]}


def _timed(client: Any, path: str, headers: dict[str, str], calls: int) -> dict[str, Any]:
    """Wall p50/p99/max of ``calls`` GETs, and this process's CPU per call (on SQLite the queries run in it
    too): the CPU figure moves less than the wall one when the shared machine is busy."""
    cpu = time.process_time()
    figures = time_gets(client, lambda n: path, headers, calls)
    return {**figures, "cpu_ms_per_call": (time.process_time() - cpu) * 1000 / (calls + 5)}  # 5 warm-up calls


def run(database: str, vehicles: int, calls: int) -> dict[str, Any]:
    """Migrate a fresh database, seed it, time the desk."""
    from shared.db import dispose_engines
    from shared.migrations import upgrade
    from shared.service import service

    scratch: AbstractContextManager[Any] = tempfile.TemporaryDirectory() if database == "sqlite" else nullcontext()
    with scratch as folder, (postgres_database() if database == "postgresql" else nullcontext()) as pg_url:
        url = pg_url or f"sqlite:///{Path(folder) / 'inventory.db'}"
        upgrade(service("inventory"), url)
        seeded = seed(url, vehicles)
        if database == "postgresql":
            analyze(url)
        load_before = load_average()
        figures = time_desk(url, calls)
        dispose_engines()
    return {**figures, "seed_s": seeded, "load_average": {"before": load_before, "after": load_average()}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--vehicles", type=int, default=20000)
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--quick", action="store_true", help="2,000 vehicles, 50 calls")
    args = parser.parse_args()
    vehicles, calls = (2000, 50) if args.quick else (args.vehicles, args.calls)
    os.environ.setdefault("DEALER_TZ", ZONE)
    os.environ.setdefault("DEALER_JWT_SECRET", SECRET)
    logging.getLogger("dealer.access").disabled = True  # one line per call otherwise
    databases = ("sqlite", "postgresql") if args.database == "both" else (args.database,)
    results = {database: run(database, vehicles, calls) for database in databases}
    rows = [(database, name, f"p50 {t['p50_ms']:.1f} ms", f"p99 {t['p99_ms']:.1f} ms", f"max {t['max_ms']:.1f} ms",
             f"cpu {t['cpu_ms_per_call']:.1f} ms")
            for database, f in results.items() for name, t in f["timings"].items()]
    print_table(f"Stock desk at {vehicles:,} vehicles, {calls} calls each",
                ("database", "read", "p50", "p99", "max", "cpu/call"), rows)
    for database, f in results.items():
        print(f"{database}: on hand {f['on_hand']}, {f['lines']} report lines, {f['aged_total']} aged cars listed; "
              f"seeded in {f['seed_s']:.1f} s; load {f['load_average']['before']} -> {f['load_average']['after']}")
    print(f"kept in {write_results('stock_desk', {'vehicles': vehicles, 'calls': calls, 'results': results})}")


if __name__ == "__main__":
    main()

"""Benchmark 6: reports at scale. A year of a big store (1,000,000 events, generated) in reporting's
event store on PostgreSQL; every projection rebuilt from it; then the managers' reports timed.

    python bench/reports.py [--events 1000000] [--calls 200] [--quick]

The events go into the event store masked, as the consumer stores them, by COPY (the store is the
input here, not what is measured). The rebuild is ``reporting.public.rebuild_projections`` in one
transaction, in a process of its own (events/s, and that process's peak RSS). The reports are called
over HTTP through the Flask test client with a sales manager's token (routing, arguments, auth, the
query and JSON serialisation all included): the funnel for a month and for the year (the team's, one
consultant's, consultants rotating, and one sales group's, groups rotating), sales by month, consultants
for a month; months rotate. The 24 consultants are put on the staff directory and in four groups over
HTTP; their year of membership (each moves to the next group on 1 July) is written by SQL, as the event
store is: reporting records a move back to the current month's start at most.
"""
from __future__ import annotations

import argparse
import logging
import multiprocessing
import os
import time
from typing import Any

from report import postgres_database, print_table, time_gets, write_results
from stream import generate

from shared.clock import utcnow

SECRET = "bench-secret-0123456789abcdef0123456789"
STORE_COLUMNS = ("source", "event_id", "event_type", "subject", "occurred_at", "body", "stored_at")


def fill_store(database_url: str, events: list[dict[str, Any]]) -> float:
    """Masked events into ``event_store`` by COPY; seconds taken."""
    import psycopg

    from reporting.public import mask_event, stored_row

    started = time.perf_counter()
    now = utcnow()
    with psycopg.connect(database_url) as conn, conn.cursor() as cursor:
        with cursor.copy(f"COPY event_store ({', '.join(STORE_COLUMNS)}) FROM STDIN") as copy:
            for event in events:
                row = stored_row(mask_event(event), now)
                copy.write_row(tuple(row[name] for name in STORE_COLUMNS))
        conn.commit()
        cursor.execute("ANALYZE event_store")
    return time.perf_counter() - started


def rebuild(database_url: str) -> tuple[int, float, float]:
    """Every projection recomputed from the store, as ``dealer reporting rebuild`` does, in a process of its
    own (this one holds the generated events): (events, seconds, that process's peak RSS in MB)."""
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        done, elapsed, peak_mb = pool.apply(_rebuild_in_a_process, (database_url,))
    from shared.db import get_engine

    with get_engine(database_url).connect() as conn:  # as autovacuum does after a bulk write: statistics, visibility
        conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM ANALYZE")
    return done, elapsed, peak_mb


def _rebuild_in_a_process(database_url: str) -> tuple[int, float, float]:
    from reporting.public import rebuild_projections
    from shared.db import session_factory

    sessions = session_factory(database_url)
    started = time.perf_counter()
    with sessions() as session, session.begin():
        done = rebuild_projections(session)
    return done, time.perf_counter() - started, _peak_rss_mb()


def _peak_rss_mb() -> float:
    """This process's peak resident set (VmHWM: ``ru_maxrss`` would count the parent's, kept across exec)."""
    with open("/proc/self/status") as status:
        found = next(line for line in status if line.startswith("VmHWM:"))
    return int(found.split()[1]) / 1024


CONSULTANTS = [f"c{n:02d}" for n in range(1, 25)]
GROUPS = [f"g{n}" for n in range(1, 5)]


def put_groups(client: Any, headers: dict[str, str], database_url: str) -> None:
    """The consultants and four groups of six over HTTP, then each one's year: a group, the next from 1 July."""
    import psycopg

    for staff_id in CONSULTANTS:
        assert client.put(f"/api/v1/staff/{staff_id}", headers=headers,
                          json={"name": staff_id, "role": "consultant"}).status_code == 200
    for n, group_id in enumerate(GROUPS):
        body = {"name": group_id, "supervisor_id": CONSULTANTS[n * 6], "members": CONSULTANTS[n * 6:n * 6 + 6]}
        assert client.put(f"/api/v1/groups/{group_id}", headers=headers, json=body).status_code == 200
    rows = [(GROUPS[(n // 6 + moved) % 4], staff_id, first, last)
            for n, staff_id in enumerate(CONSULTANTS)
            for moved, (first, last) in enumerate((("2025-01-01", "2025-07-01"), ("2025-07-01", None)))]
    with psycopg.connect(database_url) as conn, conn.cursor() as cursor:
        cursor.execute("DELETE FROM group_memberships")
        cursor.executemany("INSERT INTO group_memberships (group_id, staff_id, from_day, until_day) "
                           "VALUES (%s, %s, %s, %s)", rows)
        conn.commit()
        cursor.execute("ANALYZE group_memberships")


def time_reports(database_url: str, calls: int) -> dict[str, dict[str, float]]:
    """p50/p99 of each report over ``calls`` HTTP calls through the test client."""
    from reporting.app import create_app
    from shared.web.auth import mint_token

    app = create_app({"DATABASE_URL": database_url, "JWT_SECRET": SECRET, "TESTING": True})
    client = app.test_client()
    headers = {"Authorization": f"Bearer {mint_token(SECRET, 'sales_manager', 'bench-manager')}"}
    put_groups(client, headers, database_url)
    months = [f"2025-{m:02d}" for m in range(1, 13)]
    last_day = {m: (28 if m == "2025-02" else 30 if m in ("2025-04", "2025-06", "2025-09", "2025-11") else 31)
                for m in months}
    routes = {
        "funnel (month)": lambda n: f"/api/v1/reports/funnel?from={months[n % 12]}-01&to={months[n % 12]}-"
                                    f"{last_day[months[n % 12]]}",
        "funnel (year)": lambda n: "/api/v1/reports/funnel?from=2025-01-01&to=2025-12-31",
        "funnel (year, one consultant)": lambda n: "/api/v1/reports/funnel?from=2025-01-01&to=2025-12-31"
                                                   f"&consultant_id=c{n % 24 + 1:02d}",
        "funnel (month, one group)": lambda n: f"/api/v1/reports/funnel?from={months[n % 12]}-01&to="
                                               f"{months[n % 12]}-{last_day[months[n % 12]]}&group_id={GROUPS[n % 4]}",
        "funnel (year, one group)": lambda n: "/api/v1/reports/funnel?from=2025-01-01&to=2025-12-31"
                                              f"&group_id={GROUPS[n % 4]}",
        "sales by month": lambda n: f"/api/v1/reports/sales?period=month&date={months[n % 12]}",
        "consultants (month)": lambda n: f"/api/v1/reports/consultants?month={months[n % 12]}",
    }
    figures = {}
    for name, url in routes.items():
        figures[name] = time_gets(client, url, headers, calls)
    sample = client.get(routes["funnel (year)"](0), headers=headers).get_json()
    figures["funnel (year)"]["sample"] = {k: sample[k] for k in ("inquiries", "leads", "visits", "deliveries")}
    group_years = [client.get(routes["funnel (year, one group)"](n), headers=headers).get_json() for n in range(4)]
    figures["funnel (year, one group)"]["groups_leads"] = sum(found["leads"] for found in group_years)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--quick", action="store_true", help="100,000 events")
    args = parser.parse_args()
    count = 100_000 if args.quick else args.events
    os.environ.setdefault("DEALER_TZ", "Asia/Shanghai")
    logging.getLogger("dealer.access").disabled = True  # one line per call otherwise
    started = time.perf_counter()
    events, metrics = generate(count)
    generated = time.perf_counter() - started
    from shared.migrations import upgrade
    from shared.service import service

    with postgres_database() as database_url:
        upgrade(service("reporting"), database_url)
        filled = fill_store(database_url, events)
        del events
        replayed, seconds, rebuild_rss_mb = rebuild(database_url)
        assert replayed == count, (replayed, count)
        reports = time_reports(database_url, args.calls)
    found = reports["funnel (year)"]["sample"]
    assert all(found[k] == metrics[k] for k in found), (found, dict(metrics))  # every event counted once
    in_groups = reports["funnel (year, one group)"].pop("groups_leads")
    assert in_groups == found["leads"], (in_groups, found)  # each consultant is in one group every day of the year
    rate = replayed / seconds
    rows = [("rebuild of every projection", f"{rate:,.0f} events/s", f"{seconds:.1f} s", "goal >= 20,000 events/s"),
            ("rebuild's peak RSS", f"{rebuild_rss_mb:.0f} MB", "", "goal <= 120 MB a worker")]
    rows += [(name, f"p50 {f['p50_ms']:.1f} ms", f"p99 {f['p99_ms']:.1f} ms", "goal p99 <= 50 ms")
             for name, f in reports.items()]
    print_table(f"Reports at scale: {count:,} events on PostgreSQL (generated in {generated:.0f} s, "
                f"stored by COPY in {filled:.0f} s); reports over HTTP (Flask test client), {args.calls} calls each",
                ["what", "figure", "", "goal"], rows)
    path = write_results("reports", {"events": count, "database": "postgresql", "rebuild_events_s": rate,
                                     "rebuild_s": seconds, "rebuild_peak_rss_mb": rebuild_rss_mb, "reports": reports,
                                     "via": "HTTP, Flask test client", "goal_rebuild_events_s": 20000,
                                     "goal_p99_ms": 50})
    print(f"\nwritten {path}")


if __name__ == "__main__":
    main()

"""Benchmark 2: the reporting worker consuming 50,000 events into its store and projections, exactly once,
against raw pika consume-with-ack of 50,000 1 KB messages in the same run (before and after, averaged).

    python bench/ingest.py [--events 50000] [--database sqlite postgresql] [--quick]

The events (a realistic mix, see stream.py) are published with confirms to an isolated namespace's
``dealer.events`` while reporting's queue is bound and no worker runs: a backlog. Then the real worker
process (``python -m dealer_cli worker reporting``) starts; the rate counts from its first stored event
to the last. Its peak resident memory is read from /proc. Afterwards the store must hold every event once,
the inbox every id once, and every projection must equal the one computed in memory from the stream.
"""
from __future__ import annotations

import argparse
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import raw
from report import amqp_url, postgres_database, print_table, write_results
from sqlalchemy import func, select
from stream import generate

from contracts import contract_errors
from shared import broker
from shared.config import load_settings
from shared.db import dispose_engines, session_factory
from shared.envelope import routing_key_of
from shared.inbox import ProcessedEvent
from shared.publisher import ConfirmingPublisher, Outgoing

ROOT = Path(__file__).resolve().parent.parent


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def namespace(url: str, database_url: str, data_dir: str) -> Iterator[dict[str, str]]:
    """An isolated namespace on the shared broker (as ``dealer_env`` makes for tests), deleted afterwards."""
    name = f"bench{uuid.uuid4().hex[:6]}."
    env = {"AMQP_URL": url, "DEALER_NAMESPACE": name, "DEALER_DATA_DIR": data_dir, "DEALER_TZ": "Asia/Shanghai",
           "DEALER_JWT_SECRET": secrets.token_hex(32),  # a worker refuses to start without one
           "REPORTING_DATABASE_URL": database_url, "REPORTING_PORT": str(_port()),
           "REPORTING_RELAY_WAKE": f"127.0.0.1:{_port()}", "DEALER_LOG_LEVEL": "WARNING"}
    saved = {key: os.environ.get(key) for key in env}
    os.environ.update(env)
    try:
        yield env
    finally:
        settings = load_settings("reporting")
        conn = broker.connect(url)
        for queue in broker.queue_names(settings):
            channel = broker.raw_channel(conn)
            channel.queue_delete(queue)
            channel.close()
        channel = broker.raw_channel(conn)
        channel.exchange_delete(settings.exchange)
        channel.exchange_delete(settings.dead_letter_exchange)
        conn.close()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def publish(events: list[dict[str, Any]]) -> None:
    """Every event to ``dealer.events`` with confirms, as the departments' relays publish them."""
    settings = load_settings("reporting")
    publisher = ConfirmingPublisher(settings.amqp_url)
    try:
        for start in range(0, len(events), 2000):
            confirmed = publisher.publish([
                Outgoing(settings.exchange, routing_key_of(e["type"]), json.dumps(e).encode(),
                         broker.message_properties(e)) for e in events[start:start + 2000]])
            assert all(confirmed), "the broker refused an event"
    finally:
        publisher.close()


def _stored(sessions: Any) -> int:
    from reporting.public import stored_count

    with sessions() as session:
        return stored_count(session)


def _rss_kb(pid: int, field: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _profiler(pid: int, database: str) -> subprocess.Popen[bytes] | None:
    """py-spy sampling the worker, collapsed stacks per database under bench/results/ (``--profile``)."""
    if not os.environ.get("BENCH_PROFILE"):
        return None
    out = ROOT / "bench" / "results" / f"ingest-profile-{database}.txt"
    return subprocess.Popen(["py-spy", "record", "--pid", str(pid), "--rate", "100", "--format", "raw", "-o", str(out)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def run_worker(env: dict[str, str], database_url: str, count: int, timeout: float,
               database: str = "") -> dict[str, float]:
    """Start the real worker on the backlog; events/s from its first stored event to the last, peak RSS."""
    sessions = session_factory(database_url)
    log = open(Path(env["DEALER_DATA_DIR"]) / "worker.log", "ab")  # noqa: SIM115 - closed below
    started = time.perf_counter()
    worker = subprocess.Popen([sys.executable, "-m", "dealer_cli", "worker", "reporting"],
                              env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
    first = done = 0.0
    peak = 0
    profiler = _profiler(worker.pid, database)
    try:
        deadline = started + timeout
        while time.perf_counter() < deadline and worker.poll() is None:
            stored = _stored(sessions)
            peak = max(peak, _rss_kb(worker.pid, "VmRSS:"))
            now = time.perf_counter()
            if stored and not first:
                first = now
            if stored >= count:
                done = now
                break
            time.sleep(0.05 if not first else 0.25)
        peak = max(peak, _rss_kb(worker.pid, "VmHWM:"))
    finally:
        if profiler is not None:
            profiler.send_signal(2)
            profiler.wait(timeout=60)
        worker.terminate()
        worker.wait(timeout=60)
        log.close()
    if not done:
        raise RuntimeError(f"worker did not store {count} events in {timeout}s; see {log.name}")
    # ``first`` is seen up to one poll after the first batch committed: count that batch out.
    return {"events_s": (count - 200) / (done - first), "wall_s": done - started, "peak_rss_mb": peak / 1024}


def _norm(value: Any) -> Any:
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC)
    if isinstance(value, Decimal):
        return value.quantize(Decimal("0.01"))
    return value


def _row_set(rows: list[dict[str, Any]]) -> set[tuple[Any, ...]]:
    """Rows as a set of comparable tuples, columns in name order."""
    return {tuple(_norm(row[name]) for name in sorted(row)) for row in rows}


def verify(database_url: str, events: list[dict[str, Any]], metrics: dict[str, int]) -> dict[str, Any]:
    """Exactly once: every event stored and in the inbox once; every projection as the stream implies."""
    from reporting.public import distinct_events_stored, expected_projections, projection_rows, stored_count

    sessions = session_factory(database_url)
    with sessions() as session:
        distinct = distinct_events_stored(session)
        stored = stored_count(session)
        inbox = session.scalar(select(func.count()).select_from(ProcessedEvent))
        tables = projection_rows(session)
    counted: Counter[str] = Counter()
    for row in tables["daily_counts"]:
        counted[row["metric"]] += row["value"]
    reference = expected_projections(events)
    mismatched = []
    for table, rows in tables.items():
        expected, found = _row_set(reference[table]), _row_set(rows)
        if expected != found:
            mismatched.append(f"{table} ({len(expected)} expected, {len(found)} found)")
    problems = []
    if not stored == distinct == inbox == len(events):
        problems.append(f"stored {stored}, distinct {distinct}, inbox {inbox}, published {len(events)}")
    wrong = {m: (n, int(counted.get(m) or 0)) for m, n in metrics.items() if int(counted.get(m) or 0) != n}
    if wrong:
        problems.append(f"funnel counts (expected, found): {wrong}")
    if mismatched:
        problems.append(f"projections differ from the stream's: {', '.join(mismatched)}")
    return {"stored": stored, "distinct": distinct, "inbox": inbox, "metrics": dict(metrics),
            "exactly_once": not problems, "problems": problems}


def ingest_run(database: str, events: list[dict[str, Any]], metrics: dict[str, int]) -> dict[str, Any]:
    """One database: migrate, publish the backlog, consume it with the real worker, verify."""
    from shared.migrations import upgrade
    from shared.service import declare_queues, service

    url = amqp_url()
    with tempfile.TemporaryDirectory() as tmp, _database(database, tmp) as database_url, \
            namespace(url, database_url, tmp) as env:
        upgrade(service("reporting"), database_url)
        declare_queues(service("reporting"))
        publish(events)
        figures = run_worker(env, database_url, len(events), timeout=max(600.0, len(events) / 20), database=database)
        figures.update(verify(database_url, events, metrics))
        dispose_engines()
        return figures


@contextmanager
def _database(kind: str, tmp: str) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{tmp}/reporting.db"
        return
    with postgres_database() as database_url:
        yield database_url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=50000)
    parser.add_argument("--database", nargs="+", choices=["sqlite", "postgresql"], default=["sqlite", "postgresql"])
    parser.add_argument("--quick", action="store_true", help="5,000 events")
    parser.add_argument("--profile", action="store_true", help="py-spy flame graphs of the worker in bench/results/")
    args = parser.parse_args()
    if args.profile:
        os.environ["BENCH_PROFILE"] = "1"
    count = 5000 if args.quick else args.events
    events, metrics = generate(count)
    sample = events[:: max(1, count // 2000)]
    invalid = [problem for event in sample for problem in contract_errors(event)]
    assert not invalid, invalid[:5]
    results: dict[str, Any] = {"events": count, "generated_on": date.today().isoformat(),
                               "contract_sample": len(sample), "runs": {}}
    rows = []
    for database in args.database:
        before = raw.consume_with_ack(amqp_url(), count, prefetch=100)
        run = ingest_run(database, events, metrics)
        after = raw.consume_with_ack(amqp_url(), count, prefetch=100)  # the load changes: raw on both sides
        raw_rate = (before + after) / 2
        run.update(raw_consume_msg_s=raw_rate, raw_before_msg_s=before, raw_after_msg_s=after,
                   ratio=run["events_s"] / raw_rate)
        results["runs"][database] = run
        rows.append((f"raw pika consume+ack, prefetch 100 ({database}: before {before:,.0f}, after {after:,.0f})",
                     f"{raw_rate:,.0f} msg/s", "", "", ""))
        once = "yes" if run["exactly_once"] else "NO: " + "; ".join(run["problems"])
        rows.append((f"reporting worker ({database})", f"{run['events_s']:,.0f} events/s", f"{run['ratio']:.2f}",
                     f"{run['peak_rss_mb']:.0f} MB", once))
    print_table(f"Ingestion: {count:,} events into reporting's store and projections "
                "(goal: ratio >= 0.5, RSS <= 120 MB)", ["what", "rate", "ratio", "peak RSS", "exactly once"], rows)
    path = write_results("ingest", {**results, "goal_ratio": 0.5, "goal_rss_mb": 120})
    print(f"\nwritten {path}")


if __name__ == "__main__":
    main()

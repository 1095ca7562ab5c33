"""Benchmark 7: resident memory (VmRSS) of every web and worker process, and of reporting's worker under a backlog.

    python bench/memory.py [--quick] [--backlog 30000]

All five services run as processes (SQLite); leads are filed and orders placed
over HTTP, then reporting's worker is stopped, a backlog of events is published
to its queue, and a fresh worker drains it while its memory is sampled every
0.1 s: it holds at most its prefetch (1000) in hand, so its peak must not grow
with the backlog. Raw figures from the same run: a bare Flask + SQLAlchemy
gunicorn worker after serving requests, and a bare pika + SQLAlchemy process.
The table also gathers the figures the other benchmarks kept (``memory_mb``).
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
import uuid

import pika
from fixedrate import fire, plain_engine
from http_rate import bare_rate
from report import RESULTS, amqp_url, print_table, write_results
from saga import order_body, receive_cars
from sqlalchemy import text
from stack import Stack, load_average, rss_mb

from dealer_testing import token

GOAL_MB = 120
RAW_PROCESS = ("import pika, sqlalchemy, time, sys; c = pika.BlockingConnection(pika.URLParameters(sys.argv[1])); "
               "c.channel(); print('up', flush=True); time.sleep(30)")


def raw_process_mb() -> float | None:
    """A bare Python process holding a pika connection with SQLAlchemy imported."""
    process = subprocess.Popen([sys.executable, "-c", RAW_PROCESS, amqp_url()], stdout=subprocess.PIPE)
    try:
        process.stdout.readline()
        return rss_mb(process.pid)
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stdout.close()


def publish_backlog(stack: Stack, count: int) -> None:
    """``count`` copies of a real lead.created event, new ids each, straight onto the exchange."""
    with plain_engine(stack.urls["leads"]).connect() as conn:
        body = conn.execute(text("SELECT body FROM outbox WHERE routing_key = 'leads.lead.created' LIMIT 1")).scalar()
    template = json.loads(body)
    conn = pika.BlockingConnection(pika.URLParameters(amqp_url()))
    channel = conn.channel()
    channel.confirm_delivery()
    exchange = f"{stack.namespace}dealer.events"
    for _ in range(count):
        event = {**template, "id": str(uuid.uuid4()), "subject": str(uuid.uuid4()),
                 "data": {**template["data"], "lead_id": str(uuid.uuid4())}}
        channel.basic_publish(exchange, "leads.lead.created", json.dumps(event).encode(),
                              pika.BasicProperties(delivery_mode=2, content_type="application/json",
                                                   message_id=event["id"]))
    conn.close()


def drain_peak(stack: Stack, expected: int, timeout: float) -> tuple[float, float, int]:
    """Start a reporting worker on the backlog; its peak MB, seconds to drain, events stored."""
    worker = stack.start_worker("reporting")
    engine = plain_engine(stack.urls["reporting"])
    peak, started, stored = 0.0, time.monotonic(), 0
    with engine.connect() as conn:
        while time.monotonic() - started < timeout:
            peak = max(peak, rss_mb(worker.pid) or 0.0)
            stored = conn.execute(text("SELECT count(*) FROM event_store")).scalar() or 0
            conn.rollback()
            if stored >= expected:
                break
            time.sleep(0.1)
    engine.dispose()
    return peak, time.monotonic() - started, stored


def platform_run(backlog: int) -> tuple[dict[str, float | None], dict[str, float]]:
    """Every service under a little load, then reporting's backlog; memory of every process."""
    with Stack("sqlite") as stack:
        for name in ("leads", "inventory", "orders", "after_sales", "reporting"):
            stack.start(name)
        receive_cars(stack.running["inventory"].url, 20)
        fire(f"{stack.running['orders'].url}/api/v1/orders", order_body, token("consultant", "c1"), 10, 20)
        fire(f"{stack.running['leads'].url}/api/v1/leads",
             lambda n: {"name": "Bench", "phone": f"137{n:08d}", "source": "online", "model_interest": "Aurora"},
             token("consultant", "c1"), 40, 200)
        time.sleep(2)
        reporting_worker = next(p for p in stack.running["reporting"].processes
                                if "gunicorn" not in " ".join(map(str, p.args)))
        reporting_worker.terminate()
        reporting_worker.wait(timeout=30)
        stack.running["reporting"].processes.remove(reporting_worker)
        with plain_engine(stack.urls["reporting"]).connect() as conn:
            before = conn.execute(text("SELECT count(*) FROM event_store")).scalar() or 0
        publish_backlog(stack, backlog)
        peak, seconds, stored = drain_peak(stack, before + backlog, timeout=600)
        return stack.memory(), {"backlog": backlog, "peak_mb": peak, "drain_seconds": seconds,
                                "drained": stored - before, "events_per_second": (stored - before) / seconds}


def gathered() -> dict[str, float]:
    """The largest figure per process kind that the other benchmarks kept."""
    found: dict[str, float] = {}
    for path in sorted(RESULTS.glob("*.json")):
        if path.stem == "memory":
            continue
        for name, mb in json.loads(path.read_text()).get("memory_mb", {}).items():
            kind = f"{path.stem}: " + name.split(" (")[0].rstrip("0123456789 ").replace(" worker", " worker")
            if mb is not None:
                found[kind] = max(found.get(kind, 0.0), mb)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a 2,000-event backlog")
    parser.add_argument("--backlog", type=int, default=None)
    args = parser.parse_args()
    backlog = args.backlog or (2000 if args.quick else 30000)
    load_before = load_average()
    _, bare_memory = bare_rate("sqlite", 3)
    raw_web = max(v for k, v in bare_memory.items() if "worker" in k and v)
    raw_worker = raw_process_mb() or 1.0
    memory, drain = platform_run(backlog)
    rows = [("raw", "bare Flask + SQLAlchemy gunicorn worker", f"{raw_web:.0f}", "", ""),
            ("raw", "bare pika + SQLAlchemy process", f"{raw_worker:.0f}", "", "")]
    for name, mb in memory.items():
        raw = raw_web if "web" in name else raw_worker
        rows.append(("platform", name, f"{mb:.0f}" if mb else "gone", f"{mb / raw:.1f}" if mb else "",
                     "ok" if mb and mb <= GOAL_MB else "OVER"))
    rows.append(("backlog", f"reporting worker draining {backlog:,} events (peak)", f"{drain['peak_mb']:.0f}",
                 f"{drain['peak_mb'] / raw_worker:.1f}", "ok" if drain["peak_mb"] <= GOAL_MB else "OVER"))
    for name, mb in gathered().items():
        rows.append(("other runs", name, f"{mb:.0f}", "", "ok" if mb <= GOAL_MB else "OVER"))
    title = f"Memory: VmRSS per process (goal <= {GOAL_MB} MB each)"
    header = ["run", "process", "MB", "x raw", "goal"]
    print_table(title, header, rows)
    write_results("memory", {"quick": args.quick, "raw_web_mb": raw_web, "raw_worker_mb": raw_worker,
                             "platform_mb": memory, "backlog": drain, "goal_mb": GOAL_MB,
                             "load_average": {"before": load_before, "after": load_average()},
                             "table": {"title": title, "header": header, "rows": rows}})


if __name__ == "__main__":
    main()

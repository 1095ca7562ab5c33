"""Benchmark 1: the outbox relay publishing 50,000 rows with confirms, against raw windowed publishing.

    python bench/relay.py [--events 50000] [--database sqlite|postgresql]
"""
from __future__ import annotations

import argparse
import dataclasses
import tempfile
import time
import uuid

import raw
from report import amqp_url, postgres_database, print_table, write_results
from sqlalchemy import insert

from shared import broker
from shared.clock import utcnow
from shared.config import load_settings
from shared.db import SharedBase, dispose_engines, get_engine, session_factory
from shared.envelope import make_event
from shared.outbox import OutboxEvent
from shared.relay import OutboxRelay


def fill_outbox(url: str, count: int) -> None:
    """Write ``count`` ~1 KB events straight into the outbox table."""
    engine = get_engine(url)
    SharedBase.metadata.create_all(engine)
    rows = []
    for n in range(count):
        event = make_event("leads", "leads.lead.created", f"lead-{n}", {"pad": "x" * 700, "n": n})
        import json

        rows.append({"event_id": event["id"], "routing_key": "leads.lead.created",
                     "body": json.dumps(event), "created_at": utcnow()})
    with engine.begin() as conn:
        for start in range(0, count, 5000):
            conn.execute(insert(OutboxEvent), rows[start:start + 5000])


def relay_rate(url: str, database_url: str, count: int) -> float:
    """Events/s of the relay draining ``count`` rows into a bound durable queue."""
    namespace = f"bench{uuid.uuid4().hex[:6]}."
    settings = dataclasses.replace(load_settings("leads"), amqp_url=url, database_url=database_url,
                                   namespace=namespace, exchange=f"{namespace}dealer.events")
    fill_outbox(database_url, count)
    conn = broker.connect(url)
    channel = broker.raw_channel(conn)
    broker.declare_exchange(channel, settings)
    queue = f"{namespace}sink"
    channel.queue_declare(queue, durable=True, auto_delete=False)
    channel.queue_bind(queue, settings.exchange, "#")
    relay = OutboxRelay(settings, session_factory(database_url))
    start = time.perf_counter()
    published = 0
    while (n := relay.publish_pending()):
        published += n
    elapsed = time.perf_counter() - start
    relay.close()
    channel.queue_delete(queue)
    channel.exchange_delete(settings.exchange)
    channel.exchange_delete(settings.dead_letter_exchange)
    conn.close()
    dispose_engines()
    assert published == count, (published, count)
    return count / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=50000)
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    args = parser.parse_args()
    url = amqp_url()
    raw_rate = raw.publish_windowed(url, args.events)
    if args.database == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            rate = relay_rate(url, f"sqlite:///{tmp}/relay.db", args.events)
    else:
        with postgres_database() as database_url:
            rate = relay_rate(url, database_url, args.events)
    rows = [("raw pika, window 1000", f"{raw_rate:,.0f} msg/s", ""),
            (f"outbox relay ({args.database})", f"{rate:,.0f} events/s", f"{rate / raw_rate:.2f}")]
    print_table(f"Relay: {args.events:,} outbox rows published with confirms", ["what", "rate", "ratio"], rows)
    write_results("relay", {"events": args.events, "database": args.database, "raw_msg_s": raw_rate,
                            "relay_events_s": rate, "ratio": rate / raw_rate, "goal": 0.7})


if __name__ == "__main__":
    main()

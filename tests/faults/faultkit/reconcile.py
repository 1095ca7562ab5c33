"""Reconciliation: every event each service wrote is in reporting exactly once, and the figures add up.

Read straight from the databases (a test may): each producer's outbox is what it
wrote; reporting's event store is what it kept; every consumer's inbox is what
it applied. An event applied twice would show as a repeated id in a store or an
inbox, as a second answer to one order or lead in a producer's outbox, or as a
funnel figure above the count of actions the test performed.
"""
from __future__ import annotations

import json
import time
from collections import Counter
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from shared.envelope import routing_key_of

PRODUCERS = ("leads", "orders", "inventory", "after_sales")
CONSUMERS = ("leads", "orders", "inventory", "after_sales", "reporting")
# Effects that must happen once per entity: (routing key, the data field naming the entity).
ONCE_PER_ENTITY = (("inventory.vehicle.reserved", "order_id"), ("orders.order.confirmed", "order_id"),
                   ("orders.order.delivered", "order_id"), ("leads.lead.converted", "lead_id"),
                   ("inventory.vehicle.delivered", "order_id"), ("orders.order.placed", "order_id"))


def rows(url: str, sql: str) -> list[Any]:
    """Run one query on a service's database with a connection of its own (no pool kept)."""
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            return list(conn.execute(text(sql)).all())
    finally:
        engine.dispose()


def outbox(url: str) -> list[tuple[str, str, bool]]:
    """(routing key, body, published) of every event a service wrote."""
    return [(r[0], r[1], r[2] is not None) for r in rows(url, "SELECT routing_key, body, published_at FROM outbox")]


def stored(url: str) -> tuple[Counter[tuple[str, str]], int]:
    """Reporting's event store: count per (service, routing key), and how many ids it holds twice."""
    counts: Counter[tuple[str, str]] = Counter()
    for source, event_type, number in rows(url, "SELECT source, event_type, count(*) FROM event_store "
                                                "GROUP BY source, event_type"):
        counts[(source.rsplit("/", 1)[-1], routing_key_of(event_type))] += int(number)
    twice = rows(url, "SELECT count(*) - count(DISTINCT source || ':' || event_id) FROM event_store")[0][0]
    return counts, int(twice)


def inbox_repeats(url: str) -> int:
    """Event ids a consumer's inbox holds more than once (its primary key should make this 0)."""
    return int(rows(url, "SELECT count(*) - count(DISTINCT source || ':' || event_id) FROM processed_events")[0][0])


def written(urls: dict[str, str]) -> tuple[Counter[tuple[str, str]], int, int]:
    """Per (service, routing key) the events the producers wrote; unpublished ones; repeated effects."""
    counts: Counter[tuple[str, str]] = Counter()
    pending = repeated = 0
    for service in PRODUCERS:
        if service not in urls:
            continue
        per_entity: Counter[tuple[str, str]] = Counter()
        for key, body, published in outbox(urls[service]):
            counts[(service, key)] += 1
            pending += not published
            for once_key, field in ONCE_PER_ENTITY:
                if key == once_key:
                    per_entity[(key, str(json.loads(body)["data"].get(field)))] += 1
        repeated += sum(n - 1 for n in per_entity.values() if n > 1)
    return counts, pending, repeated


def settle(urls: dict[str, str], extra: Counter[tuple[str, str]] | None = None, timeout: float = 240.0,
           quiet_for: float = 2.0) -> float:
    """Wait until every outbox is published and reporting holds as many events, steadily; returns seconds."""
    started = time.monotonic()
    deadline, last, steady_since = started + timeout, None, None
    while True:
        produced, pending, _ = written(urls)
        kept, _ = stored(urls["reporting"])
        state = (sum(produced.values()) + sum((extra or Counter()).values()), pending, sum(kept.values()))
        if pending == 0 and state[0] == state[2] and state == last:
            steady_since = steady_since or time.monotonic()
            if time.monotonic() - steady_since >= quiet_for:
                return steady_since - started
        else:
            steady_since = None
        if time.monotonic() > deadline:
            raise AssertionError(f"not settled after {timeout}s: written {state[0]}, unpublished {pending}, "
                                 f"in reporting {state[2]}")
        last = state
        time.sleep(0.5)


def reconcile(urls: dict[str, str], extra: Counter[tuple[str, str]] | None = None) -> dict[str, Any]:
    """The figures of the report: expected vs found per event type, lost, applied twice."""
    produced, pending, repeated_effects = written(urls)
    expected = produced + (extra or Counter())
    kept, store_twice = stored(urls["reporting"])
    inbox_twice = sum(inbox_repeats(urls[name]) for name in CONSUMERS if name in urls)
    by_type = {f"{service}:{key}": {"expected": expected[(service, key)], "found": kept[(service, key)]}
               for service, key in sorted(set(expected) | set(kept))}
    lost = sum(max(0, expected[k] - kept[k]) for k in expected)
    unexpected = sum(max(0, kept[k] - expected[k]) for k in kept)
    return {"events_expected": sum(expected.values()), "events_found": sum(kept.values()), "lost": lost,
            "unexpected": unexpected, "unpublished": pending, "duplicates_applied": store_twice + inbox_twice
            + repeated_effects, "store_repeats": store_twice, "inbox_repeats": inbox_twice,
            "repeated_effects": repeated_effects, "by_type": by_type}


def missing_from_reporting(urls: dict[str, str], before: datetime) -> int:
    """How many events written before ``before`` are not in reporting yet (0: caught up)."""
    written_ids: set[str] = set()
    for service in PRODUCERS:
        if service in urls:
            query = f"SELECT event_id FROM outbox WHERE created_at < '{_stamp(urls[service], before)}'"
            written_ids.update(r[0] for r in rows(urls[service], query))
    kept = {r[0] for r in rows(urls["reporting"], "SELECT event_id FROM event_store")}
    return len(written_ids - kept)


def wait_caught_up(urls: dict[str, str], before: datetime, timeout: float = 240.0) -> float:
    """Seconds until reporting holds every event written before ``before``."""
    started = time.monotonic()
    while missing_from_reporting(urls, before):
        if time.monotonic() - started > timeout:
            raise AssertionError(f"reporting still misses {missing_from_reporting(urls, before)} events "
                                 f"written before {before} after {timeout}s")
        time.sleep(0.5)
    return time.monotonic() - started


def unpublished(urls: dict[str, str]) -> int:
    """Events committed to the outboxes and not yet published."""
    return sum(int(rows(urls[s], "SELECT count(*) FROM outbox WHERE published_at IS NULL")[0][0])
               for s in PRODUCERS if s in urls)


def _stamp(url: str, moment: datetime) -> str:
    """A time literal the database compares right: SQLite keeps UTC text without an offset."""
    if url.startswith("sqlite"):
        return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    return moment.isoformat()


def wait_published(urls: dict[str, str], before: datetime, timeout: float = 240.0) -> float:
    """Seconds until every event written before ``before`` is published (the outboxes drained)."""
    started = time.monotonic()

    def waiting() -> int:
        return sum(int(rows(urls[s], f"SELECT count(*) FROM outbox WHERE published_at IS NULL "
                                     f"AND created_at < '{_stamp(urls[s], before)}'")[0][0])
                   for s in PRODUCERS if s in urls)

    while waiting():
        if time.monotonic() - started > timeout:
            raise AssertionError(f"{waiting()} events written before {before} still unpublished after {timeout}s")
        time.sleep(0.1)
    return time.monotonic() - started

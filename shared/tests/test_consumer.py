"""The idempotent consumer against the real broker, on SQLite and PostgreSQL."""
from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, select
from sqlalchemy.orm import Session

from dealer_testing import wait_for
from shared import dlq
from shared.consumer import EventConsumer
from shared.db import get_engine
from shared.envelope import make_event
from shared.publisher import ConfirmingPublisher, Outgoing

metadata = MetaData()
tally = Table("tally", metadata, Column("subject", String(60), primary_key=True), Column("n", Integer))


def count_once(session: Session, event: dict[str, Any]) -> None:
    """A handler whose effect shows how often it ran: tally[subject] += 1."""
    if event["data"].get("poison") and not POISON_FIXED.is_set():
        raise ValueError("payload the handler rejects")
    row = session.execute(select(tally.c.n).where(tally.c.subject == event["subject"])).scalar()
    if row is None:
        session.execute(tally.insert().values(subject=event["subject"], n=1))
    else:
        session.execute(tally.update().where(tally.c.subject == event["subject"]).values(n=row + 1))


POISON_FIXED = threading.Event()


@pytest.fixture
def consumer(settings, sessions) -> Iterator[EventConsumer]:
    metadata.create_all(get_engine(settings.database_url))
    POISON_FIXED.clear()
    worker = EventConsumer(settings, sessions, {"orders.order.placed": count_once})
    stop = threading.Event()
    thread = threading.Thread(target=worker.run, args=(stop,))
    thread.start()
    wait_for(worker.consuming.is_set, timeout=10, message="the consumer to subscribe")
    yield worker
    stop.set()
    thread.join(timeout=15)
    worker.publisher.close()


def publish(settings, events: list[dict[str, Any]]) -> None:
    publisher = ConfirmingPublisher(settings.amqp_url)
    try:
        confirmed = publisher.publish([
            Outgoing(settings.exchange, "orders.order.placed", json.dumps(e).encode(),
                     {"delivery_mode": 2, "content_type": "application/json"}) for e in events])
        assert all(confirmed)
    finally:
        publisher.close()


def tallies(sessions) -> dict[str, int]:
    with sessions() as session:
        return {row.subject: row.n for row in session.execute(select(tally))}


def placed(subject: str, **data: Any) -> dict[str, Any]:
    return make_event("orders", "orders.order.placed", subject, {"order_id": subject, **data})


def test_an_event_delivered_twice_is_applied_once(settings, sessions, consumer) -> None:
    event = placed("o-1")
    publish(settings, [event, event])
    publish(settings, [event])
    wait_for(lambda: consumer.applied >= 1, message="the event to be applied")
    publish(settings, [placed("o-2")])  # a later event proves the duplicates were consumed, not pending
    wait_for(lambda: tallies(sessions).get("o-2") == 1, message="the later event")
    assert tallies(sessions) == {"o-1": 1, "o-2": 1}


def test_a_batch_of_events_is_each_applied_exactly_once(settings, sessions, consumer) -> None:
    events = [placed(f"o-{n}") for n in range(500)]
    publish(settings, events + events[:100])
    wait_for(lambda: len(tallies(sessions)) == 500, timeout=30, message="500 events applied")
    assert set(tallies(sessions).values()) == {1}


def test_poison_event_is_retried_then_parked_and_the_queue_keeps_flowing(settings, sessions, consumer) -> None:
    poison = placed("o-poison", poison=True)
    publish(settings, [poison] + [placed(f"o-{n}") for n in range(20)])
    wait_for(lambda: len(tallies(sessions)) == 20, message="the events behind the poison")
    letters = wait_for(lambda: dlq.list_dead_letters(settings), timeout=15, message="the poison in the dead letters")
    assert [(d.event_id, d.attempts) for d in letters] == [(poison["id"], 3)]  # first try + 2 retries
    assert "payload the handler rejects" in letters[0].error
    assert "o-poison" not in tallies(sessions)

    POISON_FIXED.set()
    assert dlq.replay_dead_letters(settings) == 1
    wait_for(lambda: tallies(sessions).get("o-poison") == 1, message="the replayed event")
    assert dlq.list_dead_letters(settings) == []


def test_a_message_that_is_not_an_event_goes_to_the_dead_letters_at_once(settings, sessions, consumer) -> None:
    publisher = ConfirmingPublisher(settings.amqp_url)
    try:
        publisher.publish([Outgoing(settings.exchange, "orders.order.placed", b"{not json", {"delivery_mode": 2})])
    finally:
        publisher.close()
    letters = wait_for(lambda: dlq.list_dead_letters(settings), timeout=10, message="the bad message parked")
    assert letters[0].attempts == 1 and "not JSON" in letters[0].error

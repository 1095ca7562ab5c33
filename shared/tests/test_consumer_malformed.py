"""Messages no one should have sent: the consumer parks them, applies the rest, and never dies.

Against the real broker and SQLite / PostgreSQL, as shared/tests/test_consumer.py. Retry delays are the
test environment's ``DEALER_RETRY_DELAYS_MS=100,200``: a failing event is tried 3 times, then parked.
"""
from __future__ import annotations

import contextlib
import json
import logging
import threading
from collections.abc import Iterator
from typing import Any

import amqp
import pytest
from sqlalchemy import Column, ForeignKey, Integer, MetaData, String, Table, select
from sqlalchemy.orm import Session, sessionmaker

from dealer_testing import wait_for
from shared import broker, dlq
from shared.config import Settings
from shared.consumer import BatchHandler, EventConsumer
from shared.db import get_engine
from shared.envelope import make_event
from shared.publisher import ConfirmingPublisher, Outgoing

PHONE, ID_NUMBER = "13912345678", "110101199003074514"  # must never show in a header, a listing or a log
metadata = MetaData()
tally = Table("malformed_tally", metadata, Column("subject", String(60), primary_key=True), Column("n", Integer))
parents = Table("parents", metadata, Column("id", String(40), primary_key=True))
# A link checked only at commit: an event that writes a dangling one spoils its whole batch's transaction.
links = Table("links", metadata, Column("id", String(40), primary_key=True),
              Column("parent_id", String(40), ForeignKey("parents.id", deferrable=True, initially="DEFERRED")))


def apply_placed(session: Session, event: dict[str, Any]) -> None:
    """tally[subject] += 1; ``data.fail`` raises a KeyError naming a customer; ``data.dangling`` spoils the commit."""
    if event["data"].get("fail"):
        raise KeyError(f"no price list for customer {PHONE}, ID {ID_NUMBER}")
    if event["data"].get("dangling"):
        session.execute(links.insert().values(id=event["subject"], parent_id="nobody"))
    n = session.execute(select(tally.c.n).where(tally.c.subject == event["subject"])).scalar()
    if n is None:
        session.execute(tally.insert().values(subject=event["subject"], n=1))
    else:
        session.execute(tally.update().where(tally.c.subject == event["subject"]).values(n=n + 1))


def apply_batch(session: Session, events: list[dict[str, Any]]) -> None:
    """A service's batch handler: the whole batch at once."""
    for event in events:
        apply_placed(session, event)


@contextlib.contextmanager
def running(settings: Settings, sessions: sessionmaker[Session],
            batch_handler: BatchHandler | None = None) -> Iterator[tuple[EventConsumer, threading.Thread]]:
    """A consumer of ``orders.order.placed`` in a thread of its own, stopped afterwards."""
    metadata.create_all(get_engine(settings.database_url))
    worker = EventConsumer(settings, sessions, {"orders.order.placed": apply_placed}, batch_handler=batch_handler)
    stop = threading.Event()
    thread = threading.Thread(target=worker.run, args=(stop,))
    thread.start()
    try:
        wait_for(worker.consuming.is_set, timeout=10, message="the consumer to subscribe")
        yield worker, thread
    finally:
        stop.set()
        thread.join(timeout=15)
        worker.publisher.close()


def placed(subject: str, **data: Any) -> dict[str, Any]:
    return make_event("orders", "orders.order.placed", subject, {"order_id": subject, **data})


def message(body: bytes | dict[str, Any], headers: dict[str, Any] | None = None) -> Outgoing:
    """A message on ``orders.order.placed``, as any publisher on the exchange could send it."""
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    properties: dict[str, Any] = {"delivery_mode": 2, "content_type": "application/json"}
    if headers is not None:
        properties["application_headers"] = headers
    return Outgoing("", "", raw, properties)


def publish(settings: Settings, messages: list[Outgoing]) -> None:
    publisher = ConfirmingPublisher(settings.amqp_url)
    try:
        outgoing = [Outgoing(settings.exchange, "orders.order.placed", m.body, m.properties) for m in messages]
        assert all(publisher.publish(outgoing))
    finally:
        publisher.close()


def tallies(sessions: sessionmaker[Session]) -> dict[str, int]:
    with sessions() as session:
        return {row.subject: row.n for row in session.execute(select(tally))}


def parked(settings: Settings) -> list[amqp.Message]:
    """The raw messages in the dead-letter queue, left there (unacked, they return when the channel closes)."""
    conn = broker.connect(settings.amqp_url)
    try:
        channel = broker.raw_channel(conn)
        found = []
        while (got := channel.basic_get(settings.queue("dead"), no_ack=False)) is not None:
            found.append(got)
        return found
    finally:
        conn.close()


def with_(**changes: Any) -> dict[str, Any]:
    """A valid event with some fields replaced (``None`` removes the field)."""
    event = placed("o-bad")
    event.update(changes)
    return {k: v for k, v in event.items() if v is not None}


MALFORMED = {  # kind: (body, headers, what x-last-error must say)
    "body_not_json": (b"{not json, customer " + PHONE.encode(), None, "body is not JSON"),
    "body_not_utf8": (b"\xff\xfe\x00{" + PHONE.encode(), None, "body is not JSON"),
    "body_nested_too_deep": (b"[" * 100_000, None, "body is not JSON"),
    "json_array": (json.dumps([placed("o-bad")]).encode(), None, "envelope is not a JSON object"),
    "id_an_object": (with_(id={"phone": PHONE}), None, "id is not a non-empty string"),
    "id_too_long": (with_(id="x" * 37), None, "id is longer than 36 characters"),
    "source_a_number": (with_(source=7), None, "source is not a non-empty string"),
    "type_a_list": (with_(type=["dealer.orders.order.placed.v1"]), None, "type is not a non-empty string"),
    "type_not_dealer_form": (with_(type="orders.order.placed"), None, "type is not of the form"),
    "data_a_string": (with_(data=PHONE), None, "data is not an object"),
    "time_a_number": (with_(time=1700000000), None, "time is not a string"),
    "time_not_a_date": (with_(time="yesterday"), None, "time is not an ISO 8601 date-time"),
    "specversion_a_number": (with_(specversion=1.0), None, "specversion is not the string '1.0'"),
    "id_missing": (with_(id=None), None, "missing id"),
    "correlationid_an_object": (with_(correlationid={"a": 1}), None, "correlationid is not a string"),
    "x_attempt_text": (placed("o-bad"), {"x-attempt": "two"}, "x-attempt header is not an integer"),
    "x_attempt_absurd": (placed("o-bad"), {"x-attempt": 10**15}, "x-attempt header is not between 1 and 100"),
    "x_attempt_zero": (placed("o-bad"), {"x-attempt": 0}, "x-attempt header is not between 1 and 100"),
    "x_attempt_a_table": (placed("o-bad"), {"x-attempt": {"n": 1}}, "x-attempt header is not an integer"),
}


@pytest.mark.parametrize("kind", sorted(MALFORMED))
def test_a_malformed_message_is_parked_at_once_while_the_events_around_it_are_applied(
        settings, sessions, caplog, kind) -> None:
    caplog.set_level(logging.INFO, logger="dealer.consumer")
    body, headers, reason = MALFORMED[kind]
    bad = message(body, headers)
    with running(settings, sessions) as (worker, thread):
        publish(settings, [message(placed("o-before")), bad, message(placed("o-after"))])
        wait_for(lambda: len(tallies(sessions)) == 2, message="the events around the malformed one")
        letters = wait_for(lambda: dlq.list_dead_letters(settings), message="the malformed message parked")
        raw = parked(settings)
        assert thread.is_alive() and worker.consuming.is_set()
    assert tallies(sessions) == {"o-before": 1, "o-after": 1}
    assert worker.applied == 2
    assert len(letters) == 1 and letters[0].attempts == 1 and reason in letters[0].error, letters
    assert [m.body if isinstance(m.body, bytes) else m.body.encode() for m in raw] == [bad.body]
    assert reason in raw[0].properties["application_headers"]["x-last-error"]
    assert any(reason in r.getMessage() for r in caplog.records), "the log does not name the reason"
    assert PHONE not in caplog.text, "the log echoed the body"


def test_a_message_whose_headers_are_not_a_table_is_malformed(settings, sessions) -> None:
    # The wire always carries a table; a callback handed anything else must still queue it to park, not raise.
    worker = EventConsumer(settings, sessions, {"orders.order.placed": apply_placed})
    odd = amqp.Message(json.dumps(placed("o-1")).encode(), application_headers=["x-attempt", 1])
    odd.delivery_info = {"delivery_tag": 7}
    worker._receive(odd)
    [delivery] = worker._pending
    assert (delivery.tag, delivery.envelope, delivery.problem) == (7, None, "headers are not a table")


@pytest.mark.parametrize("batch_handler", [None, apply_batch], ids=["event_by_event", "batch_handler"])
def test_an_event_whose_handler_raises_any_exception_is_retried_then_parked_with_a_masked_reason(
        settings, sessions, caplog, batch_handler) -> None:
    caplog.set_level(logging.INFO, logger="dealer.consumer")
    bad = placed("o-bad", fail=True)
    with running(settings, sessions, batch_handler) as (_, thread):
        publish(settings, [message(placed("o-1")), message(bad), message(placed("o-2"))])
        letters = wait_for(lambda: dlq.list_dead_letters(settings), message="the failing event parked")
        raw = parked(settings)
        assert thread.is_alive()
    assert tallies(sessions) == {"o-1": 1, "o-2": 1}
    assert [(d.event_id, d.attempts) for d in letters] == [(bad["id"], 3)]  # first try + 2 retries
    header = raw[0].properties["application_headers"]["x-last-error"]
    for shown in (letters[0].error, header):
        assert shown.startswith("KeyError: ") and "139****5678" in shown and "110101********4514" in shown
        assert PHONE not in shown and ID_NUMBER not in shown
    assert PHONE not in caplog.text and ID_NUMBER not in caplog.text


@pytest.mark.parametrize("batch_handler", [None, apply_batch], ids=["event_by_event", "batch_handler"])
def test_a_batch_whose_commit_fails_is_split_until_the_spoiling_event_is_alone(
        settings, sessions, batch_handler) -> None:
    good = [placed(f"o-{n}") for n in range(40)]
    spoiler = placed("o-dangling", dangling=True)
    with running(settings, sessions, batch_handler) as (worker, thread):
        publish(settings, [message(e) for e in good[:20] + [spoiler] + good[20:]])
        wait_for(lambda: len(tallies(sessions)) == 40, timeout=30, message="the 40 good events")
        letters = wait_for(lambda: dlq.list_dead_letters(settings), timeout=15, message="the spoiling event parked")
        assert thread.is_alive()
    assert tallies(sessions) == {e["subject"]: 1 for e in good}
    assert worker.applied == 40
    assert [(d.event_id, d.attempts) for d in letters] == [(spoiler["id"], 3)]
    assert letters[0].error.startswith("IntegrityError: ")
    with sessions() as session:
        assert session.execute(select(links)).all() == []


def test_a_dead_letter_the_broker_cannot_route_is_sent_again_not_lost(settings, sessions, caplog) -> None:
    caplog.set_level(logging.INFO, logger="dealer.consumer")
    with running(settings, sessions) as (_, thread):
        conn = broker.connect(settings.amqp_url)
        try:
            broker.raw_channel(conn).queue_delete(settings.queue("dead"))  # parking now has nowhere to go
        finally:
            conn.close()
        publish(settings, [message(b"not an event")])
        wait_for(lambda: any("did not take" in r.getMessage() for r in caplog.records), timeout=15,
                 message="the consumer to see its dead letter returned")
        # Reconnecting, the consumer declares its queues again; the message it did not ack comes back.
        letters = wait_for(lambda: dlq.list_dead_letters(settings), timeout=15, message="the message parked")
        assert thread.is_alive()
    assert [(d.attempts, d.error) for d in letters] == [(1, "body is not JSON")]


def park_directly(settings: Settings, body: bytes, headers: dict[str, Any]) -> None:
    """A message in the dead-letter queue as an older consumer (or anyone) may have left it."""
    conn = broker.connect(settings.amqp_url)
    try:
        broker.declare_consumer_queues(broker.raw_channel(conn), settings, [])
    finally:
        conn.close()
    publisher = ConfirmingPublisher(settings.amqp_url)
    try:
        assert publisher.publish([Outgoing("", settings.queue("dead"), body, {
            "delivery_mode": 2, "application_headers": headers})]) == [True]
    finally:
        publisher.close()


def test_dlq_list_masks_personal_numbers_and_reads_any_parked_message(settings) -> None:
    park_directly(settings, json.dumps({"id": {"phone": PHONE}, "type": 5}).encode(),
                  {"x-attempt": "x", "x-last-error": f"IntegrityError: Key (phone)=({PHONE}) id {ID_NUMBER}"})
    park_directly(settings, json.dumps([1, 2]).encode(), {"x-attempt": 4, "x-last-error": 12})
    letters = dlq.list_dead_letters(settings)
    assert [(d.attempts, d.error, d.event_type) for d in letters] == [
        (0, "IntegrityError: Key (phone)=(139****5678) id 110101********4514", "5"), (3, "12", "?")]
    assert PHONE not in letters[0].event_id and "139****5678" in letters[0].event_id


def test_a_replay_sends_each_parked_message_once_even_when_it_is_parked_again_at_once(settings, sessions) -> None:
    with running(settings, sessions) as (_, thread):
        publish(settings, [message(b"not an event")])
        wait_for(lambda: dlq.list_dead_letters(settings), message="the message parked")
        assert dlq.replay_dead_letters(settings) == 1
        letters = wait_for(lambda: dlq.list_dead_letters(settings), message="the replayed message parked again")
        assert thread.is_alive()
    assert [(d.attempts, d.error) for d in letters] == [(1, "body is not JSON")]

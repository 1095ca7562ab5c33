"""Events no queue receives: returned by the broker (mandatory), kept unsent, counted, backed off, sent later.

Real broker, real SQLite and PostgreSQL. The test's subscriber queue is the probe service's
``events`` queue, bound only to the keys a test chooses, so every other key has no queue.
"""
from __future__ import annotations

import dataclasses
import json
import logging
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import amqp
import pytest
from prometheus_client import REGISTRY
from sqlalchemy import func, select

from dealer_testing import wait_for
from shared import broker
from shared.config import Settings, load_settings
from shared.envelope import make_event
from shared.outbox import OutboxEvent, record_event
from shared.publisher import ConfirmingPublisher, Outgoing

CREATED, LOST = "leads.lead.created", "leads.lead.lost"


@pytest.fixture
def probe_settings(dealer_env: dict[str, str]) -> Settings:
    """The probe service's broker names in the test's namespace (no database: for the publisher alone)."""
    return dataclasses.replace(load_settings("leads"), service="probe")


@pytest.fixture
def subscriber(probe_settings: Settings) -> Iterator[tuple[Callable[[str], None], Callable[[], list[amqp.Message]]]]:
    """(bind, take): bind the probe queue to one more key; take every message it holds now."""
    settings = probe_settings
    conn = broker.connect(settings.amqp_url)
    channel = broker.raw_channel(conn)
    broker.declare_exchange(channel, settings)
    name = settings.queue("events")
    channel.queue_declare(name, durable=True, auto_delete=False)

    def bind(key: str) -> None:
        channel.queue_bind(name, settings.exchange, key)

    def take() -> list[amqp.Message]:
        got = []
        while (message := channel.basic_get(name, no_ack=True)) is not None:
            got.append(message)
        return got

    yield bind, take
    channel.queue_delete(name)
    conn.close()


def write(sessions, key: str, count: int = 1, data: dict | None = None) -> list[str]:
    ids = []
    with sessions() as session:
        for n in range(count):
            event = make_event("leads", key, f"lead-{n}", data or {"n": n})
            record_event(session, event)
            ids.append(event["id"])
        session.commit()
    return ids


def unsent_ids(sessions) -> set[str]:
    with sessions() as session:
        return set(session.scalars(select(OutboxEvent.event_id).where(OutboxEvent.published_at.is_(None))))


def returned_count(routing_key: str) -> float:
    return REGISTRY.get_sample_value("dealer_outbox_unroutable_total",
                                     {"service": "probe", "routing_key": routing_key}) or 0.0


def ids_of(messages: list[amqp.Message]) -> list[str]:
    return [json.loads(m.body)["id"] for m in messages]


def test_publisher_reports_false_for_a_returned_message_and_lists_it_apart_from_a_refused_one(
        probe_settings: Settings, subscriber) -> None:
    settings = probe_settings
    bind, take = subscriber
    bind(CREATED)
    conn = broker.connect(settings.amqp_url)
    channel = broker.raw_channel(conn)
    full = settings.queue("dead")  # a queue that takes nothing: the broker nacks (refuses) what is sent to it
    channel.queue_declare(full, durable=True, auto_delete=False,
                          arguments={"x-max-length": 0, "x-overflow": "reject-publish"})
    publisher = ConfirmingPublisher(settings.amqp_url)
    try:
        messages = [Outgoing(settings.exchange, CREATED, b"{}", {"message_id": "a"}),
                    Outgoing(settings.exchange, LOST, b"{}", {"message_id": "b"}),
                    Outgoing("", full, b"{}", {"message_id": "c"}),
                    Outgoing(settings.exchange, CREATED, b"{}", {"message_id": "d"}),
                    Outgoing(settings.exchange, LOST, b"{}", {"message_id": "e"})]
        assert publisher.publish(messages) == [True, False, False, True, False]
        assert sorted(publisher.unroutable) == [1, 4]  # the refused one (2) is not among the unroutable
        assert [m.properties["message_id"] for m in take()] == ["a", "d"]

        assert publisher.publish(messages[:2], mandatory=False) == [True, True]  # dropped by the broker, unknown
        assert publisher.unroutable == []
    finally:
        publisher.close()
        channel.queue_delete(full)
        conn.close()


def test_an_event_no_queue_receives_stays_unsent_is_counted_and_is_sent_once_a_queue_binds_its_key(
        settings: Settings, sessions, subscriber, make_relay, caplog: pytest.LogCaptureFixture) -> None:
    bind, take = subscriber
    bind(CREATED)
    relay = make_relay(poll_interval=0.1, unroutable_backoff=(2.0, 2.0))
    before = returned_count(LOST)
    [lost] = write(sessions, LOST, data={"phone": "13812345678"})
    with caplog.at_level(logging.WARNING, logger="dealer.relay"):
        assert relay.publish_pending() == 0
    assert unsent_ids(sessions) == {lost}
    assert returned_count(LOST) == before + 1
    [line] = [r.getMessage() for r in caplog.records if r.name == "dealer.relay"]
    assert LOST in line and lost in line and "13812345678" not in line
    with sessions() as session:  # put off for the back-off (2 s): the next rounds skip it, no spinning
        until = session.scalar(select(OutboxEvent.claimed_until).where(OutboxEvent.event_id == lost))
    assert until is not None and (until if until.tzinfo else until.replace(tzinfo=UTC)) > datetime.now(UTC)
    assert relay.publish_pending() == 0
    assert returned_count(LOST) == before + 1

    bind("leads.lead.#")
    stop = threading.Event()
    thread = threading.Thread(target=relay.run, args=(stop,))
    thread.start()
    try:
        wait_for(lambda: not unsent_ids(sessions), timeout=15, message="the event to be sent after its key was bound")
    finally:
        stop.set()
        thread.join(timeout=10)
    assert ids_of(take()) == [lost]
    assert returned_count(LOST) == before + 1  # published for real this time: not counted again


def test_good_events_behind_an_unroutable_one_are_published_in_the_next_rounds(
        settings: Settings, sessions, subscriber, make_relay) -> None:
    bind, take = subscriber
    bind(CREATED)
    relay = make_relay(batch_size=2, unroutable_backoff=(30.0, 60.0))
    [lost] = write(sessions, LOST)
    created = write(sessions, CREATED, count=3)
    # Batches of two: [lost, created 1], then [created 2, created 3] - the put-off row takes no place.
    assert [relay.publish_pending() for _ in range(3)] == [1, 2, 0]
    assert ids_of(take()) == created
    assert unsent_ids(sessions) == {lost}


def test_every_return_counts_once_by_service_and_routing_key(settings: Settings, sessions, subscriber,
                                                             make_relay) -> None:
    bind, _ = subscriber
    bind(CREATED)
    reopened = "leads.lead.reopened"
    before = {LOST: returned_count(LOST), reopened: returned_count(reopened), CREATED: returned_count(CREATED)}
    write(sessions, LOST, count=2)
    write(sessions, reopened)
    write(sessions, CREATED)
    assert make_relay().publish_pending() == 1
    assert returned_count(LOST) == before[LOST] + 2
    assert returned_count(reopened) == before[reopened] + 1
    assert returned_count(CREATED) == before[CREATED]
    with sessions() as session:
        assert session.scalar(select(func.count()).where(OutboxEvent.published_at.is_(None))) == 3

"""Two workers on one queue: an event one of them commits while the other applies it is a duplicate, not a failure.

With replicas, a message unacked when a worker's connection drops is redelivered to the other worker
while the first may still be committing it. The second finds nothing in the inbox, applies the event,
and its inbox insert waits for the first one's commit and fails on the key. Here the "other worker"
commits the inbox row from its own connection in the middle of the handler, on PostgreSQL (where
two workers run at once; SQLite's write lock serialises them).
"""
from __future__ import annotations

import dataclasses
import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from shared.config import Settings, load_settings
from shared.consumer import Delivery, EventConsumer
from shared.db import SharedBase, dispose_engines, get_engine, session_factory
from shared.envelope import make_event
from shared.inbox import already_processed, mark_processed


@pytest.fixture
def settings(postgres_url: str, dealer_env: dict[str, str]) -> Settings:
    return dataclasses.replace(load_settings("leads"), service="probe", database_url=postgres_url)


@pytest.fixture
def sessions(settings: Settings) -> Iterator[sessionmaker[Session]]:
    SharedBase.metadata.create_all(get_engine(settings.database_url))
    yield session_factory(settings.database_url)
    dispose_engines()


def delivery(event: dict[str, Any]) -> Delivery:
    return Delivery(tag=1, body=json.dumps(event).encode(), headers={}, envelope=event, problem=None)


def test_an_event_the_other_worker_committed_meanwhile_is_skipped_not_sent_to_retry(
        settings: Settings, sessions: sessionmaker[Session]) -> None:
    event = make_event("orders", "orders.order.placed", str(uuid.uuid4()), {"order_id": "o-1"})
    handled: list[str] = []

    def handler(session: Session, envelope: dict[str, Any]) -> None:
        handled.append(envelope["id"])
        with sessions() as other, other.begin():  # the other worker commits the same event now
            mark_processed(other, envelope["source"], envelope["id"], envelope["type"])

    consumer = EventConsumer(settings, sessions, {"orders.order.placed": handler})
    failures = consumer._apply([delivery(event)])  # noqa: SLF001 - the batch step itself, without a broker

    assert failures == []  # nothing goes to a back-off queue or the dead letters
    assert consumer.applied == 0  # this worker's own effect was rolled back with its savepoint
    assert handled == [event["id"]]
    with sessions() as session:
        assert already_processed(session, [(event["source"], event["id"])]) == {(event["source"], event["id"])}


def test_a_handler_that_fails_on_its_own_is_still_a_failure(settings: Settings,
                                                            sessions: sessionmaker[Session]) -> None:
    event = make_event("orders", "orders.order.placed", str(uuid.uuid4()), {"order_id": "o-2"})

    def handler(session: Session, envelope: dict[str, Any]) -> None:
        raise ValueError("a payload the handler rejects")

    failures = EventConsumer(settings, sessions, {"orders.order.placed": handler})._apply([delivery(event)])  # noqa: SLF001
    assert [(d.envelope["id"], reason) for d, reason in failures] == [
        (event["id"], "ValueError: a payload the handler rejects")]

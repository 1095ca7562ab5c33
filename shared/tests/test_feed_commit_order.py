"""The event feed's cursor follows commit order (issue 11: "The feed never skips an event").

An outbox position is taken before commit; on PostgreSQL a transaction that commits late
holds a lower position than rows a reader has already passed. Feed positions are given
after commit, one assigner at a time, so a reader that keeps its cursor sees each event once.
"""
from __future__ import annotations

import dataclasses
import random
import threading
import time
from collections import Counter
from collections.abc import Iterator

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from dealer_testing import free_port, wait_for
from shared.config import Settings
from shared.db import SharedBase, dispose_engines, get_engine, session_factory
from shared.envelope import make_event
from shared.outbox import OutboxEvent, assign_feed_positions, read_feed, record_event


def write_one(sessions: sessionmaker[Session], n: int) -> str:
    """Commit one event; its id."""
    with sessions() as session:
        event = make_event("leads", "leads.lead.created", f"lead-{n}", {"n": n})
        record_event(session, event)
        session.commit()
    return str(event["id"])


def open_with_event(sessions: sessionmaker[Session], n: int) -> tuple[Session, str]:
    """A transaction that has written an event (its position is taken) and is still open."""
    session = sessions()
    event = make_event("leads", "leads.lead.created", f"held-{n}", {"n": n})
    record_event(session, event)
    session.flush()
    return session, str(event["id"])


def number(sessions: sessionmaker[Session]) -> int:
    """What the relay does first each round: number the committed rows, in a session of its own."""
    with sessions() as session:
        return assign_feed_positions(session)


def read(sessions: sessionmaker[Session], after: int) -> tuple[list[str], int]:
    """A page of the feed after a cursor: the event ids, and the next cursor."""
    with sessions() as session:
        items, cursor = read_feed(session, after, 10)
    return [item["id"] for item in items], cursor


def feed_positions(sessions: sessionmaker[Session]) -> dict[str, int | None]:
    with sessions() as session:
        return dict(session.execute(select(OutboxEvent.event_id, OutboxEvent.feed_position)).all())


@pytest.fixture
def pg_sessions(postgres_url: str) -> Iterator[sessionmaker[Session]]:
    SharedBase.metadata.create_all(get_engine(postgres_url))
    yield session_factory(postgres_url)
    dispose_engines()


def test_committed_rows_are_served_only_once_numbered_and_then_at_once_in_order(sessions) -> None:
    ids = [write_one(sessions, n) for n in range(3)]
    assert read(sessions, 0) == ([], 0)  # committed, not numbered yet: the cursor stays
    assert number(sessions) == 3
    assert read(sessions, 0) == (ids, 3)  # no settle delay: served the moment they are numbered
    assert number(sessions) == 0  # numbered once
    assert feed_positions(sessions) == {ids[0]: 1, ids[1]: 2, ids[2]: 3}


def test_a_row_committed_after_a_higher_position_gets_the_later_feed_position(pg_sessions) -> None:
    held, late = open_with_event(pg_sessions, 0)  # position 1, not committed
    early = write_one(pg_sessions, 1)  # position 2, committed first
    number(pg_sessions)
    first, cursor = read(pg_sessions, 0)
    held.commit()
    held.close()
    number(pg_sessions)
    assert (first, cursor) == ([early], 1)  # the reader passed position 2...
    assert read(pg_sessions, cursor) == ([late], 2)  # ...and still gets position 1, after it
    with pg_sessions() as session:
        positions = dict(session.execute(select(OutboxEvent.event_id, OutboxEvent.position)).all())
    assert positions == {late: 1, early: 2}


def test_the_assigner_skips_rows_a_publishing_relay_holds_locked_and_numbers_them_next_time(pg_sessions) -> None:
    first, second = write_one(pg_sessions, 0), write_one(pg_sessions, 1)
    relay = pg_sessions()  # as a relay publishing on PostgreSQL: the row locked until it is marked sent
    relay.execute(select(OutboxEvent.position).where(OutboxEvent.event_id == first).with_for_update()).all()
    done: list[int] = []
    assigner = threading.Thread(target=lambda: done.append(number(pg_sessions)))
    assigner.start()
    assigner.join(timeout=10)
    assert not assigner.is_alive(), "the assigner waited for the relay's lock"
    relay.rollback()
    relay.close()
    assert done == [1] and number(pg_sessions) == 1
    assert feed_positions(pg_sessions) == {second: 1, first: 2}


def test_many_writers_and_assigners_at_once_give_a_cursor_keeping_reader_every_event_once(database_url, sessions,
                                                                                          settings) -> None:
    postgres = database_url.startswith("postgresql")
    written: list[str] = []
    stop = threading.Event()

    def writer(seed: int) -> None:
        rng = random.Random(seed)
        for n in range(40):
            if postgres and n % 4 == 0:  # some commit late, after higher positions committed
                session, event_id = open_with_event(sessions, seed * 1000 + n)
                time.sleep(rng.uniform(0.01, 0.15))
                session.commit()
                session.close()
                written.append(event_id)
            else:
                written.append(write_one(sessions, seed * 1000 + n))

    def assigner() -> None:
        while not stop.is_set():
            number(sessions)

    writers = [threading.Thread(target=writer, args=(seed,)) for seed in range(4)]
    assigners = [threading.Thread(target=assigner) for _ in range(2)]
    for thread in writers + assigners:
        thread.start()
    seen: list[str] = []
    cursor = 0

    def read_on() -> bool:
        nonlocal cursor
        page, cursor = read(sessions, cursor)
        seen.extend(page)
        return not any(w.is_alive() for w in writers) and len(seen) >= len(written)

    try:
        wait_for(read_on, timeout=60, interval=0.005, message="the reader to reach every event")
    finally:
        stop.set()
        for thread in writers + assigners:
            thread.join(timeout=30)
    assert len(written) == 160
    assert Counter(seen) == Counter(written)  # each event once, none skipped
    numbers = feed_positions(sessions)
    assert sorted(numbers.values()) == list(range(1, 161))  # unique, and no gaps
    assert [numbers[event_id] for event_id in seen] == list(range(1, 161))  # served in feed order


def test_the_relay_numbers_the_feed_even_while_the_broker_is_down(settings: Settings, sessions) -> None:
    from shared.relay import OutboxRelay

    down = dataclasses.replace(settings, amqp_url=f"amqp://guest:guest@127.0.0.1:{free_port()}/")
    ids = [write_one(sessions, n) for n in range(2)]
    relay = OutboxRelay(down, sessions)
    try:
        with pytest.raises(ConnectionRefusedError):
            relay.publish_pending()
    finally:
        relay.close()
    with sessions() as session:
        unsent = session.scalars(select(OutboxEvent.event_id).where(OutboxEvent.published_at.is_(None))).all()
    assert read(sessions, 0) == (ids, 2)
    assert sorted(unsent) == sorted(ids)  # nothing was published: only the feed moved

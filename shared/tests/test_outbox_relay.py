"""The outbox and its relay against the real broker, on SQLite and PostgreSQL."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections import Counter

from sqlalchemy import func, select

from shared.envelope import make_event
from shared.outbox import OutboxEvent, assign_feed_positions, read_feed, record_event


def write(sessions, count: int) -> list[str]:
    ids = []
    with sessions() as session:
        for n in range(count):
            event = make_event("leads", "leads.lead.created", f"lead-{n}", {"n": n})
            record_event(session, event)
            ids.append(event["id"])
        session.commit()
    return ids


def unsent(sessions) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).where(OutboxEvent.published_at.is_(None)))


def test_relay_publishes_committed_events_as_persistent_cloudevents(settings, sessions, probe_queue,
                                                                    make_relay) -> None:
    ids = write(sessions, 3)
    assert make_relay().publish_pending() == 3
    messages = probe_queue(expected=3)
    bodies = [json.loads(m.body) for m in messages]
    assert [b["id"] for b in bodies] == ids
    assert all(m.properties["delivery_mode"] == 2 for m in messages)
    assert all(m.delivery_info["routing_key"] == "leads.lead.created" for m in messages)
    assert bodies[0]["specversion"] == "1.0" and bodies[0]["source"] == "/dealer/leads"
    assert unsent(sessions) == 0


def test_events_rolled_back_with_their_change_are_never_published(settings, sessions, probe_queue,
                                                                   make_relay) -> None:
    with sessions() as session:
        record_event(session, make_event("leads", "leads.lead.created", "x", {}))
        session.rollback()
    assert make_relay().publish_pending() == 0
    assert probe_queue(expected=0, timeout=0.3) == []


def test_relay_started_after_a_crash_publishes_each_pending_event_exactly_once(settings, sessions, probe_queue,
                                                                               make_relay) -> None:
    ids = write(sessions, 50)  # committed while no relay runs: as if it died before publishing
    env = {**os.environ, "LEADS_DATABASE_URL": settings.database_url}
    code = ("import dataclasses, sys; from shared.config import load_settings; from shared.db import session_factory;"
            "from shared.relay import OutboxRelay; s = dataclasses.replace(load_settings('leads'), service='probe');"
            "sys.exit(0 if OutboxRelay(s, session_factory(s.database_url)).publish_pending() == 50 else 1)")
    subprocess.run([sys.executable, "-c", code], env=env, check=True, timeout=60)
    published = [json.loads(m.body)["id"] for m in probe_queue(expected=50)]
    assert sorted(published) == sorted(ids)
    assert unsent(sessions) == 0


def test_relay_killed_after_publish_republishes_only_the_same_event_ids(settings, sessions, probe_queue,
                                                                        make_relay) -> None:
    ids = write(sessions, 20)
    env = {**os.environ, "LEADS_DATABASE_URL": settings.database_url, "DEALER_FAILPOINTS": "relay.after_publish"}
    code = ("import dataclasses; from shared.config import load_settings; from shared.db import session_factory;"
            "from shared.relay import OutboxRelay; s = dataclasses.replace(load_settings('leads'), service='probe');"
            "OutboxRelay(s, session_factory(s.database_url)).publish_pending()")
    crashed = subprocess.run([sys.executable, "-c", code], env=env, timeout=60)
    assert crashed.returncode == 137
    assert unsent(sessions) == 20  # published but never marked
    with sessions() as session:  # the dead relay's lease runs out
        session.execute(OutboxEvent.__table__.update().values(claimed_until=None))
        session.commit()
    assert make_relay().publish_pending() == 20
    published = Counter(json.loads(m.body)["id"] for m in probe_queue(expected=40))
    assert set(published) == set(ids) and set(published.values()) == {2}


def test_two_relays_together_publish_every_event_and_none_twice(settings, sessions, probe_queue, make_relay) -> None:
    ids = write(sessions, 3000)
    relays = [make_relay(batch_size=200) for _ in range(2)]
    counts = [0, 0]

    def drain(index: int) -> None:
        while (n := relays[index].publish_pending()):
            counts[index] += n

    threads = [threading.Thread(target=drain, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    published = Counter(json.loads(m.body)["id"] for m in probe_queue(expected=3000, timeout=30))
    assert set(published) == set(ids)
    assert max(published.values()) == 1
    assert sum(counts) == 3000


def test_running_relay_publishes_right_after_commit_without_waiting_for_its_poll(settings, sessions, probe_queue,
                                                                                  make_relay) -> None:
    from shared.outbox import wake_relay_after_commit

    relay = make_relay(poll_interval=30.0)
    wake_relay_after_commit(sessions, settings.relay_wake_addr)
    stop = threading.Event()
    thread = threading.Thread(target=relay.run, args=(stop,))
    thread.start()
    try:
        assert relay.listening.wait(timeout=5), "the relay never bound its poke address"
        ids = write(sessions, 1)
        got = probe_queue(expected=1, timeout=5)  # far less than the 30 s poll interval
        assert [json.loads(m.body)["id"] for m in got] == ids
    finally:
        stop.set()
        thread.join(timeout=10)


def test_feed_serves_events_in_order_with_a_cursor(settings, sessions) -> None:
    ids = write(sessions, 5)
    with sessions() as session:
        assign_feed_positions(session)  # the relay's first step each round
        first, cursor = read_feed(session, 0, 3)
        rest, end = read_feed(session, cursor, 10)
        again, same = read_feed(session, end, 10)
    assert [e["id"] for e in first + rest] == ids
    assert again == [] and same == end


def test_feed_holds_back_events_not_yet_given_a_feed_position(settings, sessions) -> None:
    write(sessions, 2)
    with sessions() as session:
        items, cursor = read_feed(session, 0, 10)
    assert items == [] and cursor == 0


def test_a_large_event_is_split_across_frames_and_arrives_whole(settings, sessions, probe_queue, make_relay) -> None:
    with sessions() as session:
        event = make_event("leads", "leads.lead.created", "big", {"notes": "长" * 200_000})
        record_event(session, event)
        session.commit()
    assert make_relay().publish_pending() == 1
    [message] = probe_queue(expected=1)
    assert json.loads(message.body) == event

"""A subscriber reading a department's feed over HTTP, keeping its cursor, gets every event once (issue 11).

Leads runs as real processes (gunicorn web, worker with the outbox relay) on a real database
and broker. On PostgreSQL a transaction that wrote an event, and so holds a lower outbox
position, stays open for 10 s while leads are filed and published; the subscriber reads the
feed all along. The feed used to count positions and skip that event for good once the
cursor had passed it; its feed position is now given when it commits, after the others.
"""
from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from dealer_testing import RunningService, json_of, token, wait_for
from dealer_testing.bus import subscriber_queue
from shared.config import load_settings
from shared.db import session_factory
from shared.envelope import make_event
from shared.outbox import OutboxEvent, record_event, wake_relay_after_commit

HOLD_SECONDS = 10.0


@pytest.fixture
def live_queue(dealer_env: dict[str, str]) -> Iterator[str]:
    """The subscriber's own queue on the bus, bound to every event: the relay has somewhere to publish."""
    with subscriber_queue(load_settings("leads"), "subscriber.all", ["#"]) as (_channel, name):
        yield name


def lead(n: int) -> dict[str, str]:
    return {"name": f"Feed Reader {n}", "phone": f"1391{n:07d}", "source": "phone_in", "model_interest": "Aurora",
            "level": "B"}


class Subscriber:
    """An outside system catching up from the feed: it keeps ``next`` and asks again with it."""

    def __init__(self, service: RunningService) -> None:
        self.url, self.after, self.seen = f"{service.url}/api/v1/events", 0, []
        self.headers = token("service", "subscriber")

    def read(self) -> list[str]:
        """Read pages until an empty one; every event id read so far."""
        while True:
            page = json_of(requests.get(self.url, params={"after": self.after, "limit": 7}, headers=self.headers,
                                        timeout=10))
            if not page["items"]:
                return self.seen
            self.seen += [event["id"] for event in page["items"]]
            self.after = int(page["next"])


class Clerks:
    """Consultants filing leads over HTTP, one after another on each thread, until stopped."""

    def __init__(self, service: RunningService, threads: int) -> None:
        self.url, self.stop, self.statuses = f"{service.url}/api/v1/leads", threading.Event(), Counter[int]()
        self.threads = [threading.Thread(target=self._file, args=(n,)) for n in range(threads)]
        for thread in self.threads:
            thread.start()

    def _file(self, clerk: int) -> None:
        n = clerk * 100_000
        while not self.stop.is_set():
            n += 1
            answer = requests.post(self.url, json=lead(n), headers=token("consultant", f"c{clerk}"), timeout=30)
            self.statuses[answer.status_code] += 1

    def finish(self) -> Counter[int]:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=60)
        return self.statuses


def outbox(sessions: sessionmaker[Session]) -> dict[str, Any]:
    """Every event id the service wrote, with its outbox position."""
    with sessions() as session:
        return dict(session.execute(select(OutboxEvent.event_id, OutboxEvent.position)).all())


def unsent(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        return int(session.scalar(select(func.count()).where(OutboxEvent.published_at.is_(None))) or 0)


def read_to_the_end(subscriber: Subscriber, sessions: sessionmaker[Session]) -> list[str]:
    """Read on until the subscriber has read as many events as the outbox holds, and all are published."""
    return wait_for(lambda: len(subscriber.read()) >= len(outbox(sessions)) and unsent(sessions) == 0
                    and subscriber.seen, timeout=30, interval=0.1, message="the feed to serve every event")


def test_a_cursor_keeping_reader_gets_an_event_committed_10s_late_below_its_cursor_once(start_service, postgres_url,
                                                                                       live_queue) -> None:
    leads = start_service("leads", postgres_url)
    sessions = session_factory(postgres_url)
    wake_relay_after_commit(sessions, load_settings("leads").relay_wake_addr)
    subscriber = Subscriber(leads)
    assert requests.post(f"{leads.url}/api/v1/leads", json=lead(0), headers=token("consultant", "c0"),
                         timeout=30).status_code == 201
    wait_for(subscriber.read, timeout=30, message="the worker's relay to number the first lead's events")

    held = sessions()  # an event written, its position taken, the transaction left open
    late = make_event("leads", "leads.lead.created", "late-lead", {"note": "committed 10 s late"})
    record_event(held, late)
    held.flush()
    clerks = Clerks(leads, threads=2)
    during: list[int] = []
    held_until = time.monotonic() + HOLD_SECONDS
    while time.monotonic() < held_until:  # the subscriber reads on all along, four times a second
        during.append(len(subscriber.read()))
        assert late["id"] not in subscriber.seen
        time.sleep(0.25)
    statuses = clerks.finish()
    published_meanwhile = len(outbox(sessions)) - 1 - unsent(sessions)
    # The clerks' last events may still wait for a relay round; one round numbers what it finds by position, so
    # the late event is committed once the others are numbered: then commit order and feed order must agree.
    wait_for(lambda: unsent(sessions) == 0, timeout=30, interval=0.1, message="the clerks' events to be published")
    held.commit()
    held.close()

    seen = read_to_the_end(subscriber, sessions)
    positions = outbox(sessions)
    assert set(statuses) == {201} and statuses[201] >= 10
    assert during[-1] > during[0] and published_meanwhile > during[0]  # the feed and the relay went on meanwhile
    assert positions[late["id"]] < max(positions.values())  # it was below events the reader had passed...
    assert Counter(seen) == Counter(list(positions))  # ...and still every event is read, each once
    assert seen[-1] == late["id"]  # in commit order: the late event last


def test_on_sqlite_a_cursor_keeping_reader_gets_every_event_once_in_commit_order(start_service, live_queue) -> None:
    leads = start_service("leads")
    url = leads.env["LEADS_DATABASE_URL"]
    sessions = session_factory(url)
    subscriber = Subscriber(leads)
    clerks = Clerks(leads, threads=2)
    wait_for(lambda: len(subscriber.read()) >= 40, timeout=60, interval=0.1, message="forty events read")
    statuses = clerks.finish()
    seen = read_to_the_end(subscriber, sessions)
    positions = outbox(sessions)
    assert set(statuses) == {201}
    assert Counter(seen) == Counter(list(positions))
    assert [positions[event_id] for event_id in seen] == sorted(positions.values())  # SQLite commits in position order

"""A broker that blocks publishing or goes silent: the publisher notices, the relay gives its rows back.

A silent broker is a TCP proxy on 127.0.0.1 in front of the real RabbitMQ that stops
forwarding in both directions while paused (what a hung broker or a dead network path
looks like from the client). A blocked broker is RabbitMQ's ``connection.blocked``
(a memory or disk alarm), which the shared broker cannot be made to raise: the test
dispatches that method to the connection the way py-amqp does when the frame arrives.
"""
from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import socket
import threading
import time
from collections.abc import Callable, Iterator
from urllib.parse import urlsplit, urlunsplit

import amqp
import pytest
from sqlalchemy import select

from dealer_testing import wait_for
from shared import broker
from shared.config import Settings
from shared.envelope import make_event
from shared.outbox import OutboxEvent, record_event
from shared.publisher import ConfirmingPublisher, Outgoing, PublishAborted
from shared.relay import OutboxRelay


class PausableProxy:
    """Forwards TCP connections to ``target``; while paused, holds every byte in both directions."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.flowing = threading.Event()
        self.flowing.set()
        self.closed = threading.Event()
        self.server = socket.create_server(("127.0.0.1", 0))
        self.server.settimeout(0.2)
        self.port = self.server.getsockname()[1]
        self.sockets: list[socket.socket] = []
        self.threads = [threading.Thread(target=self._accept, daemon=True)]
        self.threads[0].start()

    def pause(self) -> None:
        self.flowing.clear()

    def resume(self) -> None:
        self.flowing.set()

    def close(self) -> None:
        self.closed.set()
        self.flowing.set()
        for thread in self.threads:
            thread.join(timeout=5)
        for sock in [self.server, *self.sockets]:
            sock.close()

    def _accept(self) -> None:
        while not self.closed.is_set():
            try:
                client, _ = self.server.accept()
            except TimeoutError:
                continue
            upstream = socket.create_connection(self.target, timeout=5)
            self.sockets += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                source.settimeout(0.2)
                thread = threading.Thread(target=self._pump, args=(source, sink), daemon=True)
                self.threads.append(thread)
                thread.start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        """Copy until either side closes; a chunk read while paused waits for ``resume``."""
        while not self.closed.is_set():
            if not self.flowing.wait(timeout=0.2):
                continue
            try:
                data = source.recv(65536)
            except TimeoutError:
                continue
            except OSError:
                data = b""
            while not self.flowing.wait(timeout=0.2) and not self.closed.is_set():
                pass
            try:
                if not data:
                    sink.shutdown(socket.SHUT_WR)
                    return
                sink.sendall(data)
            except OSError:
                return


@pytest.fixture
def proxy(amqp_url: str) -> Iterator[PausableProxy]:
    parts = urlsplit(amqp_url)
    running = PausableProxy((parts.hostname or "127.0.0.1", parts.port or 5672))
    yield running
    running.close()


@pytest.fixture
def queue(dealer_env: dict[str, str], amqp_url: str) -> Iterator[tuple[str, Callable[[], list[amqp.Message]]]]:
    """(name, take): a queue of the test's namespace, fed through the default exchange; take drains it."""
    conn = broker.connect(amqp_url)
    channel = broker.raw_channel(conn)
    name = f"{dealer_env['DEALER_NAMESPACE']}probe.events"  # a name the namespace clean-up knows
    channel.queue_declare(name, durable=True, auto_delete=False)

    def take() -> list[amqp.Message]:
        got = []
        while (message := channel.basic_get(name, no_ack=True)) is not None:
            got.append(message)
        return got

    yield name, take
    channel.queue_delete(name)
    conn.close()


def through(url: str, proxy: PausableProxy) -> str:
    parts = urlsplit(url)
    credentials = parts.netloc.rsplit("@", 1)[0] + "@" if "@" in parts.netloc else ""
    return urlunsplit(parts._replace(netloc=f"{credentials}127.0.0.1:{proxy.port}"))


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
        return len(session.scalars(select(OutboxEvent.position).where(OutboxEvent.published_at.is_(None))).all())


def held_by_a_relay(sessions) -> int:
    """Unsent rows some relay holds: leased (SQLite) or locked (PostgreSQL), so no other relay may take them."""
    with sessions() as session, session.begin():
        unsent_rows = select(OutboxEvent.position).where(OutboxEvent.published_at.is_(None))
        if session.get_bind().dialect.name == "sqlite":
            return len(session.scalars(unsent_rows.where(OutboxEvent.claim_token.is_not(None))).all())
        free = session.scalars(unsent_rows.with_for_update(skip_locked=True)).all()
        return len(session.scalars(unsent_rows).all()) - len(free)


def simulate_connection_blocked(publisher: ConfirmingPublisher) -> None:
    """What py-amqp does on receiving RabbitMQ's ``connection.blocked`` frame (its method handler)."""
    assert publisher._conn is not None, "the publisher has not connected yet"
    publisher._conn.connection._on_blocked()


def proxied_relay(settings: Settings, sessions, proxy: PausableProxy) -> OutboxRelay:
    """A relay that reaches the broker through the proxy, with a 1 s bound on the wait for confirms."""
    return OutboxRelay(dataclasses.replace(settings, amqp_url=through(settings.amqp_url, proxy)), sessions,
                       confirm_timeout=1.0, poll_interval=0.1)


def relay_thread(relay: OutboxRelay) -> tuple[threading.Event, threading.Thread]:
    stop = threading.Event()
    thread = threading.Thread(target=relay.run, args=(stop,))
    thread.start()
    return stop, thread


def test_a_publisher_told_it_is_blocked_stops_at_once_and_publishes_again_on_a_new_connection(
        amqp_url: str, queue) -> None:
    name, take = queue
    publisher = ConfirmingPublisher(amqp_url)
    message = Outgoing("", name, b"{}", {"message_id": "m"})
    try:
        assert publisher.publish([message]) == [True]
        simulate_connection_blocked(publisher)
        started = time.monotonic()
        with pytest.raises(PublishAborted, match="blocks publishing"):
            publisher.publish([message] * 3)
        assert time.monotonic() - started < 1.0
        assert len(take()) == 1  # only the first: nothing was sent while blocked
        assert publisher.publish([message]) == [True]  # the next call opened a new connection
        assert len(take()) == 1
    finally:
        publisher.close()


def test_a_relay_whose_broker_blocks_gives_its_rows_back_for_another_relay_at_once(
        settings: Settings, sessions, probe_queue, make_relay) -> None:
    blocked = make_relay()
    write(sessions, 1)
    assert blocked.publish_pending() == 1
    simulate_connection_blocked(blocked.publisher)
    ids = write(sessions, 3)
    with pytest.raises(PublishAborted):
        blocked.publish_pending()
    assert unsent(sessions) == 3
    assert make_relay().publish_pending() == 3  # neither leased (SQLite) nor locked (PostgreSQL) any more
    assert [json.loads(m.body)["id"] for m in probe_queue(expected=4)][1:] == ids


def test_a_relay_cut_off_by_a_silent_broker_gives_its_rows_back_within_the_confirm_timeout(
        settings: Settings, sessions, probe_queue, make_relay, proxy: PausableProxy) -> None:
    silent = proxied_relay(settings, sessions, proxy)
    stop, thread = relay_thread(silent)
    try:
        write(sessions, 1)
        wait_for(lambda: unsent(sessions) == 0, timeout=10, message="the first event through the proxy")
        proxy.pause()
        ids = write(sessions, 3)
        wait_for(lambda: held_by_a_relay(sessions) == 3, timeout=10, message="the silent relay to take the rows")
        other = make_relay()  # straight to the broker
        taken: list[int] = []
        # Well within the 30 s lease and the old 30 s confirm wait: the rows come back after about 1 s.
        wait_for(lambda: taken.append(other.publish_pending()) or sum(taken) == 3, timeout=10, interval=0.2,
                 message="the silent relay's rows to be taken by another relay")
        assert set(ids) <= {json.loads(m.body)["id"] for m in probe_queue(expected=4)}
    finally:
        stop.set()
        proxy.resume()
        thread.join(timeout=15)
    assert not thread.is_alive()


def test_a_relay_cut_off_by_a_silent_broker_publishes_its_rows_once_the_broker_answers_again(
        settings: Settings, sessions, probe_queue, make_relay, proxy: PausableProxy,
        caplog: pytest.LogCaptureFixture) -> None:
    relay = proxied_relay(settings, sessions, proxy)
    stop, thread = relay_thread(relay)
    try:
        with caplog.at_level(logging.WARNING, logger="dealer.relay"):
            write(sessions, 1)
            wait_for(lambda: unsent(sessions) == 0, timeout=10, message="the first event through the proxy")
            proxy.pause()
            ids = write(sessions, 3)
            wait_for(lambda: any("cannot publish" in r.getMessage() for r in caplog.records), timeout=10,
                     message="the relay to give up on the silent broker")
            assert unsent(sessions) == 3
            proxy.resume()
            wait_for(lambda: unsent(sessions) == 0, timeout=30, message="the rows published after the broker is back")
    finally:
        stop.set()
        thread.join(timeout=15)
    published = [json.loads(m.body)["id"] for m in probe_queue(expected=4)]
    assert set(ids) <= set(published)  # at least once: what the silent round had sent may arrive too


def test_a_send_the_broker_does_not_take_fails_within_the_write_timeout(amqp_url: str, queue,
                                                                        proxy: PausableProxy) -> None:
    name, _ = queue
    publisher = ConfirmingPublisher(through(amqp_url, proxy), write_timeout=1.0, confirm_timeout=60.0)
    outcome: list[BaseException | list[bool]] = []
    big = Outgoing("", f"{name}.nowhere", b"x" * 1_000_000, {"message_id": "m"})  # dropped if it ever arrives

    def publish() -> None:
        try:
            outcome.append(publisher.publish([big] * 32))  # 32 MB: more than the socket buffers between hold
        except Exception as exc:  # noqa: BLE001 - the outcome is what the test checks
            outcome.append(exc)

    assert publisher.publish([Outgoing("", name, b"{}", {})]) == [True]
    proxy.pause()
    thread = threading.Thread(target=publish, daemon=True)
    thread.start()
    try:
        wait_for(lambda: outcome, timeout=15, message="the publish to give up writing")
    finally:
        proxy.resume()
        with contextlib.suppress(Exception):
            publisher.close()
    [result] = outcome
    assert isinstance(result, PublishAborted) and "took no data" in str(result)


def test_an_idle_publisher_notices_a_silent_broker_by_its_missing_heartbeats_and_reconnects(
        amqp_url: str, queue, proxy: PausableProxy) -> None:
    name, take = queue
    publisher = ConfirmingPublisher(through(amqp_url, proxy), heartbeat=1)
    message = Outgoing("", name, b"{}", {"message_id": "m"})
    try:
        assert publisher.publish([message]) == [True]
        proxy.pause()
        started = time.monotonic()
        wait_for(lambda: publisher.keepalive() or publisher._conn is None, timeout=10, interval=0.2,
                 message="the missing heartbeats to be noticed")
        assert time.monotonic() - started >= 2.0  # not before two heartbeat intervals went unanswered
        proxy.resume()
        assert publisher.publish([message]) == [True]
        assert len(take()) == 2
    finally:
        publisher.close()

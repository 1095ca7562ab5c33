"""Fixtures for the kernel's own tests: a database with the shared tables, a probe queue."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import amqp
import pytest
from sqlalchemy.orm import Session, sessionmaker

from shared import broker
from shared.config import Settings, load_settings
from shared.db import SharedBase, dispose_engines, get_engine, session_factory


@pytest.fixture
def settings(database_url: str, dealer_env: dict[str, str]) -> Settings:
    """Settings of a pretend service 'probe' on a fresh database and an isolated broker namespace."""
    import dataclasses

    return dataclasses.replace(load_settings("leads"), service="probe", database_url=database_url)


@pytest.fixture
def sessions(settings: Settings) -> Iterator[sessionmaker[Session]]:
    SharedBase.metadata.create_all(get_engine(settings.database_url))
    yield session_factory(settings.database_url)
    dispose_engines()


@pytest.fixture
def probe_queue(settings: Settings) -> Iterator[Callable[..., list[amqp.Message]]]:
    """A queue bound to every event of the test's exchange; returns a drain function."""
    conn = broker.connect(settings.amqp_url)
    channel = broker.raw_channel(conn)
    broker.declare_exchange(channel, settings)
    name = f"{settings.namespace}probe.all"
    channel.queue_declare(name, durable=True, auto_delete=False)
    channel.queue_bind(name, settings.exchange, "#")

    def drain(expected: int = 0, timeout: float = 10.0) -> list[amqp.Message]:
        import time

        got: list[amqp.Message] = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            message = channel.basic_get(name, no_ack=True)
            if message is None:
                if len(got) >= expected:
                    break
                time.sleep(0.02)
                continue
            got.append(message)
        return got

    yield drain
    channel.queue_delete(name)
    conn.close()


def make_events(count: int, key: str = "leads.lead.created") -> list[dict[str, Any]]:
    from shared.envelope import make_event

    return [make_event("leads", key, f"lead-{n}", {"n": n}) for n in range(count)]


@pytest.fixture
def make_relay(settings: Settings, sessions: sessionmaker[Session]) -> Iterator[Callable[..., Any]]:
    """Relays for the test's service, closed afterwards."""
    from shared.relay import OutboxRelay

    made: list[OutboxRelay] = []

    def make(**kwargs: Any) -> OutboxRelay:
        made.append(OutboxRelay(settings, sessions, **kwargs))
        return made[-1]

    yield make
    for relay in made:
        relay.close()

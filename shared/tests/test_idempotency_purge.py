"""Every service's worker purges idempotency keys older than their lifetime (a day), and keeps younger ones."""
from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path

from sqlalchemy import MetaData, select
from sqlalchemy.orm import Session, sessionmaker

from dealer_testing import wait_for
from shared.clock import utcnow
from shared.config import Settings
from shared.service import ServiceSpec
from shared.web.idempotency import IdempotencyKey, purge_expired
from shared.worker import start_threads


def keys_aged(sessions: sessionmaker[Session], **ages: timedelta) -> None:
    with sessions() as session, session.begin():
        session.add_all(IdempotencyKey(scope=scope, status=201, body="{}", created_at=utcnow() - age)
                        for scope, age in ages.items())


def scopes(sessions: sessionmaker[Session]) -> set[str]:
    with sessions() as session:
        return set(session.scalars(select(IdempotencyKey.scope)))


def test_the_worker_of_a_service_without_jobs_of_its_own_purges_keys_older_than_a_day(
        settings: Settings, sessions: sessionmaker[Session]) -> None:
    keys_aged(sessions, expired=timedelta(hours=25), young=timedelta(hours=23), new=timedelta(0))
    spec = ServiceSpec(name="probe", app_factory="probe:app", metadata=MetaData(), migrations=Path("."))
    stop = threading.Event()
    threads = start_threads(spec, settings, stop)
    try:
        wait_for(lambda: scopes(sessions) == {"young", "new"}, timeout=15, message="the expired key purged")
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)


def test_purging_deletes_only_keys_past_the_cutoff_and_counts_them(sessions: sessionmaker[Session]) -> None:
    keys_aged(sessions, **{f"old{n}": timedelta(days=2, minutes=n) for n in range(3)}, fresh=timedelta(hours=1))
    with sessions() as session, session.begin():
        purged = purge_expired(session)
    assert (purged, scopes(sessions)) == (3, {"fresh"})

"""Database engines and sessions: one engine per URL, one session per request or batch.

SQLite is the embedded default, so it gets the settings that make it safe for
several processes (WAL, a busy timeout, and write transactions that take the
lock up front instead of failing half-way through).
"""
from __future__ import annotations

import sqlite3
import threading
import time
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

_engines: dict[tuple[str, float], Engine] = {}
_lock = threading.Lock()
# How long a writer waits for SQLite's lock. A worker may wait its turn; a web request
# gives up sooner, so a stuck writer costs callers a quick 503, not a hung request
# that gunicorn kills at its 30 s timeout; and once one gave up, the next ones of that
# process try without waiting (for STUCK_FOR seconds, or until one gets the lock).
LOCK_WAIT = 30.0
WEB_LOCK_WAIT = 2.0
STUCK_FOR = 5.0


class SharedBase(DeclarativeBase):
    """Tables every service has in its own database: outbox, inbox, idempotency keys."""


def _tune_sqlite(engine: Engine, lock_wait: float) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # let SQLAlchemy's BEGIN below decide
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={int(lock_wait * 1000)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    stuck_until = [0.0]  # a short-waiting engine that just found the lock stuck stops waiting for it a while

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # Take the write lock at BEGIN: a deferred transaction that reads and then
        # writes can fail with "database is locked" instead of waiting its turn.
        quick = lock_wait < LOCK_WAIT and time.monotonic() < stuck_until[0]
        # Try without waiting when stuck: callers get their 503 at once, not one by one after each wait.
        busy_ms = int(lock_wait * 1000)
        if not _take_write_lock(connection.connection.driver_connection, 0.0 if quick else lock_wait, busy_ms):
            connection.exec_driver_sql("PRAGMA busy_timeout=0")
            try:
                connection.exec_driver_sql("BEGIN IMMEDIATE")  # a last try; raises the usual error
            except OperationalError:
                stuck_until[0] = time.monotonic() + STUCK_FOR
                raise
            finally:
                connection.exec_driver_sql(f"PRAGMA busy_timeout={busy_ms}")
        stuck_until[0] = 0.0


def _take_write_lock(raw: sqlite3.Connection, wait: float, busy_ms: int) -> bool:
    """``BEGIN IMMEDIATE``, retried every fraction of a millisecond for up to ``wait`` seconds.

    SQLite's own busy handler sleeps 1, 2, 5, 10 ... 100 ms between tries. A request holds
    the write lock for about a millisecond, so a writer that missed it once slept far longer
    than the lock was held, and under load the lock stood idle while every writer slept.
    False when the lock stayed taken (or any other error: the caller's last try reports it).
    """
    deadline, pause = time.monotonic() + wait, 0.0001
    raw.execute("PRAGMA busy_timeout=0")
    try:
        while True:
            try:
                raw.execute("BEGIN IMMEDIATE")
                return True
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc):
                    return False
            if time.monotonic() + pause > deadline:
                return False
            time.sleep(pause)
            pause = min(pause * 2, 0.002)
    finally:
        raw.execute(f"PRAGMA busy_timeout={busy_ms}")


def get_engine(url: str, lock_wait: float = LOCK_WAIT) -> Engine:
    """The process-wide engine for a database URL (created once, after any fork)."""
    with _lock:
        engine = _engines.get((url, lock_wait))
        if engine is None:
            engine = _create(url, lock_wait)
            _engines[(url, lock_wait)] = engine
        return engine


def _create(url: str, lock_wait: float) -> Engine:
    """An engine whose errors never quote bound parameters: a row's phone must not reach a log or an answer."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": lock_wait, "check_same_thread": False},
                               hide_parameters=True)
        _tune_sqlite(engine, lock_wait)
        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    engine = create_engine(
        url, pool_size=5, max_overflow=10, pool_pre_ping=True, pool_timeout=5, hide_parameters=True,
        connect_args={"connect_timeout": 3},
    )
    event.listen(engine, "connect", _send_lists_in_binary)
    return engine


def _send_lists_in_binary(dbapi_connection: Any, _record: Any) -> None:
    """Send Python lists (array parameters) in PostgreSQL's binary format.

    psycopg's text format escapes every element of an array with a regular
    expression; batch writes pass one array per column, and that escaping took
    half their time. The binary format copies the elements as they are.
    """
    from psycopg.types.array import ListBinaryDumper

    dbapi_connection.adapters.register_dumper(list, ListBinaryDumper)


def session_factory(url: str, lock_wait: float = LOCK_WAIT) -> sessionmaker[Session]:
    """Sessions bound to the engine for ``url``; objects stay readable after commit."""
    return sessionmaker(bind=get_engine(url, lock_wait), expire_on_commit=False)


def dispose_engines() -> None:
    """Forget every engine (after a fork, or between tests)."""
    with _lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()


def is_postgres(session: Session) -> bool:
    """True when the session talks to PostgreSQL (some statements differ)."""
    return session.get_bind().dialect.name == "postgresql"

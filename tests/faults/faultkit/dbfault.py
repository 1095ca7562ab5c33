"""Making one service's database unavailable without touching the shared PostgreSQL server.

PostgreSQL: the database refuses new connections (``ALLOW_CONNECTIONS false``) and
its open ones are terminated; the server and every other database run on.
SQLite: the test holds the file's write lock (``BEGIN EXCLUSIVE``), as a stuck
writer would. Both are undone in ``finally``, whatever happens.
"""
from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator

import psycopg


@contextlib.contextmanager
def postgres_database_refused(admin_url: str, url: str) -> Iterator[None]:
    """While inside, the database at ``url`` accepts no connection and has none open."""
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS false')
        try:
            admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                          "WHERE datname = %s AND pid <> pg_backend_pid()", (name,))
            yield
        finally:
            admin.execute(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS true')


@contextlib.contextmanager
def sqlite_write_locked(url: str) -> Iterator[None]:
    """While inside, the test holds the SQLite file's write lock; every writer waits or gives up."""
    path = url.removeprefix("sqlite:///")
    conn = sqlite3.connect(path, timeout=30, isolation_level=None)
    try:
        conn.execute("BEGIN EXCLUSIVE")
        try:
            yield
        finally:
            conn.execute("ROLLBACK")
    finally:
        conn.close()

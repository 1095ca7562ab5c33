"""Many rows in one short statement on PostgreSQL: one array parameter per column (``unnest``).

A multi-row ``VALUES`` list makes a statement as long as its batch, and psycopg parses
every statement longer than a few kilobytes anew (it caches only short ones): for a
consumer writing batches of hundreds of rows that parsing took a tenth of its time.
With one array per column the statement is short, the same for every batch, and
parsed once.
"""
from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from sqlalchemy import Row, Table, TextClause, TextualSelect, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session


def _array(table: Table, column: str, parameter: str) -> str:
    """The parameter cast to an array of the column's type (``CAST(:p AS VARCHAR(36)[])``)."""
    return f"CAST(:{parameter} AS {table.c[column].type.compile(dialect=postgresql.dialect())}[])"


def unnest_insert(table: Table, columns: Sequence[str]) -> str:
    """``INSERT INTO table (columns) SELECT * FROM unnest(...)``, one array parameter per column, named
    after it; callers add their ``ON CONFLICT`` or ``RETURNING`` clause."""
    arrays = ", ".join(_array(table, name, name) for name in columns)
    return f"INSERT INTO {table.name} ({', '.join(columns)}) SELECT * FROM unnest({arrays})"


@cache
def _statement(table: Table, columns: tuple[str, ...], skip_conflicts_on: tuple[str, ...],
               returning: tuple[str, ...]) -> TextClause:
    sql = unnest_insert(table, columns)
    if skip_conflicts_on:
        sql += f" ON CONFLICT ({', '.join(skip_conflicts_on)}) DO NOTHING"
    if returning:
        sql += f" RETURNING {', '.join(returning)}"
    return text(sql)


def insert_many(session: Session, table: Table, rows: Sequence[dict[str, Any]],
                skip_conflicts_on: tuple[str, ...] = (), returning: tuple[str, ...] = ()) -> list[Row[Any]]:
    """Insert ``rows`` (dicts with the same keys) in one statement; the ``returning`` columns of those inserted."""
    if not rows:
        return []
    columns = tuple(rows[0])
    statement = _statement(table, columns, skip_conflicts_on, returning)
    result = session.execute(statement, {name: [row[name] for row in rows] for name in columns})
    return list(result.all()) if returning else []


@cache
def _lookup(table: Table, key: str) -> TextualSelect:
    names = ", ".join(f"found.{column.name}" for column in table.columns)
    sql = (f"SELECT {names} FROM unnest({_array(table, key, 'keys')}) AS wanted(key) "
           f"CROSS JOIN LATERAL (SELECT * FROM {table.name} WHERE {table.name}.{key} = wanted.key) AS found")
    return text(sql).columns(*table.columns)


def rows_with_keys(session: Session, table: Table, key: str, keys: Sequence[Any]) -> list[Row[Any]]:
    """The rows of ``table`` whose ``key`` column is among ``keys``, every column in the table's order.

    Written as one index lookup per key (a lateral join): with ``key = ANY(keys)`` the planner
    chooses a scan of the whole table whenever its statistics still think the table small,
    as they do while a fresh database fills faster than autovacuum analyses it, and the
    consumer's batches then took time growing with the table.
    """
    if not keys:
        return []
    return list(session.execute(_lookup(table, key), {"keys": list(keys)}).all())

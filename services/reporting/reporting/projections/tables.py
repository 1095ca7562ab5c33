"""The projection tables as the batch and the rebuild see them: keys, columns, and the SQL to write rows.

Rows travel as tuples of values in their table's column order (``COLUMNS``). Counters
(``daily_counts``, ``day_pair_counts``, their per-consultant twins, ``lost_reason_counts``) are never
read: their increments are added in the database (``ON CONFLICT DO UPDATE SET n = n + excluded.n``);
every other table has a one-column key.
"""
from __future__ import annotations

from collections.abc import Callable
from functools import cache
from operator import itemgetter
from typing import Any

from sqlalchemy import Executable, Table, TextClause, bindparam, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from reporting.models import (
    PROJECTIONS,
    Base,
    ConsultantDayCount,
    ConsultantDayPairCount,
    DailyCount,
    DayPairCount,
    LostReasonCount,
)
from shared.pgbulk import unnest_insert

COUNTERS = {model: ("value",) for model in (DailyCount, DayPairCount, ConsultantDayCount, ConsultantDayPairCount,
                                            LostReasonCount)}  # added to, never read
Key = tuple[type[Base], tuple[Any, ...]]
Values = tuple[Any, ...]  # a row's values in its table's column order (``COLUMNS``)


def _pk(model: type[Base]) -> tuple[str, ...]:
    return tuple(column.key for column in model.__table__.primary_key.columns)


PRIMARY_KEYS = {model: _pk(model) for model in PROJECTIONS}
COLUMNS = {model: tuple(column.key for column in model.__table__.columns) for model in PROJECTIONS}


def _key_reader(names: tuple[str, ...]) -> Callable[[dict[str, Any]], tuple[Any, ...]]:
    if len(names) == 1:
        name = names[0]
        return lambda key: (key[name],)
    return itemgetter(*names)  # type: ignore[return-value]


KEY_OF = {model: _key_reader(PRIMARY_KEYS[model]) for model in PROJECTIONS}  # runs for every row asked for
# Where the key is among a row's values, for the tables rows are read from: each has a one-column key.
KEY_COLUMN = {model: COLUMNS[model].index(PRIMARY_KEYS[model][0]) for model in PROJECTIONS}


@cache
def select_by_keys(model: type[Base]) -> Executable:
    """SELECT the rows of a list of keys (built once; PostgreSQL uses ``rows_with_keys`` instead)."""
    table: Table = model.__table__  # type: ignore[assignment]
    return select(table).where(table.c[PRIMARY_KEYS[model][0]].in_(bindparam("ids", expanding=True)))


@cache
def _upsert(dialect_name: str, model: type[Base]) -> Executable:
    """INSERT ... ON CONFLICT DO UPDATE for one table (built once per dialect)."""
    table: Table = model.__table__  # type: ignore[assignment]
    statement = (postgresql if dialect_name == "postgresql" else sqlite).insert(table)
    keys = PRIMARY_KEYS[model]
    if model in COUNTERS:
        update = {name: table.c[name] + statement.excluded[name] for name in COUNTERS[model]}
    else:
        update = {name: statement.excluded[name] for name in COLUMNS[model] if name not in keys}
    return statement.on_conflict_do_update(index_elements=list(keys), set_=update)


@cache
def _pg_upsert(model: type[Base]) -> TextClause:
    """PostgreSQL: the same upsert for any number of rows in one statement, a column per array (unnest)."""
    table: Table = model.__table__  # type: ignore[assignment]
    keys, names = PRIMARY_KEYS[model], COLUMNS[model]
    if model in COUNTERS:
        update = ", ".join(f"{name} = {table.name}.{name} + excluded.{name}" for name in COUNTERS[model])
    else:
        update = ", ".join(f"{name} = excluded.{name}" for name in names if name not in keys)
    return text(f"{unnest_insert(table, names)} ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {update}")


def upsert(session: Session, model: type[Base], rows: list[dict[str, Any]]) -> None:
    """Write rows whatever exists: counters add, other rows are replaced (SQLite and PostgreSQL alike)."""
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        session.execute(_pg_upsert(model), {name: [row[name] for row in rows] for name in COLUMNS[model]})
    else:
        session.execute(_upsert(dialect, model), rows)

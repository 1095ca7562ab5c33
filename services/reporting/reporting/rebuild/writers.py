"""Where a rebuild writes its rows: COPY on PostgreSQL, the consumer's own upserts elsewhere.

On PostgreSQL new rows go straight in by COPY (each value formatted in C, where the consumer's array
upsert formats them in Python). Rows replacing written ones go through a scratch table and one upsert.
Counter increments pile up in a scratch table and are summed into their tables once, at the end: a
counter row is written once, not once per window (a table rewritten per window would grow to many
times its size until vacuumed, and the reports would scan that). Scratch tables are dropped at commit.
"""
from __future__ import annotations

from sqlalchemy.orm import Session

from reporting.models import Base
from reporting.projections.tables import COLUMNS, COUNTERS, PRIMARY_KEYS, Values, upsert
from shared.db import is_postgres

Rows = dict[type[Base], list[Values]]  # rows per table, values in column order


class UpsertWriter:
    """Any database: new and changed rows replace what is there; counters add (the consumer's path)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def write(self, new: Rows, replaced: Rows, counts: Rows) -> None:
        """Write one window's rows."""
        for rows in (new, replaced, counts):
            for model, values in rows.items():
                names = COLUMNS[model]
                upsert(self.session, model, [dict(zip(names, row, strict=True)) for row in values])

    def finish(self) -> None:
        """Nothing held back."""


class CopyWriter:
    """PostgreSQL: COPY in the session's transaction; counters summed at the end."""

    def __init__(self, session: Session) -> None:
        self.cursor = session.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]
        self.scratch: set[type[Base]] = set()

    def write(self, new: Rows, replaced: Rows, counts: Rows) -> None:
        """Write one window's rows (counter increments go to their scratch table)."""
        for model, rows in new.items():
            self._copy(model.__tablename__, model, rows)
        for model, rows in replaced.items():
            scratch = self._scratch(model)
            self._copy(scratch, model, rows)
            self.cursor.execute(_replace_from(scratch, model))
            self.cursor.execute(f"TRUNCATE {scratch}")
        for model, rows in counts.items():
            self._copy(self._scratch(model), model, rows)

    def finish(self) -> None:
        """Sum the counters' increments into their tables, one row per key."""
        for model in self.scratch & set(COUNTERS):
            self.cursor.execute(_add_from(f"rebuild_{model.__tablename__}", model))

    def _copy(self, table: str, model: type[Base], rows: list[Values]) -> None:
        if rows:
            with self.cursor.copy(f"COPY {table} ({', '.join(COLUMNS[model])}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)

    def _scratch(self, model: type[Base]) -> str:
        name = f"rebuild_{model.__tablename__}"
        if model not in self.scratch:
            self.cursor.execute(f"CREATE TEMP TABLE {name} (LIKE {model.__tablename__}) ON COMMIT DROP")
            self.scratch.add(model)
        return name


def _replace_from(scratch: str, model: type[Base]) -> str:
    table, keys, names = model.__tablename__, PRIMARY_KEYS[model], COLUMNS[model]
    update = ", ".join(f"{name} = excluded.{name}" for name in names if name not in keys)
    return (f"INSERT INTO {table} ({', '.join(names)}) SELECT {', '.join(names)} FROM {scratch} "
            f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {update}")


def _add_from(scratch: str, model: type[Base]) -> str:
    table, keys, names = model.__tablename__, PRIMARY_KEYS[model], COLUMNS[model]
    sums = ", ".join(f"sum({name})" if name in COUNTERS[model] else name for name in names)
    update = ", ".join(f"{name} = {table}.{name} + excluded.{name}" for name in COUNTERS[model])
    return (f"INSERT INTO {table} ({', '.join(names)}) SELECT {sums} FROM {scratch} GROUP BY {', '.join(keys)} "
            f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {update}")


def writer_for(session: Session) -> UpsertWriter | CopyWriter:
    """The fastest way to write this database's rows in the session's transaction."""
    return CopyWriter(session) if is_postgres(session) else UpsertWriter(session)

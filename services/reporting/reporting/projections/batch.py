"""Projections applied to many events at once: rows read in one query per table, written in one upsert.

The projections are the same functions the per-event path runs; only where their rows live changes.
A batch first runs them on blank rows to learn which keys it touches, reads those rows (one
``IN`` query per table), runs them for real on plain in-memory rows, then writes back every row it
changed. A row the first pass could not foresee (the survivor of a merged duplicate, known only once
the duplicate's row is read) is read when asked for. Counters are never read: they start at 0 in
memory and their increments are added in the database (``reporting.projections.tables``). A fact
row that changes moves its rate counters with it (``reporting.projections.rates``).
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Executable, Table, bindparam, select
from sqlalchemy.orm import Session

from reporting.models import Base
from reporting.projections import project
from reporting.projections.facts import DEFAULTS
from reporting.projections.rates import Counted, move_rate_counts
from reporting.projections.tables import (
    COLUMNS,
    COUNTERS,
    KEY_COLUMN,
    KEY_OF,
    PRIMARY_KEYS,
    Key,
    Values,
    select_by_keys,
    upsert,
)
from shared.db import is_postgres
from shared.pgbulk import rows_with_keys

READ_CHUNK = 2000


class Row:
    """A projection row as plain attributes; a column never set reads as None."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.__dict__ = values  # the row takes the dict it is given

    def __getattr__(self, name: str) -> Any:
        return None


class Tally:
    """A counter row in memory: only its increment (its key is where it is held); counters are added, never read."""

    __slots__ = ("value",)

    def __init__(self) -> None:
        self.value = 0


class KeyRecorder:
    """Facts that remember every key asked for and hand out blank rows (the first pass); counters need no key."""

    def __init__(self) -> None:
        self.keys: set[Key] = set()

    def find(self, model: type[Base], **key: Any) -> Any:
        if model not in COUNTERS:
            self.keys.add((model, KEY_OF[model](key)))
        return None

    def row(self, model: type[Base], **key: Any) -> Any:
        if model in COUNTERS:
            return Tally()
        self.keys.add((model, KEY_OF[model](key)))
        return Row({**key, **DEFAULTS[model]})


class BatchFacts:
    """Rows of one batch in memory: read from the database first, written back by ``save``."""

    def __init__(self, session: Session | None = None) -> None:
        self.session = session
        self.rows: dict[Key, Row] = {}
        self.before: dict[Key, Values | None] = {}  # a row's values as read; None when new
        self.tallies: dict[Key, Tally] = {}  # counters' increments
        self.looked_up: set[Key] = set()  # keys read (found or not) by ``load``

    def load(self, session: Session, keys: Iterable[Key]) -> None:
        """Read the existing rows of these keys, one query per table (counters are not read)."""
        wanted: dict[type[Base], list[Any]] = {}
        for model, key in keys:
            if model not in COUNTERS and (model, key) not in self.rows:
                wanted.setdefault(model, []).append(key[0])  # every non-counter table has a one-column key
                self.looked_up.add((model, key))
        postgres = is_postgres(session)
        for model, ids in wanted.items():
            for start in range(0, len(ids), READ_CHUNK):
                chunk = ids[start:start + READ_CHUNK]
                table: Table = model.__table__  # type: ignore[assignment]
                found = (rows_with_keys(session, table, PRIMARY_KEYS[model][0], chunk) if postgres
                         else session.execute(select_by_keys(model), {"ids": chunk}))
                for values in found:
                    self.hold(model, tuple(values))

    def hold(self, model: type[Base], values: Values) -> Row:
        """Keep a row as read from the database."""
        handle = (model, (values[KEY_COLUMN[model]],))
        found = self.rows[handle] = Row(dict(zip(COLUMNS[model], values, strict=True)))
        self.before[handle] = values
        return found

    def find(self, model: type[Base], **key: Any) -> Any:
        handle = (model, KEY_OF[model](key))
        if model in COUNTERS:
            return self.tallies.get(handle)
        found = self.rows.get(handle)
        return self.missing(handle) if found is None else found

    def row(self, model: type[Base], **key: Any) -> Any:
        handle = (model, KEY_OF[model](key))  # this runs for every row an event touches
        if model in COUNTERS:
            tally = self.tallies.get(handle)
            if tally is None:
                tally = self.tallies[handle] = Tally()
            return tally
        found = self.rows.get(handle)
        if found is None:
            found = self.missing(handle)
        if found is None:
            found = self.rows[handle] = Row({**key, **DEFAULTS[model]})
            self.before[handle] = None
        return found

    def missing(self, handle: Key) -> Row | None:
        """A row not in memory: in a batch, it was read first if it exists, unless no one could foresee it."""
        if self.session is None or handle in self.looked_up:
            return None
        self.looked_up.add(handle)
        return self.read(handle)

    def read(self, handle: Key) -> Row | None:
        """Read one row from the database (one query), and hold it."""
        assert self.session is not None
        model, key = handle
        values = self.session.execute(_one_reader(model), {"key": key[0]}).first()
        return None if values is None else self.hold(model, tuple(values))

    def changes(self) -> Iterator[tuple[Key, Values, Values | None]]:
        """Every fact row new or changed: its key, its values now and as read (None when new)."""
        for handle, row in self.rows.items():
            values = tuple(map(row.__dict__.get, COLUMNS[handle[0]]))
            before = self.before[handle]
            if values != before:
                yield handle, values, before

    def count_rates(self, rates: dict[Counted, int]) -> None:
        """Add the increments of the counters that follow from fact rows (``reporting.projections.rates``)."""
        for handle, n in rates.items():
            if n:
                tally = self.tallies.get(handle)
                if tally is None:
                    tally = self.tallies[handle] = Tally()
                tally.value += n

    def counts(self) -> dict[type[Base], list[Values]]:
        """The counters' increments, per table (a counter table's columns: its key, then its value)."""
        counts: dict[type[Base], list[Values]] = {}
        for (model, key), tally in self.tallies.items():
            counts.setdefault(model, []).append((*key, tally.value))
        return counts

    def changed(self) -> dict[type[Base], list[dict[str, Any]]]:
        """The rows to write, per table: new or changed ones, every column; counters' increments."""
        out: dict[type[Base], list[Values]] = {}
        rates: dict[Counted, int] = {}
        for (model, _), values, before in self.changes():
            out.setdefault(model, []).append(values)
            move_rate_counts(model, before, values, rates)
        self.count_rates(rates)
        out.update(self.counts())
        return {model: [dict(zip(COLUMNS[model], values, strict=True)) for values in rows]
                for model, rows in out.items()}

    def save(self, session: Session) -> int:
        """Upsert every new or changed row; counters add their increments. Returns rows written."""
        written = 0
        for model, rows in self.changed().items():
            upsert(session, model, rows)
            written += len(rows)
        return written


@cache
def _one_reader(model: type[Base]) -> Executable:
    """SELECT one row by its (one-column) key, built once per table."""
    table: Table = model.__table__  # type: ignore[assignment]
    return select(table).where(table.c[PRIMARY_KEYS[model][0]] == bindparam("key"))


def keys_asked_for(events: list[dict[str, Any]], tz: ZoneInfo) -> set[Key]:
    """The rows these events' projections will ask for (a dry run on blank rows)."""
    recorder = KeyRecorder()
    for event in events:
        try:
            project(event, recorder, tz)
        except Exception:  # noqa: BLE001, S112 - projecting it for real raises it again
            continue
    return recorder.keys


def project_all(session: Session, events: list[dict[str, Any]], tz: ZoneInfo) -> int:
    """Apply many (masked) events to the projections in three statements per table; returns rows written."""
    facts = BatchFacts(session)
    facts.load(session, keys_asked_for(events, tz))
    for event in events:
        project(event, facts, tz)
    return facts.save(session)

"""Projections applied to many events at once: rows read in one query per table, written in one upsert.

The projections are the same functions the per-event path runs; only where their rows live changes.
A batch first runs them on blank rows to learn which keys it touches, reads those rows (one
``IN`` query per table), runs them for real on plain in-memory rows, then writes back every row it
changed. Counters (``daily_counts``, ``day_pair_counts``) are never read: they start at 0 in memory
and their increments are added in the database (``ON CONFLICT DO UPDATE SET n = n + excluded.n``).

The funnel's cohort rates that depend on one row alone (建卡率, 邀约到店率, 30天转化率) are also kept
as day counters: when a fact row changes, what it counted before is taken off its day and what it
counts now is added (``RATE_COUNTERS``), so a report sums a few hundred counters instead of scanning
every fact of the range, with the same numerator and denominator.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from functools import cache
from operator import itemgetter
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Executable, Table, TextClause, bindparam, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from reporting.facts import DEFAULTS
from reporting.kpi import FILING_CHANNELS
from reporting.models import PROJECTIONS, AppointmentFact, Base, DailyCount, DayPairCount, InquiryFact, LeadFact
from reporting.projections import project
from shared.db import is_postgres
from shared.pgbulk import rows_with_keys, unnest_insert

COUNTERS = {DailyCount: ("value",), DayPairCount: ("value",)}  # added to, never read
READ_CHUNK = 2000
Key = tuple[type[Base], tuple[Any, ...]]
Values = tuple[Any, ...]  # a row's values in its table's column order (``COLUMNS``)
# (day column, counted when, metric of the denominator, flag column, metric of the numerator), per fact table
RATE_COUNTERS: dict[type[Base], tuple[str, Any, str, str, str]] = {
    InquiryFact: ("day", lambda v: v["channel"] in FILING_CHANNELS, "rate_filing_inquiries", "filed",
                  "rate_filing_filed"),
    AppointmentFact: ("day", lambda v: True, "rate_arrival_booked", "kept", "rate_arrival_kept"),
    LeadFact: ("created_day", lambda v: True, "rate_conversion_leads", "converted_30d", "rate_conversion_converted"),
}


def rate_counts(model: type[Base], values: dict[str, Any] | None) -> list[tuple[Any, str]]:
    """The (day, metric) counters one fact row adds to: its rate's denominator, and numerator when it holds."""
    rule = RATE_COUNTERS.get(model)
    if rule is None or values is None:
        return []
    day_column, counted, denominator, flag, numerator = rule
    day = values.get(day_column)
    if day is None or not counted(values):
        return []
    return [(day, denominator), (day, numerator)] if values.get(flag) else [(day, denominator)]


def move_rate_counts(model: type[Base], before: Values | None, values: Values,
                     rates: dict[tuple[Any, str], int]) -> None:
    """Take off what a fact row counted before and add what it counts now."""
    if model not in RATE_COUNTERS:
        return
    names = COLUMNS[model]
    for counter in rate_counts(model, dict(zip(names, before, strict=True)) if before is not None else None):
        rates[counter] = rates.get(counter, 0) - 1
    for counter in rate_counts(model, dict(zip(names, values, strict=True))):
        rates[counter] = rates.get(counter, 0) + 1


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

    def __init__(self) -> None:
        self.rows: dict[Key, Row] = {}
        self.before: dict[Key, Values | None] = {}  # a row's values as read; None when new
        self.tallies: dict[Key, Tally] = {}  # counters' increments

    def load(self, session: Session, keys: Iterable[Key]) -> None:
        """Read the existing rows of these keys, one query per table (counters are not read)."""
        wanted: dict[type[Base], list[Any]] = {}
        for model, key in keys:
            if model not in COUNTERS and (model, key) not in self.rows:
                wanted.setdefault(model, []).append(key[0])  # every non-counter table has a one-column key
        postgres = is_postgres(session)
        for model, ids in wanted.items():
            for start in range(0, len(ids), READ_CHUNK):
                chunk = ids[start:start + READ_CHUNK]
                table: Table = model.__table__  # type: ignore[assignment]
                found = (rows_with_keys(session, table, PRIMARY_KEYS[model][0], chunk) if postgres
                         else session.execute(_reader(model), {"ids": chunk}))
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
        """A row not in memory: in a batch, it was read first if it exists."""
        return None

    def changes(self) -> Iterator[tuple[Key, Values, Values | None]]:
        """Every fact row new or changed: its key, its values now and as read (None when new)."""
        for handle, row in self.rows.items():
            values = tuple(map(row.__dict__.get, COLUMNS[handle[0]]))
            before = self.before[handle]
            if values != before:
                yield handle, values, before

    def count_rates(self, rates: dict[tuple[Any, str], int]) -> None:
        """Add the rate counters' increments to the day counts (team figures: no consultant)."""
        for (day, metric), n in rates.items():
            if n:
                self.row(DailyCount, day=day, metric=metric, consultant_id="").value += n

    def counts(self) -> dict[type[Base], list[Values]]:
        """The counters' increments, per table (a counter table's columns: its key, then its value)."""
        counts: dict[type[Base], list[Values]] = {}
        for (model, key), tally in self.tallies.items():
            counts.setdefault(model, []).append((*key, tally.value))
        return counts

    def changed(self) -> dict[type[Base], list[dict[str, Any]]]:
        """The rows to write, per table: new or changed ones, every column; counters' increments."""
        out: dict[type[Base], list[Values]] = {}
        rates: dict[tuple[Any, str], int] = {}
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
def _reader(model: type[Base]) -> Executable:
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
    facts = BatchFacts()
    facts.load(session, keys_asked_for(events, tz))
    for event in events:
        project(event, facts, tz)
    return facts.save(session)

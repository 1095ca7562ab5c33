"""Projections applied to many events at once: rows read in one query per table, written in one upsert.

The projections are the same functions the per-event path runs; only where their rows live changes.
A batch first runs them on blank rows to learn which keys it touches, reads those rows (one
``IN`` query per table), runs them for real on plain in-memory rows, then writes back every row it
changed. Counters (``daily_counts``, ``lead_days``) are never read: they start at 0 in memory and
their increments are added in the database (``ON CONFLICT DO UPDATE SET n = n + excluded.n``).

The funnel's cohort rates that depend on one row alone (建卡率, 邀约到店率, 30天转化率) are also kept
as day counters: when a fact row changes, what it counted before is taken off its day and what it
counts now is added (``RATE_COUNTERS``), so a report sums a few hundred counters instead of scanning
every fact of the range, with the same numerator and denominator.
"""
from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Executable, Table, TextClause, bindparam, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from reporting.facts import DEFAULTS
from reporting.kpi import FILING_CHANNELS
from reporting.models import PROJECTIONS, AppointmentFact, Base, DailyCount, InquiryFact, LeadDay, LeadFact
from reporting.projections import project

COUNTERS = {DailyCount: ("value",), LeadDay: ("visits", "test_drives")}  # added to, never read
READ_CHUNK = 2000
Key = tuple[type[Base], tuple[Any, ...]]
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


class Row:
    """A projection row as plain attributes; a column never set reads as None."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.__dict__.update(values)

    def __getattr__(self, name: str) -> Any:
        return None


def _pk(model: type[Base]) -> tuple[str, ...]:
    return tuple(column.key for column in model.__table__.primary_key.columns)


PRIMARY_KEYS = {model: _pk(model) for model in PROJECTIONS}
COLUMNS = {model: tuple(column.key for column in model.__table__.columns) for model in PROJECTIONS}


def _handle(model: type[Base], key: dict[str, Any]) -> Key:
    return model, tuple(map(key.__getitem__, PRIMARY_KEYS[model]))


class KeyRecorder:
    """Facts that remember every key asked for and hand out blank rows (the first pass)."""

    def __init__(self) -> None:
        self.keys: set[Key] = set()

    def find(self, model: type[Base], **key: Any) -> Any:
        self.keys.add(_handle(model, key))
        return None

    def row(self, model: type[Base], **key: Any) -> Any:
        self.keys.add(_handle(model, key))
        return Row({**key, **DEFAULTS.get(model, {})})


class BatchFacts:
    """Rows of one batch in memory: read from the database first, written back by ``save``."""

    def __init__(self) -> None:
        self.rows: dict[Key, Row] = {}
        self.before: dict[Key, dict[str, Any] | None] = {}  # a row's values as read; None when new

    def load(self, session: Session, keys: Iterable[Key]) -> None:
        """Read the existing rows of these keys, one query per table (counters are not read)."""
        wanted: dict[type[Base], list[Any]] = {}
        for model, key in keys:
            if model not in COUNTERS and (model, key) not in self.rows:
                wanted.setdefault(model, []).append(key[0])  # every non-counter table has a one-column key
        for model, ids in wanted.items():
            pk = PRIMARY_KEYS[model][0]
            for start in range(0, len(ids), READ_CHUNK):
                chunk = {"ids": ids[start:start + READ_CHUNK]}
                for found in session.execute(_reader(model), chunk).mappings():
                    values = dict(found)
                    handle = (model, (values[pk],))
                    self.rows[handle], self.before[handle] = Row(values), values

    def find(self, model: type[Base], **key: Any) -> Any:
        return self.rows.get(_handle(model, key))

    def row(self, model: type[Base], **key: Any) -> Any:
        handle = _handle(model, key)
        found = self.rows.get(handle)
        if found is None:
            found = self.rows[handle] = Row({**key, **DEFAULTS.get(model, {})})
            self.before[handle] = None
        return found

    def changed(self) -> dict[type[Base], list[dict[str, Any]]]:
        """The rows to write, per table: new or changed ones, every column."""
        out: dict[type[Base], list[dict[str, Any]]] = {}
        rates: dict[tuple[Any, str], int] = {}
        for handle, row in self.rows.items():
            model, held = handle[0], row.__dict__
            values = {name: held.get(name) for name in COLUMNS[model]}
            before = self.before[handle]
            if values != before:
                out.setdefault(model, []).append(values)
                for counter in rate_counts(model, before):
                    rates[counter] = rates.get(counter, 0) - 1
                for counter in rate_counts(model, values):
                    rates[counter] = rates.get(counter, 0) + 1
        moved = [{"day": day, "metric": metric, "consultant_id": "", "value": n}
                 for (day, metric), n in rates.items() if n]
        if moved:  # rate counters are team figures: no consultant
            out.setdefault(DailyCount, []).extend(_merge(out.get(DailyCount, []), moved))
        return out

    def save(self, session: Session) -> int:
        """Upsert every new or changed row; counters add their increments. Returns rows written."""
        written = 0
        for model, rows in self.changed().items():
            upsert(session, model, rows)
            written += len(rows)
        return written

    def forget(self) -> None:
        """Let go of the rows (after ``save``)."""
        self.rows.clear()
        self.before.clear()


def _merge(counts: list[dict[str, Any]], more: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rate counters not already among the batch's day counts (their metrics never meet: a safeguard)."""
    held = {(c["day"], c["metric"], c["consultant_id"]): c for c in counts}
    extra = []
    for count in more:
        same = held.get((count["day"], count["metric"], ""))
        if same is None:
            extra.append(count)
        else:
            same["value"] += count["value"]
    return extra


@cache
def _reader(model: type[Base]) -> Executable:
    """SELECT the rows of a list of keys (built once)."""
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
    keys, dialect = PRIMARY_KEYS[model], postgresql.dialect()
    names = COLUMNS[model]
    arrays = ", ".join(f"CAST(:{name} AS {table.c[name].type.compile(dialect=dialect)}[])" for name in names)
    if model in COUNTERS:
        update = ", ".join(f"{name} = {table.name}.{name} + excluded.{name}" for name in COUNTERS[model])
    else:
        update = ", ".join(f"{name} = excluded.{name}" for name in names if name not in keys)
    return text(f"INSERT INTO {table.name} ({', '.join(names)}) SELECT * FROM unnest({arrays}) "
                f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {update}")


def upsert(session: Session, model: type[Base], rows: list[dict[str, Any]]) -> None:
    """Write rows whatever exists: counters add, other rows are replaced (SQLite and PostgreSQL alike)."""
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        session.execute(_pg_upsert(model), {name: [row[name] for row in rows] for name in COLUMNS[model]})
    else:
        session.execute(_upsert(dialect, model), rows)


def project_all(session: Session, events: list[dict[str, Any]], tz: ZoneInfo) -> int:
    """Apply many (masked) events to the projections in three statements per table; returns rows written."""
    recorder = KeyRecorder()
    for event in events:
        try:
            project(event, recorder, tz)
        except Exception:  # noqa: BLE001, S112 - the real pass below raises it again
            continue
    facts = BatchFacts()
    facts.load(session, recorder.keys)
    for event in events:
        project(event, facts, tz)
    return facts.save(session)

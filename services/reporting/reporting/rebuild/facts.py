"""The rows of a rebuild: one pass over the events, memory bounded, every row read at most when needed.

The rebuild starts from empty projections, so a row it has not written yet is new: no read. Rows
stay in memory while events keep changing them and are written a window of events at a time;
those that stopped changing are let go. A row let go that an event asks for again is read back
(one query): its key is among those written, which a Bloom filter remembers in a few megabytes
where a set of every key would take a hundred. The filter never says "not written" of a written
key; it may say "written" of a new one (one in a few hundred), which costs one read finding nothing.
When events keep coming back to rows let go (a store whose customers take weeks to decide), the
rows a page of events needs are read ahead in one query per table instead. Counters are never
read: each window's increments are added.
"""
from __future__ import annotations

from typing import Any, Protocol
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from reporting.models import Base
from reporting.projections.batch import BatchFacts, Row, keys_asked_for
from reporting.projections.rates import Counted, move_rate_counts
from reporting.projections.tables import Key, Values

TALLIES_HELD = 10_000  # counter increments held in memory before they are written
BITS_PER_KEY = 16  # two probes, 16 to 32 bits a key: at worst 1 false "written" in 70


Rows = dict[type[Base], list[Values]]  # rows per table, values in column order


class RowWriter(Protocol):
    """Where a rebuild's rows go (``reporting.rebuild.writers``)."""

    def write(self, new: Rows, replaced: Rows, counts: Rows) -> None:
        """New rows, rows replacing written ones, counter increments."""


class WrittenKeys:
    """The keys of every row written so far, as a Bloom filter of two probes."""

    def __init__(self, expected_keys: int) -> None:
        self.size = 1 << max(20, (max(expected_keys, 1) * BITS_PER_KEY).bit_length())
        self.bits = bytearray(self.size // 8)

    def _probes(self, handle: Key) -> tuple[int, int]:
        hashed = hash(handle)
        return hashed & (self.size - 1), (hashed >> 32) & (self.size - 1)

    def add(self, handle: Key) -> None:
        for probe in self._probes(handle):
            self.bits[probe >> 3] |= 1 << (probe & 7)

    def __contains__(self, handle: object) -> bool:
        first, second = self._probes(handle)  # type: ignore[arg-type]
        return bool(self.bits[first >> 3] & (1 << (first & 7)) and self.bits[second >> 3] & (1 << (second & 7)))


class RebuildFacts(BatchFacts):
    """Facts for a rebuild: rows kept while they change, written every window, read back when let go."""

    def __init__(self, session: Session, writer: RowWriter, expected_keys: int) -> None:
        super().__init__(session)
        self.session: Session = session
        self.writer = writer
        self.written = WrittenKeys(expected_keys)
        self.read_back = 0  # rows read back, in all
        self.recently_read = 0  # ... since ``take_recently_read``

    def missing(self, handle: Key) -> Row | None:
        """A row not in memory: read back if it was written (and let go), else it is new."""
        return self.read(handle) if handle in self.written else None

    def hold(self, model: type[Base], values: Values) -> Row:
        self.read_back += 1
        self.recently_read += 1
        return super().hold(model, values)

    def prefetch(self, events: list[dict[str, Any]], tz: ZoneInfo) -> None:
        """Read at once the written rows these events will ask for: one query per table, not one per row."""
        wanted = [handle for handle in keys_asked_for(events, tz) if handle not in self.rows and handle in self.written]
        self.load(self.session, wanted)

    def take_recently_read(self) -> int:
        """Rows read back since the last call."""
        found, self.recently_read = self.recently_read, 0
        return found

    def write(self, last: bool = False) -> int:
        """Write the window's new and changed rows; keep those in memory, let the others go. Returns rows written.

        Counter increments are held back until there are ``TALLIES_HELD`` of them (or the ``last`` write):
        most events of a window count on the same few days.
        """
        new: Rows = {}
        replaced: Rows = {}
        rates: dict[Counted, int] = {}
        kept: dict[Key, Values] = {}
        for handle, values, before in self.changes():
            model = handle[0]
            (new if before is None else replaced).setdefault(model, []).append(values)
            move_rate_counts(model, before, values, rates)
            kept[handle] = values
        self.count_rates(rates)
        counts: Rows = {}
        if last or len(self.tallies) >= TALLIES_HELD:
            counts, self.tallies = self.counts(), {}
        self.writer.write(new, replaced, counts)
        self._keep(kept)
        return sum(len(rows) for group in (new, replaced, counts) for rows in group.values())

    def _keep(self, kept: dict[Key, Values]) -> None:
        """Hold on to the rows just written (the next events likely change them again), with what was written."""
        self.rows = {handle: self.rows[handle] for handle in kept}
        self.before = dict[Key, Values | None](kept)
        for handle in kept:
            self.written.add(handle)

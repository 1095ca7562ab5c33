"""The projections worked out in memory from a stream of events: what the tables must hold after it.

No database and no batching: each event is masked and projected once, in order, onto plain
dictionaries, and the counters that follow from fact rows (the rates, leads filed, losses) are
then counted from the rows as they end. A check (the ingest benchmark, a test) compares the live
consumer's tables with this.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from reporting.dates import store_zone
from reporting.domain import mask_event
from reporting.models import PROJECTIONS
from reporting.projections import project
from reporting.projections.facts import MemoryFacts
from reporting.projections.rates import COUNTED_BY, Counted, counters_of
from reporting.projections.tables import PRIMARY_KEYS


def expected_projections(events: Iterable[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Every projection's rows after these (unmasked) events, per table name, each row its columns by name."""
    reference = MemoryFacts()
    zone = store_zone()
    for event in events:
        project(mask_event(event), reference, zone)
    rates: Counter[Counted] = Counter()  # the counters that follow from the facts as they end
    for model in COUNTED_BY:
        for row in reference.all(model):
            rates.update(counters_of(model, {c.key: getattr(row, c.key) for c in model.__table__.columns}))
    for (model, key), n in rates.items():
        reference.row(model, **dict(zip(PRIMARY_KEYS[model], key, strict=True))).value += n
    return {model.__tablename__: [{c.key: getattr(row, c.key) for c in model.__table__.columns}
                                  for row in reference.all(model)] for model in PROJECTIONS}

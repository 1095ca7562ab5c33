"""What a rebuild's rows in memory rely on, free of any database."""
from __future__ import annotations

import uuid

from reporting.models import LeadFact
from reporting.projections.tables import COLUMNS, COUNTERS, PRIMARY_KEYS
from reporting.rebuild.facts import WrittenKeys


def test_a_counter_tables_columns_are_its_key_then_its_value() -> None:
    for model in COUNTERS:  # the rebuild writes a counter as (*key, value)
        assert COLUMNS[model] == (*PRIMARY_KEYS[model], "value")


def test_the_written_keys_never_forget_a_key_and_rarely_claim_a_new_one() -> None:
    keys = [(LeadFact, (str(uuid.UUID(int=n)),)) for n in range(20_000)]
    written = WrittenKeys(expected_keys=10_000)
    for key in keys[:10_000]:
        written.add(key)
    assert all(key in written for key in keys[:10_000])  # a written row is always read back, never taken for new
    assert sum(key in written for key in keys[10_000:]) < 200  # a new one costs a read now and then

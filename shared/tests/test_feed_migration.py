"""The migration that gives the outbox its feed position keeps the cursors readers already hold.

The old feed counted outbox positions; a reader holding cursor N must go on from the event
after N. Rows already there therefore take their position as feed position, and rows
committed afterwards are numbered after them.
"""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from alembic import command
from sqlalchemy import inspect, text

from shared.db import dispose_engines, get_engine, session_factory
from shared.envelope import make_event
from shared.migrations import alembic_config, upgrade
from shared.outbox import assign_feed_positions, read_feed, record_event
from shared.service import ServiceSpec, service


@pytest.fixture
def leads_spec(database_url: str) -> Iterator[ServiceSpec]:
    yield service("leads")
    dispose_engines()


def index_definitions(database_url: str) -> dict[str, str]:
    """The outbox's indexes, as the database itself describes them."""
    with get_engine(database_url).connect() as conn:
        if database_url.startswith("postgresql"):
            rows = conn.execute(text("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'outbox'"))
        else:
            rows = conn.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'index' "
                                     "AND tbl_name = 'outbox'"))
        return {name: definition or "" for name, definition in rows}


def test_rows_already_written_keep_their_position_as_feed_position_and_new_ones_follow(database_url,
                                                                                       leads_spec) -> None:
    upgrade(leads_spec, database_url, "0001")
    old = [make_event("leads", "leads.lead.created", f"lead-{n}", {"n": n}) for n in range(3)]
    with get_engine(database_url).begin() as conn:  # three events in the outbox as the old schema held them
        for event in old:
            conn.execute(text("INSERT INTO outbox (event_id, routing_key, body, created_at) "
                              "VALUES (:id, 'leads.lead.created', :body, CURRENT_TIMESTAMP)"),
                         {"id": event["id"], "body": f'{{"id": "{event["id"]}"}}'})
    upgrade(leads_spec, database_url, "0002")
    sessions = session_factory(database_url)
    with sessions() as session:
        new = make_event("leads", "leads.lead.created", "lead-new", {"n": 3})
        record_event(session, new)
        session.commit()
    with sessions() as session:
        assert assign_feed_positions(session) == 1
    with sessions() as session:
        items, cursor = read_feed(session, 2, 10)  # a reader of the old feed that had read positions 1 and 2
        numbers = session.execute(text("SELECT position, feed_position FROM outbox ORDER BY position")).all()
    assert [item["id"] for item in items] == [old[2]["id"], new["id"]] and cursor == 4
    assert [tuple(row) for row in numbers] == [(1, 1), (2, 2), (3, 3), (4, 4)]
    indexes = index_definitions(database_url)
    assert "UNIQUE" in indexes["ix_outbox_feed_position"].upper()
    assert "feed_position IS NULL" in indexes["ix_outbox_feed_unassigned"]  # partial: only the rows to number


def test_the_feed_position_migration_downgrades_and_upgrades_again(database_url, leads_spec) -> None:
    upgrade(leads_spec, database_url, "0002")
    command.downgrade(alembic_config(leads_spec, database_url), "0001")
    columns = {column["name"] for column in inspect(get_engine(database_url)).get_columns("outbox")}
    assert "feed_position" not in columns and "position" in columns
    dispose_engines()  # the inspector's view of the old table goes with the engine
    upgrade(leads_spec, database_url)
    columns = {column["name"] for column in inspect(get_engine(database_url)).get_columns("outbox")}
    assert "feed_position" in columns

"""Alembic, run by a command (``dealer migrate``), never by importing an app.

Each service keeps its own migration history; its ``env.py`` calls ``run_env``
with its tables plus the shared ones (outbox, inbox, idempotency keys).
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import command, context, op
from alembic.config import Config
from sqlalchemy import MetaData

from shared import inbox, outbox
from shared.config import load_settings
from shared.db import SharedBase, get_engine
from shared.service import ServiceSpec
from shared.web import idempotency

# Every service's database holds these shared tables too; importing their modules registers them.
SHARED_TABLES = (outbox.OutboxEvent, inbox.ProcessedEvent, idempotency.IdempotencyKey)


def alembic_config(spec: ServiceSpec, database_url: str | None = None) -> Config:
    """An Alembic configuration for one service's database."""
    cfg = Config()
    cfg.set_main_option("script_location", str(spec.migrations))
    cfg.set_main_option("sqlalchemy.url", database_url or load_settings(spec.name).database_url)
    cfg.attributes["service"] = spec.name
    return cfg


def upgrade(spec: ServiceSpec, database_url: str | None = None, revision: str = "head") -> None:
    """Bring one service's database up to ``revision``."""
    command.upgrade(alembic_config(spec, database_url), revision)


def run_env(service_metadata: MetaData) -> None:
    """The body of every service's ``migrations/env.py``."""
    targets = [service_metadata, SharedBase.metadata]
    url = context.config.get_main_option("sqlalchemy.url")
    assert url is not None
    if context.is_offline_mode():
        context.configure(url=url, target_metadata=targets, literal_binds=True, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = get_engine(url)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=targets, render_as_batch=True,
                          compare_type=True)
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


def add_outbox_feed_position() -> None:
    """Give the outbox its feed cursor in commit order (``outbox.feed_position``); for a service's migration.

    Each service's first migration wrote the shared tables out by hand, so each adds the
    column in a migration of its own that calls this. Rows already there take their
    position as feed position: a cursor a reader holds from the old feed, which counted
    positions, keeps its meaning; new rows are numbered after them as they commit.
    """
    op.add_column("outbox", sa.Column("feed_position", sa.BigInteger(), nullable=True))
    op.execute("UPDATE outbox SET feed_position = position")
    op.create_index("ix_outbox_feed_position", "outbox", ["feed_position"], unique=True,
                    postgresql_where=sa.text(outbox.ASSIGNED), sqlite_where=sa.text(outbox.ASSIGNED))
    op.create_index("ix_outbox_feed_unassigned", "outbox", ["position"],
                    postgresql_where=sa.text(outbox.UNASSIGNED), sqlite_where=sa.text(outbox.UNASSIGNED))


def drop_outbox_feed_position() -> None:
    """Undo ``add_outbox_feed_position`` (the old feed then counts positions again)."""
    op.drop_index("ix_outbox_feed_unassigned", table_name="outbox")
    op.drop_index("ix_outbox_feed_position", table_name="outbox")
    with op.batch_alter_table("outbox") as batch_op:  # SQLite drops a column by copying the table
        batch_op.drop_column("feed_position")

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


def create_kernel_tables() -> None:
    """The kernel's tables as every service's first revision made them: idempotency keys, outbox, inbox.

    One definition for the five histories; later kernel changes come as helpers of their own
    (``add_outbox_feed_position``, ``add_idempotency_fingerprint``), each called by a new
    revision in every service.
    """
    op.create_table(
        "idempotency_keys",
        sa.Column("scope", sa.String(length=64), nullable=False),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("content_type", sa.String(length=80), nullable=True),
        sa.Column("location", sa.String(length=300), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("scope"),
    )
    op.create_table(
        "outbox",
        sa.Column("position", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True,
                  nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("routing_key", sa.String(length=120), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("claim_token", sa.String(length=36), nullable=True),
        sa.PrimaryKeyConstraint("position"),
        sa.UniqueConstraint("event_id"),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outbox_claim_token"), ["claim_token"], unique=False)
        batch_op.create_index(batch_op.f("ix_outbox_published_at"), ["published_at"], unique=False)
    op.create_table(
        "processed_events",
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("source", sa.String(length=60), nullable=False),
        sa.Column("event_type", sa.String(length=120), nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("event_id", "source"),
    )


def drop_kernel_tables() -> None:
    """Undo ``create_kernel_tables``."""
    op.drop_table("processed_events")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_published_at"))
        batch_op.drop_index(batch_op.f("ix_outbox_claim_token"))
    op.drop_table("outbox")
    op.drop_table("idempotency_keys")


def add_idempotency_fingerprint() -> None:
    """The request body's fingerprint on each idempotency key (another body with the same key is 422)."""
    with op.batch_alter_table("idempotency_keys", schema=None) as batch_op:
        batch_op.add_column(sa.Column("fingerprint", sa.String(length=64), nullable=True))


def drop_idempotency_fingerprint() -> None:
    """Undo ``add_idempotency_fingerprint``."""
    with op.batch_alter_table("idempotency_keys", schema=None) as batch_op:
        batch_op.drop_column("fingerprint")

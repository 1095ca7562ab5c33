"""Alembic, run by a command (``dealer migrate``), never by importing an app.

Each service keeps its own migration history; its ``env.py`` calls ``run_env``
with its tables plus the shared ones (outbox, inbox, idempotency keys).
"""
from __future__ import annotations

from alembic import command, context
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

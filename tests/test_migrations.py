"""Every service's migrations build exactly the schema its models (and the shared tables) describe."""
from __future__ import annotations

import pytest
from alembic import command

from shared.db import dispose_engines
from shared.migrations import alembic_config, upgrade
from shared.service import installed_services

SERVICES = sorted(installed_services())


@pytest.mark.parametrize("name", SERVICES)
def test_migrations_match_the_models(name: str, database_url: str) -> None:
    spec = installed_services()[name]
    upgrade(spec, database_url)
    command.check(alembic_config(spec, database_url))  # raises when models and migrations differ
    dispose_engines()


def test_every_service_is_installed() -> None:
    assert SERVICES == ["after_sales", "inventory", "leads", "orders", "reporting"]

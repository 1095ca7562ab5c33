"""Alembic environment of the inventory service (run by ``dealer migrate``)."""
from inventory.models import Base
from shared.migrations import run_env

run_env(Base.metadata)

"""Alembic environment of the leads service (run by ``dealer migrate``)."""
from leads.models import Base
from shared.migrations import run_env

run_env(Base.metadata)

"""Alembic environment of the reporting service (run by ``dealer migrate``)."""
from reporting.models import Base
from shared.migrations import run_env

run_env(Base.metadata)

"""Alembic environment of the after_sales service (run by ``dealer migrate``)."""
from after_sales.models import Base
from shared.migrations import run_env

run_env(Base.metadata)

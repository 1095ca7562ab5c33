"""Alembic environment of the orders service (run by ``dealer migrate``)."""
from orders.models import Base
from shared.migrations import run_env

run_env(Base.metadata)

"""The orders service as the ``dealer`` command sees it: app, tables, migrations, consumers."""
from __future__ import annotations

from pathlib import Path

from orders.consumers import HANDLERS
from orders.models import Base
from shared.service import ServiceSpec

SPEC = ServiceSpec(
    name="orders",
    app_factory="orders.app:create_app()",
    metadata=Base.metadata,
    migrations=Path(__file__).resolve().parent.parent / "migrations",
    handlers=HANDLERS,
)

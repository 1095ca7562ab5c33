"""The inventory service as the ``dealer`` command sees it: app, tables, migrations, consumers."""
from __future__ import annotations

from pathlib import Path

from inventory.consumers import HANDLERS
from inventory.models import Base
from shared.service import ServiceSpec

SPEC = ServiceSpec(
    name="inventory",
    app_factory="inventory.app:create_app()",
    metadata=Base.metadata,
    migrations=Path(__file__).resolve().parent.parent / "migrations",
    handlers=HANDLERS,
)

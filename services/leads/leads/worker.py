"""The leads service as the ``dealer`` command sees it: app, tables, migrations, consumers."""
from __future__ import annotations

from pathlib import Path

from leads.consumers import HANDLERS
from leads.models import Base
from shared.service import ServiceSpec

SPEC = ServiceSpec(
    name="leads",
    app_factory="leads.app:create_app()",
    metadata=Base.metadata,
    migrations=Path(__file__).resolve().parent.parent / "migrations",
    handlers=HANDLERS,
)

"""The reporting service as the ``dealer`` command sees it: app, tables, consumer, jobs, commands."""
from __future__ import annotations

from pathlib import Path

from reporting.cli import reporting
from reporting.consumers import store_and_project, store_and_project_all
from reporting.models import Base
from reporting.services import run_requested_rebuilds
from shared.service import ScheduledJob, ServiceSpec

SPEC = ServiceSpec(
    name="reporting",
    app_factory="reporting.app:create_app()",
    metadata=Base.metadata,
    migrations=Path(__file__).resolve().parent.parent / "migrations",
    handlers={"#": store_and_project},
    batch_handler=store_and_project_all,
    bindings=("#",),
    jobs=(ScheduledJob("rebuild", 1.0, run_requested_rebuilds),),
    commands=reporting,
)

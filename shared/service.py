"""What the ``dealer`` command needs to know about each installed service.

Each service declares a ``ServiceSpec`` under the ``dealer.services`` entry point
group, so the command line finds the services installed without importing any
of them by name (services never import each other).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

from sqlalchemy import MetaData
from sqlalchemy.orm import Session

from shared.config import DEFAULT_PORTS

Handlers = dict[str, Callable[[Session, dict[str, Any]], None]]
BatchHandler = Callable[[Session, list[dict[str, Any]]], None]


@dataclass(frozen=True)
class ScheduledJob:
    """A piece of work the worker runs every ``every_seconds`` (escalations, clean-up)."""

    name: str
    every_seconds: float
    run: Callable[[Session], int]


@dataclass(frozen=True)
class ServiceSpec:
    """One service: its app, its tables and migrations, what it consumes."""

    name: str
    app_factory: str
    metadata: MetaData
    migrations: Path
    handlers: Handlers = field(default_factory=dict)
    bindings: tuple[str, ...] = ()
    jobs: tuple[ScheduledJob, ...] = ()
    commands: Any = None
    batch_handler: BatchHandler | None = None  # applies a whole batch at once; per-event handlers on failure

    @property
    def port(self) -> int:
        return DEFAULT_PORTS[self.name]


def installed_services() -> dict[str, ServiceSpec]:
    """Every service installed in this environment, in port order."""
    specs = [ep.load() for ep in entry_points(group="dealer.services")]
    return {spec.name: spec for spec in sorted(specs, key=lambda s: s.port)}


def service(name: str) -> ServiceSpec:
    """One installed service by name, or a clear error listing the installed ones."""
    points = entry_points(group="dealer.services")
    for point in points:
        if point.name == name:
            spec: ServiceSpec = point.load()
            return spec
    raise KeyError(f"no service {name!r}; installed: {', '.join(p.name for p in points) or 'none'}")

def declare_queues(spec: ServiceSpec) -> None:
    """Declare a consuming service's queues and bindings, so no event waits for its first start."""
    if not spec.handlers:
        return
    from shared import broker
    from shared.config import load_settings

    settings = load_settings(spec.name)
    conn = broker.connect(settings.amqp_url)
    try:
        broker.declare_consumer_queues(broker.raw_channel(conn), settings, spec.bindings or sorted(spec.handlers))
    finally:
        conn.close()

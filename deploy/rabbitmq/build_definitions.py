"""Write ``deploy/rabbitmq/definitions.json`` from what the services themselves declare.

RabbitMQ refuses a declaration whose arguments differ from an existing queue's
(PRECONDITION_FAILED), so the broker's boot-time definitions are not written by
hand: this script runs ``shared.broker``'s own declarations against a recorder
and turns them into the definitions format. The user is a placeholder that
``entrypoint.sh`` fills in from the environment at start, so no secret is committed.

Run it after a service changes what it consumes: ``python deploy/rabbitmq/build_definitions.py``.
"""
from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
OUTPUT = Path(__file__).resolve().parent / "definitions.json"
USER, PASSWORD, VHOST = "__RABBITMQ_USER__", "__RABBITMQ_PASSWORD__", "/"
# Settings a test or a developer may have exported; the definitions describe the defaults.
_LOCAL_OVERRIDES = ("DEALER_NAMESPACE", "DEALER_EXCHANGE", "DEALER_RETRY_DELAYS_MS")


class RecordingChannel:
    """Stands in for an AMQP channel and keeps every declaration made on it."""

    def __init__(self) -> None:
        self.exchanges: dict[str, dict[str, Any]] = {}
        self.queues: dict[str, dict[str, Any]] = {}
        self.bindings: list[dict[str, Any]] = []

    def exchange_declare(self, name: str, kind: str, durable: bool = False, auto_delete: bool = True,
                         arguments: dict[str, Any] | None = None, **_: Any) -> None:
        self.exchanges[name] = {"name": name, "vhost": VHOST, "type": kind, "durable": durable,
                                "auto_delete": auto_delete, "internal": False, "arguments": arguments or {}}

    def queue_declare(self, name: str, durable: bool = False, auto_delete: bool = False,
                      arguments: dict[str, Any] | None = None, **_: Any) -> None:
        self.queues[name] = {"name": name, "vhost": VHOST, "durable": durable, "auto_delete": auto_delete,
                             "arguments": dict(arguments or {})}

    def queue_bind(self, queue: str, exchange: str, routing_key: str = "", **_: Any) -> None:
        binding = {"source": exchange, "vhost": VHOST, "destination": queue, "destination_type": "queue",
                   "routing_key": routing_key, "arguments": {}}
        if binding not in self.bindings:
            self.bindings.append(binding)


@contextmanager
def default_environment() -> Iterator[None]:
    """Hide local overrides of broker names while the declarations are recorded."""
    saved = {name: os.environ.pop(name) for name in _LOCAL_OVERRIDES if name in os.environ}
    try:
        yield
    finally:
        os.environ.update(saved)


def consuming_services() -> dict[str, Any]:
    """Every installed service that consumes events, by name; one that cannot load is named on stderr."""
    from importlib.metadata import entry_points

    specs = {}
    for point in entry_points(group="dealer.services"):
        try:
            spec = point.load()
        except ImportError as exc:  # a service still being written: its queues come with the next run
            print(f"warning: service {point.name} not loadable ({exc}); its queues are left out", file=sys.stderr)
            continue
        if spec.handlers:  # the worker consumes only when it has handlers
            specs[spec.name] = spec
    return dict(sorted(specs.items()))


def record_declarations() -> RecordingChannel:
    """Run every installed consuming service's declarations against a recorder."""
    from shared import broker
    from shared.config import load_settings

    channel = RecordingChannel()
    with default_environment():
        broker.declare_exchange(channel, load_settings("leads"))  # type: ignore[arg-type]
        for name, spec in consuming_services().items():
            bindings = list(spec.bindings) or sorted(spec.handlers)
            broker.declare_consumer_queues(channel, load_settings(name), bindings)  # type: ignore[arg-type]
    return channel


def definitions() -> dict[str, Any]:
    """The broker's boot-time definitions: vhost, user, permissions, exchanges, queues, bindings."""
    channel = record_declarations()
    return {
        "rabbit_version": "3.13",
        "vhosts": [{"name": VHOST}],
        "users": [{"name": USER, "password": PASSWORD, "tags": "management"}],
        "permissions": [{"user": USER, "vhost": VHOST, "configure": ".*", "write": ".*", "read": ".*"}],
        "exchanges": sorted(channel.exchanges.values(), key=lambda e: e["name"]),
        "queues": sorted(channel.queues.values(), key=lambda q: q["name"]),
        "bindings": sorted(channel.bindings, key=lambda b: (b["destination"], b["source"], b["routing_key"])),
        "policies": [],
        "parameters": [],
    }


def render() -> str:
    """The definitions as the committed file's text."""
    return json.dumps(definitions(), indent=2, sort_keys=True) + "\n"


def main() -> int:
    """Write the file; with ``--check``, only say whether it is up to date."""
    text = render()
    if "--check" in sys.argv[1:]:
        current = OUTPUT.read_text() if OUTPUT.exists() else ""
        if current != text:
            print(f"{OUTPUT.relative_to(ROOT)} is stale: run python deploy/rabbitmq/build_definitions.py")
            return 1
        return 0
    OUTPUT.write_text(text)
    print(f"wrote {OUTPUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main())

"""deploy/rabbitmq/definitions.json is what the services declare, so their declarations never conflict."""
from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import uuid
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
DEFINITIONS = ROOT / "deploy" / "rabbitmq" / "definitions.json"


def builder() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_definitions", DEFINITIONS.parent / "build_definitions.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_definitions_equal_the_ones_generated_from_the_installed_services() -> None:
    assert DEFINITIONS.read_text() == builder().render(), (
        "deploy/rabbitmq/definitions.json is stale: run python deploy/rabbitmq/build_definitions.py")


def test_the_check_mode_of_the_generator_agrees() -> None:
    result = subprocess.run([sys.executable, str(DEFINITIONS.parent / "build_definitions.py"), "--check"],
                            cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_definitions_declare_the_exchanges_each_consumers_queues_and_a_non_guest_user() -> None:
    defs = json.loads(DEFINITIONS.read_text())
    exchanges = {e["name"]: e for e in defs["exchanges"]}
    assert exchanges["dealer.events"]["type"] == "topic" and exchanges["dealer.events"]["durable"]
    assert exchanges["dealer.dead"]["type"] == "direct" and exchanges["dealer.dead"]["durable"]
    queues = {q["name"]: q for q in defs["queues"]}
    consumers = {name.split(".")[0] for name in queues}
    assert "leads" in consumers
    for svc in consumers:
        main, dead = queues[f"{svc}.events"], queues[f"{svc}.dead"]
        assert main["arguments"] == {"x-queue-type": "quorum", "x-dead-letter-exchange": "dealer.dead",
                                     "x-dead-letter-routing-key": f"{svc}.dead"}
        assert dead["arguments"] == {"x-queue-type": "quorum"}
        retries = [q for name, q in queues.items() if name.startswith(f"{svc}.retry.")]
        assert retries and all(q["arguments"]["x-dead-letter-routing-key"] == f"{svc}.events" for q in retries)
        assert "x-queue-type" not in retries[0]["arguments"], "retry queues are classic queues"
    assert [u["name"] for u in defs["users"]] == ["__RABBITMQ_USER__"]
    assert all(u["name"] != "guest" for u in defs["users"])
    assert "__RABBITMQ_PASSWORD__" in DEFINITIONS.read_text()


def declare_from_definitions(channel: Any, defs: dict[str, Any], namespace: str) -> None:
    """Do what RabbitMQ does when it imports the definitions, under a test's own names."""
    def named(name: str) -> str:
        return f"{namespace}{name}" if name else name

    for exchange in defs["exchanges"]:
        channel.exchange_declare(named(exchange["name"]), exchange["type"], durable=exchange["durable"],
                                 auto_delete=exchange["auto_delete"])
    for queue in defs["queues"]:
        arguments = {k: named(v) if k.startswith("x-dead-letter") else v for k, v in queue["arguments"].items()}
        channel.queue_declare(named(queue["name"]), durable=queue["durable"], auto_delete=queue["auto_delete"],
                              arguments=arguments)
    for binding in defs["bindings"]:
        key = named(binding["routing_key"]) if binding["source"] == "dealer.dead" else binding["routing_key"]
        channel.queue_bind(named(binding["destination"]), named(binding["source"]), key)


def test_services_declare_over_the_imported_definitions_without_a_precondition_failure(
        amqp_url: str, monkeypatch: Any) -> None:
    from dealer_testing import delete_namespace
    from shared import broker
    from shared.config import load_settings

    namespace = f"t{uuid.uuid4().hex[:8]}."
    monkeypatch.delenv("DEALER_RETRY_DELAYS_MS", raising=False)
    monkeypatch.delenv("DEALER_EXCHANGE", raising=False)
    monkeypatch.setenv("DEALER_NAMESPACE", namespace)
    defs = json.loads(DEFINITIONS.read_text())
    conn = broker.connect(amqp_url)
    try:
        declare_from_definitions(broker.raw_channel(conn), defs, namespace)
        for svc, spec in builder().consuming_services().items():
            channel = broker.raw_channel(conn)  # a PRECONDITION_FAILED would close it and raise here
            broker.declare_consumer_queues(channel, load_settings(svc), list(spec.bindings) or sorted(spec.handlers))
            channel.close()
    finally:
        conn.close()
        delete_namespace(amqp_url, namespace)

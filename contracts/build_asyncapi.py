"""Build ``asyncapi.yaml`` (AsyncAPI 3.1) from ``envelope.json`` and ``events/*.json``.

The JSON Schemas are the contract; this document is the subscribers' manual
generated from them, so the two never disagree. Run after adding or changing a
schema: ``python -m contracts.build_asyncapi`` (``--check`` only compares;
tests/contract checks the committed file is current).
"""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
OUTPUT = HERE / "asyncapi.yaml"
EXCHANGE = "dealer.events"
AMQP_BINDING = "0.3.0"

DESCRIPTION = """\
Domain events of the dealership back office (销售线索, 订单, 库存, 售后), published on the
RabbitMQ topic exchange `dealer.events`. The routing key is `<service>.<entity>.<verb>`;
every message is a CloudEvents 1.0 envelope in JSON structured mode whose `data` is
described by the event type's schema. A subscriber declares its own durable queue, binds
it to the keys it wants (wildcards `*` and `#` work) and acks each message after
processing it: see docs/subscribing.md.

**Delivery: at least once.** Producers write events to a transactional outbox and publish
them with broker confirms, as persistent messages; a crash between publishing and
recording it republishes the same event. Consumers must deduplicate on the pair
`source` + `id` and ack only after their own transaction committed.

**Ordering: per entity, not global.** A producer publishes the events of one entity (one
`subject`, e.g. one order) in the order it committed them, as a rule. Nothing orders
events across entities or across producers, and a redelivery, a retry or a second relay
of the producer can bring an event after a later one of the same entity: compare `time`
with what you hold and ignore an older event's state.

**Versioning: fields are only added.** Within a type such as
`dealer.orders.order.placed.v1`, a new version of the contract may add optional fields
but never removes, renames or retypes one, nor makes an optional one required; readers
ignore fields they do not know. A breaking change is a new type `...v2` on the same
routing key, published beside `v1` for as long as subscribers need; check `type`.

**Catching up.** Each service also serves its events as a feed,
`GET /api/v1/events?after=<cursor>&limit=N`, for a subscriber that starts late.
"""


def load(path: Path) -> dict[str, Any]:
    """A JSON Schema without ``$schema``/``$id``, ready to embed (AsyncAPI Schema is JSON Schema)."""
    schema = json.loads(path.read_text())
    return {k: v for k, v in schema.items() if k not in ("$schema", "$id")}


def event_types() -> list[str]:
    """``leads.lead.created.v1`` ... one per schema file, sorted."""
    return sorted(p.stem for p in (HERE / "events").glob("*.json"))


def routing_key(event_type: str) -> str:
    return event_type.rsplit(".", 1)[0]


def message(event_type: str, schema: dict[str, Any]) -> dict[str, Any]:
    """The message of one event type: the envelope with its ``type``, ``source`` and ``data`` pinned."""
    service = event_type.split(".", 1)[0]
    return {
        "name": f"dealer.{event_type}",
        "title": schema.get("title", event_type).split(": ", 1)[-1],
        "contentType": "application/json",
        "correlationId": {"location": "$message.payload#/correlationid"},
        "payload": {"allOf": [
            {"$ref": "#/components/schemas/Envelope"},
            {"type": "object", "properties": {
                "type": {"const": f"dealer.{event_type}"},
                "source": {"const": f"/dealer/{service}"},
                "data": {"$ref": f"#/components/schemas/{event_type}"},
            }},
        ]},
        "bindings": {"amqp": {"messageType": f"dealer.{event_type}", "bindingVersion": AMQP_BINDING}},
    }


def channel(key: str, versions: list[str]) -> dict[str, Any]:
    return {
        "address": key,
        "title": key,
        "messages": {v: {"$ref": f"#/components/messages/{v}"} for v in versions},
        "bindings": {"amqp": {"is": "routingKey", "bindingVersion": AMQP_BINDING, "exchange": {
            "name": EXCHANGE, "type": "topic", "durable": True, "autoDelete": False, "vhost": "/"}}},
    }


def operation(key: str, versions: list[str]) -> dict[str, Any]:
    service = key.split(".", 1)[0]
    return {
        "action": "send",
        "title": f"{service} publishes {key}",
        "channel": {"$ref": f"#/channels/{key}"},
        "messages": [{"$ref": f"#/channels/{key}/messages/{v}"} for v in versions],
        "tags": [{"name": service}],
        "bindings": {"amqp": {"deliveryMode": 2, "mandatory": False, "bindingVersion": AMQP_BINDING}},
    }


def document() -> dict[str, Any]:
    """The AsyncAPI 3.1 document of every event type in ``events/``."""
    types = event_types()
    schemas = {t: load(HERE / "events" / f"{t}.json") for t in types}
    keys: dict[str, list[str]] = {}
    for t in types:
        keys.setdefault(routing_key(t), []).append(t)
    return {
        "asyncapi": "3.1.0",
        "info": {"title": "Dealer events", "version": "1.0.0", "description": DESCRIPTION,
                 "tags": [{"name": s} for s in sorted({t.split(".", 1)[0] for t in types})]},
        "defaultContentType": "application/json",
        "servers": {"broker": {
            "host": "rabbitmq:5672", "protocol": "amqp", "protocolVersion": "0.9.1", "pathname": "/",
            "description": "The platform's RabbitMQ (vhost /); ask ops for a user of your own.",
            "security": [{"$ref": "#/components/securitySchemes/brokerUser"}]}},
        "channels": {key: channel(key, versions) for key, versions in keys.items()},
        "operations": {key: operation(key, versions) for key, versions in keys.items()},
        "components": {
            "schemas": {"Envelope": load(HERE / "envelope.json"), **schemas},
            "messages": {t: message(t, schemas[t]) for t in types},
            "securitySchemes": {"brokerUser": {"type": "userPassword",
                                               "description": "A RabbitMQ user with read access to its queue."}},
        },
    }


class _Dumper(yaml.SafeDumper):
    """Writes multi-line text as a literal block, as a person would."""


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text)


def render() -> str:
    """The document as the committed file's text."""
    head = "# Generated by contracts/build_asyncapi.py from envelope.json and events/*.json: do not edit.\n"
    return head + yaml.dump(document(), Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


def main() -> int:
    """Write ``asyncapi.yaml``; with ``--check``, only say whether it is current."""
    text = render()
    if "--check" in sys.argv[1:]:
        if not OUTPUT.exists() or OUTPUT.read_text() != text:
            print("contracts/asyncapi.yaml is stale: run python -m contracts.build_asyncapi")
            return 1
        return 0
    OUTPUT.write_text(text)
    print(f"wrote {OUTPUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""The public event contract: asyncapi.yaml is current and valid, and covers every event a service uses."""
from __future__ import annotations

import copy
import json
import re
import subprocess
import sys
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft7Validator

from contracts import contract_errors, known_event_types
from contracts.build_asyncapi import render
from shared.envelope import make_event

ROOT = Path(__file__).resolve().parents[2]
ASYNCAPI = ROOT / "contracts" / "asyncapi.yaml"
ROUTING_KEY_LITERAL = re.compile(r"[\"']((?:leads|orders|inventory|after_sales|reporting)\.[a-z_]+\.[a-z_]+)[\"']")


@cache
def document() -> dict[str, Any]:
    return dict(yaml.safe_load(ASYNCAPI.read_text()))


def payload_validator(event_type: str) -> Draft7Validator:
    """Validates a whole envelope against the document's message for ``event_type``."""
    name = event_type.removeprefix("dealer.")
    return Draft7Validator({**document(), "$ref": f"#/components/messages/{name}/payload"})


def placed_order(**changes: Any) -> dict[str, Any]:
    """A valid ``orders.order.placed`` event, with ``changes`` applied to its data."""
    data = {"order_id": "o1", "lead_id": "l1", "consultant_id": "c1", "model": "Aurora", "trim": "Lux",
            "color": "white", "vin": None, "msrp": "199900.00", "price": "189900.00", "deposit": "5000.00",
            "payment_method": "loan", "placed_at": datetime(2026, 11, 22, tzinfo=UTC).isoformat(),
            "customer_phone_masked": "138****5678"}
    data.update(changes)
    return make_event("orders", "orders.order.placed", "o1", {k: v for k, v in data.items() if v is not ...})


def test_the_committed_asyncapi_document_is_generated_from_the_schemas() -> None:
    assert ASYNCAPI.read_text() == render(), "run python -m contracts.build_asyncapi"


def test_the_readable_contract_page_is_generated_from_the_document() -> None:
    result = subprocess.run([sys.executable, str(ROOT / "docs" / "contract" / "build_markdown.py"), "--check"],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_document_is_valid_asyncapi_3_1() -> None:
    schema = json.loads((Path(__file__).parent / "schemas" / "asyncapi-3.1.0.json").read_text())
    validator = Draft7Validator(schema)
    errors = [f"{'/'.join(map(str, e.path))}: {e.message[:200]}" for e in validator.iter_errors(document())]
    assert errors == []


def test_the_asyncapi_schema_check_rejects_a_broken_document() -> None:
    schema = json.loads((Path(__file__).parent / "schemas" / "asyncapi-3.1.0.json").read_text())
    broken = copy.deepcopy(document())
    broken["operations"]["orders.order.placed"]["action"] = "publish"  # AsyncAPI 2's word, not 3's
    assert list(Draft7Validator(schema).iter_errors(broken))


def test_every_reference_in_the_document_resolves() -> None:
    def refs(node: Any) -> list[str]:
        if isinstance(node, dict):
            own = [node["$ref"]] if "$ref" in node else []
            return own + [r for v in node.values() for r in refs(v)]
        return [r for v in node for r in refs(v)] if isinstance(node, list) else []

    for ref in refs(document()):
        target: Any = document()
        for part in ref.removeprefix("#/").split("/"):
            assert part in target, f"{ref} does not resolve"
            target = target[part]


def test_every_event_type_of_the_contract_has_its_channel_operation_and_message() -> None:
    doc = document()
    for event_type in known_event_types():
        name = event_type.removeprefix("dealer.")
        key = name.rsplit(".", 1)[0]
        assert doc["channels"][key]["address"] == key
        assert doc["channels"][key]["bindings"]["amqp"]["exchange"]["name"] == "dealer.events"
        assert doc["operations"][key]["action"] == "send"
        assert doc["components"]["messages"][name]["name"] == event_type
    assert len(doc["components"]["messages"]) == len(known_event_types())


def test_the_document_states_delivery_ordering_and_versioning() -> None:
    text = document()["info"]["description"]
    for promise in ("at least once", "`source` + `id`", "per entity, not global", "fields are only added", ".v"):
        assert promise in text.replace("*", ""), promise


def test_every_routing_key_a_service_names_in_its_code_is_in_the_contract() -> None:
    known = {t.removeprefix("dealer.").rsplit(".", 1)[0] for t in known_event_types()}
    named: dict[str, set[str]] = {}
    for source in (path for service in ROOT.glob("services/*") for path in (service / service.name).rglob("*.py")):
        for key in ROUTING_KEY_LITERAL.findall(source.read_text()):
            named.setdefault(key, set()).add(str(source.relative_to(ROOT)))
    assert named, "no routing key found in the services' code"
    unknown = {key: sorted(files) for key, files in named.items() if key not in known}
    assert unknown == {}, "published or consumed but missing from contracts/events"


def test_every_key_an_installed_service_consumes_is_in_the_contract() -> None:
    from importlib.metadata import entry_points

    known = {t.removeprefix("dealer.").rsplit(".", 1)[0] for t in known_event_types()}
    for point in entry_points(group="dealer.services"):
        try:
            spec = point.load()
        except ImportError:
            continue  # a service still being written: the routing-key scan above covers its code
        keys = {k for k in [*spec.handlers, *spec.bindings] if "*" not in k and "#" not in k}
        assert keys <= known, f"{spec.name} consumes {sorted(keys - known)}, which the contract lacks"


def test_a_conforming_event_passes_both_the_schemas_and_the_asyncapi_message() -> None:
    event = placed_order()
    assert contract_errors(event) == []
    assert list(payload_validator(event["type"]).iter_errors(event)) == []


@pytest.mark.parametrize("broken, why", [
    (placed_order(price=189900), "a number where the contract says a decimal string"),
    (placed_order(order_id=...), "a required field missing"),
    (placed_order(discount="100.00"), "a field the contract does not have"),
    (placed_order(payment_method="barter"), "a value outside the enum"),
])
def test_a_payload_that_breaks_its_schema_is_reported(broken: dict[str, Any], why: str) -> None:
    assert contract_errors(broken), why
    assert list(payload_validator(broken["type"]).iter_errors(broken)), why


def test_an_event_type_the_contract_lacks_is_reported() -> None:
    event = make_event("orders", "orders.order.teleported", "o1", {"order_id": "o1"})
    assert any("no schema" in e for e in contract_errors(event))


def test_a_broken_envelope_is_reported() -> None:
    event = placed_order()
    del event["correlationid"]
    event["source"] = "/elsewhere"
    errors = contract_errors(event)
    assert any("correlationid" in e for e in errors) and any("source" in e or "/elsewhere" in e for e in errors)

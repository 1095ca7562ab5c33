"""Schemas only gain fields: a change that removes, retypes or newly requires one fails."""
from __future__ import annotations

import copy
import json
from typing import Any

from contracts import compat

OLD: dict[str, Any] = {
    "type": "object",
    "required": ["order_id", "price"],
    "properties": {
        "order_id": {"type": "string"},
        "price": {"type": "string", "pattern": "^[0-9]+\\.[0-9]{2}$"},
        "vin": {"type": ["string", "null"]},
        "payment_method": {"enum": ["cash", "loan"]},
        "placed_at": {"type": "string", "format": "date-time"},
        "customer": {"type": "object", "required": ["name"],
                     "properties": {"name": {"type": "string"}, "phone": {"type": "string"}}},
        "inquiry_ids": {"type": "array", "items": {"type": "string"}},
    },
    "additionalProperties": False,
}


def changed(edit: Any) -> dict[str, Any]:
    new = copy.deepcopy(OLD)
    edit(new)
    return new


def test_the_contract_is_compatible_with_its_previous_versions_in_git() -> None:
    assert compat.contract_breaks() == []


def test_the_history_check_compares_every_schema_and_the_envelope() -> None:
    names = [p.name for p in compat.schema_files()]
    assert names[0] == "envelope.json" and len(names) == 1 + len(list((compat.HERE / "events").glob("*.json")))
    for path in compat.schema_files():
        for _, old, new in compat.version_pairs(path):
            json.loads(old), json.loads(new)  # every compared version is a schema


def test_adding_an_optional_field_or_relaxing_required_is_compatible() -> None:
    def edit(new: dict[str, Any]) -> None:
        new["properties"]["discount"] = {"type": "string"}
        new["required"].remove("price")
        new["properties"]["payment_method"]["enum"].append("lease")
    assert compat.breaking_changes(OLD, changed(edit)) == []


def test_removing_a_field_is_breaking() -> None:
    assert compat.breaking_changes(OLD, changed(lambda n: n["properties"].pop("vin"))) == ["vin: removed"]


def test_retyping_a_field_is_breaking() -> None:
    def edit(new: dict[str, Any]) -> None:
        new["properties"]["price"] = {"type": "number"}
    assert compat.breaking_changes(OLD, changed(edit)) == ["price: type changed from ['string'] to ['number']"]


def test_making_a_nullable_field_non_nullable_or_changing_its_format_is_breaking() -> None:
    def edit(new: dict[str, Any]) -> None:
        new["properties"]["vin"]["type"] = "string"
        new["properties"]["placed_at"]["format"] = "date"
    problems = compat.breaking_changes(OLD, changed(edit))
    assert any(p.startswith("vin: type changed") for p in problems)
    assert any(p.startswith("placed_at: format changed") for p in problems)


def test_making_an_optional_field_required_is_breaking() -> None:
    assert compat.breaking_changes(OLD, changed(lambda n: n["required"].append("vin"))) == ["vin: made required"]


def test_changes_inside_nested_objects_and_arrays_are_found() -> None:
    def edit(new: dict[str, Any]) -> None:
        new["properties"]["customer"]["properties"].pop("phone")
        new["properties"]["customer"]["required"].append("phone")
        new["properties"]["inquiry_ids"]["items"] = {"type": "integer"}
    problems = compat.breaking_changes(OLD, changed(edit))
    assert "customer.phone: removed" in problems
    assert any(p.startswith("inquiry_ids[]: type changed") for p in problems)


def test_removing_an_enum_value_is_breaking() -> None:
    def edit(new: dict[str, Any]) -> None:
        new["properties"]["payment_method"]["enum"] = ["cash"]
    assert compat.breaking_changes(OLD, changed(edit)) == ["payment_method: enum lost ['loan']"]

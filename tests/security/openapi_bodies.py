"""Requests built from a service's own OpenAPI document: which operations exist, what they take.

``fill`` makes a body that passes the schema's shape, with a chosen text in every free text field,
so a hostile value reaches as far into the service as input validation lets it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Flask

VALID_BY_PATTERN = {"^1[3-9][0-9]{9}$": "13700137000", "^[0-9]{17}[0-9X]$": "110101199003074514"}  # Phone, ID
MONEY_PATTERN_START = "^(0|[1-9]"


@dataclass(frozen=True)
class Operation:
    """One operation of the OpenAPI document and the inputs it declares."""

    method: str
    path: str
    path_params: tuple[str, ...]
    query_params: dict[str, dict[str, Any]]
    body: dict[str, Any] | None

    def url(self, values: dict[str, str], default: str) -> str:
        """The path with each parameter taken from ``values``, else ``default``."""
        path = self.path
        for name in self.path_params:
            path = path.replace("{" + name + "}", values.get(name, default))
        return path


def operations(app: Flask) -> tuple[list[Operation], dict[str, Any]]:
    """Every operation in the app's ``/openapi.json``, and the document's component schemas."""
    document = app.test_client().get("/openapi.json").get_json()
    components = document.get("components", {}).get("schemas", {})
    found = []
    for path, item in document["paths"].items():
        for method, spec in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            params = spec.get("parameters", []) + item.get("parameters", [])
            body = spec.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            found.append(Operation(
                method.upper(), path, tuple(p["name"] for p in params if p["in"] == "path"),
                {p["name"]: p.get("schema", {}) for p in params if p["in"] == "query"},
                resolve(body, components) if body else None))
    return found, components


def resolve(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    """The schema with a ``$ref`` or a nullable ``anyOf`` replaced by what it points to."""
    if "$ref" in schema:
        return resolve(components[schema["$ref"].rsplit("/", 1)[1]], components)
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            options = [s for s in schema[key] if not (s.get("type") == "object" and s.get("nullable")
                                                      and "properties" not in s)]
            return resolve(options[0] if options else schema[key][0], components)
    return schema


def _string(schema: dict[str, Any], text: str) -> str:
    if schema.get("format") == "date-time":
        return (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    if schema.get("format") == "date":
        return datetime.now(UTC).date().isoformat()
    pattern = schema.get("pattern", "")
    if pattern.startswith(MONEY_PATTERN_START):
        return "100.00"
    return VALID_BY_PATTERN.get(pattern, text)


def fill(schema: dict[str, Any], components: dict[str, Any], text: str, required_only: bool = False) -> Any:
    """A value of the schema's shape: enums take their first value, free text takes ``text``."""
    schema = resolve(schema, components)
    if "enum" in schema:
        return next((v for v in schema["enum"] if v is not None), None)
    kind = schema.get("type", "object")
    if kind == "string":
        return _string(schema, text)
    if kind in ("integer", "number"):
        return max(1, int(schema.get("minimum", 1)))
    if kind == "boolean":
        return True
    if kind == "array":
        return [fill(schema.get("items", {}), components, text, required_only)]
    wanted = schema.get("required", []) if required_only else schema.get("properties", {})
    return {name: fill(sub, components, text, required_only) for name, sub in schema.get("properties", {}).items()
            if name in wanted}


def string_fields(schema: dict[str, Any], components: dict[str, Any], prefix: str = "") -> list[str]:
    """Dotted names of every free text field of a body schema (``customer.name``)."""
    schema = resolve(schema, components)
    names = []
    for name, sub in schema.get("properties", {}).items():
        sub = resolve(sub, components)
        dotted = f"{prefix}{name}"
        if sub.get("type") == "string" and "enum" not in sub and not sub.get("format"):
            names.append(dotted)
        elif sub.get("type", "object") == "object" and "properties" in sub:
            names += string_fields(sub, components, dotted + ".")
    return names


def array_fields(schema: dict[str, Any], components: dict[str, Any]) -> list[str]:
    """Top-level fields of a body schema that hold lists."""
    schema = resolve(schema, components)
    return [name for name, sub in schema.get("properties", {}).items()
            if resolve(sub, components).get("type") == "array"]


def with_value(body: dict[str, Any], dotted: str, value: Any) -> dict[str, Any]:
    """A copy of ``body`` with the field at ``dotted`` set to ``value``."""
    head, _, rest = dotted.partition(".")
    copy = dict(body)
    copy[head] = with_value(dict(copy.get(head) or {}), rest, value) if rest else value
    return copy

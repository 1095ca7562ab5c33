"""Write ``docs/contract.md``: the event contract as a page to read, from ``contracts/asyncapi.yaml``.

The AsyncAPI HTML renderer (``npm --prefix docs/contract run html``) needs node; this
page needs nothing and is what a reader finds in the repository. Run after
rebuilding asyncapi.yaml: ``python docs/contract/build_markdown.py`` (``--check``
only compares; a test checks the page is current).
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "contracts" / "asyncapi.yaml"
OUTPUT = ROOT / "docs" / "contract.md"


def type_of(schema: dict[str, Any]) -> str:
    """A field's type in words: ``string or null``, ``array of string``, ``one of cash, loan``."""
    if "const" in schema:
        return f"`{schema['const']}`"
    if "enum" in schema:
        return "one of " + ", ".join(f"`{v}`" for v in schema["enum"])
    kinds = schema.get("type", "any")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    words = [f"array of {type_of(schema.get('items', {}))}" if k == "array" else k for k in kinds]
    return " or ".join(words)


def notes(schema: dict[str, Any]) -> str:
    """Format, pattern, lengths and the description of a field, in one cell."""
    parts = []
    if "format" in schema:
        parts.append(f"format {schema['format']}")
    if "pattern" in schema:
        parts.append(f"pattern `{schema['pattern']}`")
    if "minLength" in schema and schema.get("minLength") == schema.get("maxLength"):
        parts.append(f"{schema['minLength']} characters")
    elif "minLength" in schema:
        parts.append(f"at least {schema['minLength']} characters")
    if "minimum" in schema:
        parts.append(f"≥ {schema['minimum']}")
    if schema.get("description"):
        parts.append(schema["description"])
    return "; ".join(parts).replace("|", "\\|")


def rows(schema: dict[str, Any], prefix: str = "") -> list[str]:
    """One table row per field, nested objects' fields as ``parent.child``."""
    required = set(schema.get("required", []))
    lines = []
    for name, field in schema.get("properties", {}).items():
        lines.append(f"| `{prefix}{name}` | {type_of(field)} | {'yes' if name in required else 'no'} "
                     f"| {notes(field)} |")
        if field.get("properties"):
            lines += rows(field, f"{prefix}{name}.")
    return lines


def table(schema: dict[str, Any]) -> list[str]:
    return ["| field | type | required | notes |", "|---|---|---|---|", *rows(schema)]


def render(doc: dict[str, Any]) -> str:
    """The whole page."""
    schemas, messages = doc["components"]["schemas"], doc["components"]["messages"]
    exchange = next(iter(doc["channels"].values()))["bindings"]["amqp"]["exchange"]
    lines = [
        f"# {doc['info']['title']}: the public event contract (version {doc['info']['version']})",
        "",
        "Generated from `contracts/asyncapi.yaml` (AsyncAPI 3.1) by `docs/contract/build_markdown.py`: "
        "do not edit. For the HTML rendering: `PUPPETEER_SKIP_DOWNLOAD=1 npm --prefix docs/contract install && "
        "npm --prefix docs/contract run html` (writes `docs/contract/html/`). "
        "How to subscribe: [subscribing.md](subscribing.md).",
        "",
        doc["info"]["description"].strip(),
        "",
        "## Broker",
        "",
        f"Exchange `{exchange['name']}` ({exchange['type']}, durable) on vhost `{exchange['vhost']}`; "
        "messages are persistent (delivery mode 2), `content_type` `application/json`, "
        "`message_id` = the event's `id`, `type` = the event type.",
        "",
        "## The envelope (CloudEvents 1.0, every event)",
        "",
        *table(schemas["Envelope"]),
        "",
        "## Events",
        "",
        "| routing key | event type | published by | what happened |",
        "|---|---|---|---|",
    ]
    for key in doc["channels"]:
        for name in doc["channels"][key]["messages"]:
            message = messages[name]
            lines.append(f"| [`{key}`](#{name.replace('.', '')}) | `{message['name']}` | "
                         f"{key.split('.')[0]} | {message['title']} |")
    for key in doc["channels"]:
        for name in doc["channels"][key]["messages"]:
            message = messages[name]
            lines += ["", f"### {name}", "", f"Routing key `{key}`, type `{message['name']}`, "
                      f"source `/dealer/{key.split('.')[0]}`. {message['title']}.", "", "`data`:", "",
                      *table(schemas[name])]
    return "\n".join(lines) + "\n"


def main() -> int:
    """Write the page; with ``--check``, only say whether it is current."""
    text = render(yaml.safe_load(SOURCE.read_text()))
    if "--check" in sys.argv[1:]:
        if not OUTPUT.exists() or OUTPUT.read_text() != text:
            print("docs/contract.md is stale: run python docs/contract/build_markdown.py")
            return 1
        return 0
    OUTPUT.write_text(text)
    print(f"wrote {OUTPUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

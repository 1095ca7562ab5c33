"""Each service's OpenAPI document passes Spectral's ``spectral:oas`` ruleset with zero warnings.

Client generators name methods from ``operationId`` and show ``description``s; an
outside team checks our documents with the ecosystem's own linter, so we do too.
Spectral comes from the npm registry, installed once under ``var/tools/spectral``.
"""
from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from dealer_testing.npm_tools import npm_tool

ROOT = Path(__file__).resolve().parents[2]
SPECTRAL_VERSION = "6.16.3"
SERVICES = ("leads", "orders", "inventory", "after_sales", "reporting")


def spectral() -> Path:
    """The Spectral command, installed from npm on first use."""
    return npm_tool("spectral", "@stoplight/spectral-cli", SPECTRAL_VERSION, "spectral")


def openapi_document(service: str, tmp_path: Path) -> dict[str, Any]:
    """The document the service serves at ``/openapi.json``."""
    import importlib

    app = importlib.import_module(f"{service}.app").create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"})
    response = app.test_client().get("/openapi.json")
    assert response.status_code == 200
    return dict(response.get_json())


@pytest.mark.parametrize("service", SERVICES)
def test_the_openapi_document_has_no_spectral_warnings(service: str, tmp_path: Path,
                                                       dealer_env: dict[str, str]) -> None:
    document = tmp_path / f"{service}.json"
    document.write_text(json.dumps(openapi_document(service, tmp_path)))
    (tmp_path / ".spectral.yaml").write_text('extends: ["spectral:oas"]\n')
    result = subprocess.run([str(spectral()), "lint", str(document), "--ruleset", str(tmp_path / ".spectral.yaml"),
                             "--fail-severity", "hint", "-f", "text"], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("service", SERVICES)
def test_every_operation_has_a_unique_operation_id_and_a_description(service: str, tmp_path: Path,
                                                                    dealer_env: dict[str, str]) -> None:
    paths = openapi_document(service, tmp_path)["paths"]
    operations = [op for path in paths.values() for method, op in path.items()
                  if method in ("get", "post", "put", "patch", "delete")]
    ids = [op.get("operationId") for op in operations]
    assert all(ids) and len(set(ids)) == len(ids)
    assert all(op.get("description") for op in operations)

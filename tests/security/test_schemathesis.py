"""Schemathesis sends generated requests to every operation of every service's OpenAPI document.

Each operation gets valid inputs, invalid inputs, and (where it has path parameters) valid inputs
aimed at a stored resource, authenticated with a role the route allows. Nothing may answer 5xx,
and every 4xx is problem+json whose ``status`` matches. ``SCHEMATHESIS_EXAMPLES`` sets the examples
per operation and kind of input (small in CI; ``make test-schemathesis`` runs 200).
"""
from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import schemathesis
from flask import Flask
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from security_kit import PROBLEM, build_app, departments_for, headers_for, required_roles, role_for
from seeds import seed

from shared.db import dispose_engines

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "6"))


@dataclass
class Tally:
    """What one service's run sent and what went wrong."""

    operations: int = 0
    examples: int = 0
    failures: dict[str, str] = field(default_factory=dict)


def endpoint_of(app: Flask, method: str, openapi_path: str) -> str:
    """The Flask endpoint serving an OpenAPI operation (``{id}`` in OpenAPI is ``<id>`` in Flask)."""
    for rule in app.url_map.iter_rules():
        if re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule) == openapi_path and method in (rule.methods or ()):
            return rule.endpoint
    raise AssertionError(f"{method} {openapi_path} is in the OpenAPI document but not served")


def fault_of(response: Any) -> str | None:
    """Why an answer breaks the rules: a 5xx, or an error that is not a matching problem+json."""
    if response.status_code >= 500:
        return f"{response.status_code}: {response.content[:200]!r}"
    if response.status_code < 400:
        return None
    content_type = (response.headers.get("content-type") or [""])[0].split(";")[0]
    if content_type != PROBLEM:
        return f"{response.status_code} answered as {content_type!r}"
    if json.loads(response.content).get("status") != response.status_code:
        return f"{response.status_code} with a problem whose status differs"
    return None


def exercise(strategy: Any, headers: dict[str, str], tally: Tally, label: str) -> None:
    """Send ``EXAMPLES`` generated cases; note the first fault, keep going through the other operations."""
    @given(case=strategy)
    @settings(max_examples=EXAMPLES, deadline=None, database=None, phases=[Phase.explicit, Phase.generate],
              suppress_health_check=list(HealthCheck))
    def send(case: Any) -> None:
        tally.examples += 1
        fault = fault_of(case.call(headers=headers))
        if fault and label not in tally.failures:
            tally.failures[label] = (f"{fault}; path={case.path_parameters} query={case.query} "
                                     f"body={str(case.body)[:200]}")

    try:
        send()
    except Exception as exc:  # noqa: BLE001 - a generation error is a finding to report, not a crash
        tally.failures.setdefault(label, f"could not generate: {exc!r}"[:300])


def run_schemathesis(service: str, directory: Path) -> Tally:
    """Every operation of one service, on a fresh database with one stored thing of each kind."""
    with departments_for(service, directory) as config:
        return run_operations(service, build_app(service, directory, **config))


def run_operations(service: str, app: Flask) -> Tally:
    """Generated cases for each operation of the app's OpenAPI document."""
    stored = seed(service, app)
    tally = Tally()
    for result in schemathesis.openapi.from_wsgi("/openapi.json", app).get_all_operations():
        operation = result.ok()
        method = operation.method.upper()
        headers = headers_for(role_for(required_roles(app, endpoint_of(app, method, operation.path))))
        tally.operations += 1
        name = f"{method} {operation.path}"
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            exercise(operation.as_strategy(generation_mode=mode), headers, tally, f"{name} {mode.value}")
        params = re.findall(r"\{([^}]+)\}", operation.path)
        if params and all(p in stored for p in params):
            strategy = operation.as_strategy(path_parameters={p: stored[p] for p in params})
            exercise(strategy, headers, tally, f"{name} on a stored resource")
    dispose_engines()
    return tally


def test_generated_requests_get_no_server_error_and_every_error_is_problem_json(service: str,
                                                                                 tmp_path: Path) -> None:
    tally = run_schemathesis(service, tmp_path)
    print(f"\nschemathesis {service}: {tally.operations} operations, {tally.examples} examples "
          f"({EXAMPLES} per operation and kind of input), {len(tally.failures)} failing")
    assert tally.operations > 0
    assert not tally.failures, "\n".join(f"{where}: {fault}" for where, fault in tally.failures.items())

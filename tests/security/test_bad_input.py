"""Hostile input to every operation of every service: oversized bodies, huge lists, 1 MB strings, SQL injection.

Each is answered with a clean 4xx problem+json (413 for a body over the 1 MiB limit, 422 otherwise;
an injection string in free text may be stored as text), and the service answers normally right after.
"""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import requests
from openapi_bodies import Operation, array_fields, fill, operations, string_fields, with_value
from security_kit import PROBLEM, build_app, headers_for, required_roles, role_for
from seeds import VALID_BODIES, seed

from dealer_testing import json_of, token
from shared.db import dispose_engines

TEN_MB = 10 * 1024 * 1024
ONE_MB_TEXT = "x" * 1_000_000  # 1 MB of text: the body stays under the 1 MiB limit, so the field is judged
INJECTIONS = ("' OR '1'='1", "x'; DROP TABLE outbox; --", "1 UNION SELECT name, sql FROM sqlite_master--",
              '" OR ""="')

class Service:
    """One service's app on a fresh database with one stored thing of each kind, and its operations."""

    def __init__(self, name: str, directory: Path) -> None:
        self.name, self.app = name, build_app(name, directory)
        self.stored = seed(name, self.app)
        self.operations, self.components = operations(self.app)
        self.client = self.app.test_client()

    def send(self, op: Operation, path_values: dict[str, str] | None = None, **kwargs: Any) -> Any:
        """Call the operation as a role it allows, with stored ids in the path unless told otherwise."""
        path = op.url(self.stored if path_values is None else path_values, "nothing")
        adapter = self.app.url_map.bind("localhost")
        endpoint, _ = adapter.match(path, method=op.method)
        headers = headers_for(role_for(required_roles(self.app, endpoint)), "c1")
        return self.client.open(path, method=op.method, headers=headers, **kwargs)

    def with_body(self) -> list[Operation]:
        return [op for op in self.operations if op.body is not None]

    def still_answers(self) -> None:
        """Liveness, and every stored resource still readable."""
        assert self.client.get("/healthz").status_code == 200
        readable = [op for op in self.operations if op.method == "GET"
                    and op.path_params and all(p in self.stored for p in op.path_params)]
        for op in readable or [op for op in self.operations if op.method == "GET"][:1]:
            response = self.send(op)
            assert response.status_code == 200, (op.path, response.get_json())


@pytest.fixture
def svc(service: str, tmp_path: Path) -> Iterator[Service]:
    yield Service(service, tmp_path)
    dispose_engines()


def clean_4xx(response: Any, *statuses: int) -> str | None:
    """What is wrong with the answer, when it is not one of ``statuses`` as problem+json."""
    if response.status_code not in statuses:
        return f"{response.status_code} {response.get_data(as_text=True)[:200]}"
    return None if response.mimetype == PROBLEM else f"{response.status_code} as {response.mimetype}"


def test_a_ten_megabyte_json_body_is_413_and_the_service_still_answers(svc: Service) -> None:
    body = ('{"x": "' + "x" * TEN_MB + '"}').encode()
    faults = {f"{op.method} {op.path}": clean_4xx(svc.send(op, data=body, content_type="application/json"), 413)
              for op in svc.with_body()}
    print(f"\n10 MB body: {svc.name}, {len(faults)} operations")
    assert {op: fault for op, fault in faults.items() if fault} == {}
    svc.still_answers()


def test_a_hundred_thousand_item_list_is_422_and_the_service_still_answers(svc: Service) -> None:
    faults = {}
    for op in svc.with_body():
        lists = array_fields(op.body, svc.components)
        body: Any = [1] * 100_000
        if lists:
            body = fill(op.body, svc.components, "text")
            body.update({name: ["x"] * 100_000 for name in lists})
        response = svc.send(op, json=body)
        fault = clean_4xx(response, 400, 422)
        if not fault and lists and not set(lists) & set(response.get_json().get("errors", {})):
            fault = f"422 without naming {lists}: {response.get_json()}"
        faults[f"{op.method} {op.path}"] = fault
    print(f"\n100,000-item list: {svc.name}, {len(faults)} operations")
    assert {op: fault for op, fault in faults.items() if fault} == {}
    svc.still_answers()


def test_a_one_megabyte_string_in_any_text_field_is_422_naming_the_field(svc: Service) -> None:
    faults = {}
    for op in svc.with_body():
        base = fill(op.body, svc.components, "text")
        for field in string_fields(op.body, svc.components):
            response = svc.send(op, json=with_value(base, field, ONE_MB_TEXT))
            fault = clean_4xx(response, 422)
            if not fault and field not in response.get_json().get("errors", {}):
                fault = f"422 without naming {field}: {sorted(response.get_json().get('errors', {}))}"
            faults[f"{op.method} {op.path} {field}"] = fault
    print(f"\n1 MB string: {svc.name}, {len(faults)} text fields")
    assert {op: fault for op, fault in faults.items() if fault} == {}
    svc.still_answers()


def valid_base(svc: Service, op: Operation) -> dict[str, Any]:
    """A body the operation accepts (where one is known), else one of the right shape with the required fields."""
    known = VALID_BODIES.get(f"{op.method} {op.path}")
    return known(svc.stored) if known else fill(op.body, svc.components, "text", required_only=True)


def injection_requests(svc: Service, op: Operation) -> Iterator[tuple[str, dict[str, Any], dict[str, Any]]]:
    """(what, path values, request arguments): each attack alone in each query parameter, text field and path."""
    for attack in INJECTIONS:
        for name, schema in op.query_params.items():
            if schema.get("type") == "string":
                yield f"?{name}={attack!r}", svc.stored, {"query_string": {name: attack}}
        if op.body is not None:
            base = valid_base(svc, op)
            for field in string_fields(op.body, svc.components):
                yield f"{field}={attack!r}", svc.stored, {"json": with_value(base, field, attack)}
        if op.path_params:
            body = {"json": valid_base(svc, op)} if op.body is not None else {}
            yield f"path={attack!r}", dict.fromkeys(op.path_params, quote(attack, safe="")), body


def texts_of(value: Any) -> Iterator[str]:
    """Every string inside a JSON value."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict | list):
        for item in value.values() if isinstance(value, dict) else value:
            yield from texts_of(item)


def rows_not_matching(listed: Any, attack: str) -> str | None:
    """A filtered list may hold only rows that carry the attack text itself (stored earlier as plain text)."""
    items = listed.get("items") if isinstance(listed, dict) else None
    strays = [item for item in items or [] if not any(attack in text for text in texts_of(item))]
    return f"the filter matched {len(strays)} rows without {attack!r}" if strays else None


def test_sql_injection_in_every_text_field_query_and_path_parameter_is_inert(svc: Service) -> None:
    faults = {}
    for op in svc.operations:
        for what, path_values, arguments in injection_requests(svc, op):
            response = svc.send(op, path_values, **arguments)
            fault = clean_4xx(response, 400, 404, 409, 422) if response.status_code >= 400 else None
            if "query_string" in arguments and response.status_code == 200:
                fault = rows_not_matching(response.get_json(silent=True), *arguments["query_string"].values())
            faults[f"{op.method} {op.path} {what}"] = fault
    print(f"\nSQL injection: {svc.name}, {len(faults)} requests over {len(svc.operations)} operations")
    assert {request: fault for request, fault in faults.items() if fault} == {}
    svc.still_answers()


def test_a_ten_megabyte_body_through_gunicorn_is_413_and_the_process_keeps_serving(start_service) -> None:
    leads = start_service("leads", worker=False)
    headers = {**token("consultant", "c1"), "Content-Type": "application/json"}
    big = requests.post(f"{leads.url}/api/v1/leads", data=b'{"name": "' + b"x" * TEN_MB + b'"}',
                        headers=headers, timeout=60)
    assert big.status_code == 413 and big.headers["Content-Type"] == PROBLEM
    assert requests.get(f"{leads.url}/healthz", timeout=10).status_code == 200
    normal = requests.post(f"{leads.url}/api/v1/leads", json={
        "name": "Wang Lei", "phone": "13812345678", "source": "walk_in", "model_interest": "Aurora"},
        headers=headers, timeout=30)
    assert normal.status_code == 201, json_of(normal)

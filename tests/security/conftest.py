"""Fixtures of the security tests: the services under test, their apps, and the authorisation matrix's cases."""
from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

sys.path.insert(0, str(Path(__file__).resolve().parent))  # security_kit, shared by the tests and the matrix printer

from security_kit import CALLERS, routes_of, services_under_test  # noqa: E402

from dealer_testing import DEFAULT_SECRET  # noqa: E402
from shared.db import dispose_engines  # noqa: E402

SERVICES = services_under_test()


def _matrix_cases() -> list[tuple[str, str, str, str]]:
    """(service, method, rule, caller) for every route of every service and every caller."""
    import importlib

    cases = []
    for service in SERVICES:
        config = {"DATABASE_URL": "sqlite://", "JWT_SECRET": DEFAULT_SECRET, "TESTING": True}
        app = importlib.import_module(f"{service}.app").create_app(config)
        cases += [(service, r.method, r.rule, caller) for r in routes_of(service, app) for caller in CALLERS]
    return cases


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """``service`` runs a test once per service; ``matrix_case`` once per route and caller."""
    if "service" in metafunc.fixturenames:
        metafunc.parametrize("service", SERVICES)
    if "matrix_case" in metafunc.fixturenames:
        cases = _matrix_cases()
        metafunc.parametrize("matrix_case", cases, ids=[f"{s} {m} {r} as {c}" for s, m, r, c in cases])


@pytest.fixture(scope="session")
def security_apps(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Flask]]:
    """Every service's app on its own fresh, migrated SQLite database, shared by the matrix's cases."""
    from security_kit import build_app

    directory = tmp_path_factory.mktemp("authz")
    yield {service: build_app(service, directory) for service in SERVICES}
    dispose_engines()


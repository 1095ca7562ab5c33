"""What the security tests share: the services under test, their apps on fresh databases, callers good and bad.

Imported by the tests (``conftest.py`` puts this folder on ``sys.path``) and by
``print_auth_matrix.py``, which prints the authorisation matrix as Markdown.
"""
from __future__ import annotations

import importlib
import re
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jwt
from flask import Flask
from werkzeug.serving import make_server

from dealer_testing import DEFAULT_SECRET, migrate
from shared.actors import ROLES
from shared.config import load_settings
from shared.service import installed_services
from shared.web.auth import mint_token

PROBLEM = "application/problem+json"
BAD_CALLERS = ("no token", "expired", "wrong secret", "alg none")
CALLERS = (*ROLES, *BAD_CALLERS)
# Served to everyone, token or not: probes, the API's own description, the dashboard's HTML shell (no data).
PUBLIC = {("GET", "/healthz"), ("GET", "/readyz"), ("GET", "/metrics"), ("GET", "/openapi.json"),
          ("GET", "/dashboard")}
DUMMY_PATH_VALUES = {"vin": "LSVAU2182N2183290", "month": "2026-11"}
DUMMY_ID = "00000000-0000-4000-8000-000000000000"


def services_under_test() -> list[str]:
    """Every installed service whose app imports cleanly (reporting joins once it does)."""
    ready = []
    for name in installed_services():
        try:
            importlib.import_module(f"{name}.app")
        except Exception:  # noqa: BLE001 - a service still being written is left out, not an error here
            continue
        ready.append(name)
    return ready


def build_app(service: str, directory: Path, **config: Any) -> Flask:
    """The service's app on a fresh, migrated SQLite database in ``directory``."""
    url = f"sqlite:///{directory / f'{service}-{uuid.uuid4().hex[:6]}.db'}"
    migrate(service, url)
    factory = importlib.import_module(f"{service}.app").create_app
    return factory({"DATABASE_URL": url, "JWT_SECRET": DEFAULT_SECRET, "TESTING": True, **config})


@contextmanager
def served(app: Flask) -> Iterator[str]:
    """Serve ``app`` over real HTTP on a free local port, in a thread; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@contextmanager
def departments_for(service: str, directory: Path) -> Iterator[dict[str, Any]]:
    """Config pointing ``service`` at the real departments it calls over HTTP (leads asks inventory)."""
    if service != "leads" or "inventory" not in services_under_test():
        yield {}
        return
    with served(build_app("inventory", directory)) as inventory_url:
        yield {"SERVICE_URLS": {**load_settings(service).service_urls, "inventory": inventory_url}}


def headers_for(caller: str, sub: str = "u1") -> dict[str, str]:
    """The Authorization header of a role, or of one of the four bad callers."""
    if caller in ROLES:
        return {"Authorization": f"Bearer {mint_token(DEFAULT_SECRET, caller, sub)}"}
    claims = {"sub": sub, "role": "sales_manager", "name": sub}
    if caller == "expired":
        past = datetime.now(UTC) - timedelta(hours=1)
        token = jwt.encode({**claims, "iat": past - timedelta(hours=12), "exp": past}, DEFAULT_SECRET, "HS256")
    elif caller == "wrong secret":
        token = mint_token("another-secret-0123456789abcdef0123", "sales_manager", sub)
    elif caller == "alg none":
        token = jwt.encode({**claims, "exp": datetime.now(UTC) + timedelta(hours=1)}, None, algorithm="none")
    else:
        return {}
    return {"Authorization": f"Bearer {token}"}


def required_roles(app: Flask, endpoint: str) -> tuple[str, ...]:
    """The roles a view lets through (empty for a public route)."""
    return tuple(getattr(app.view_functions[endpoint], "_required_roles", ()) or ())


def role_for(roles: tuple[str, ...]) -> str:
    """A role allowed by the route: the sales manager where allowed, as managers see most."""
    return "sales_manager" if "sales_manager" in roles or not roles else roles[0]


@dataclass(frozen=True)
class Route:
    """One method of one URL rule of a service."""

    service: str
    method: str
    rule: str
    endpoint: str
    roles: tuple[str, ...]

    @property
    def public(self) -> bool:
        return (self.method, self.rule) in PUBLIC

    @property
    def path(self) -> str:
        """The rule with every path parameter filled with a value that names nothing stored."""
        return re.sub(r"<(?:[^:>]+:)?([^>]+)>", lambda m: DUMMY_PATH_VALUES.get(m.group(1), DUMMY_ID), self.rule)

    def expected(self, caller: str) -> str:
        """``200``, ``401``, ``403``, or ``allowed`` (anything but 401/403 and never 5xx)."""
        if self.public:
            return "200"
        if caller in BAD_CALLERS:
            return "401"
        return "allowed" if caller in self.roles else "403"


def routes_of(service: str, app: Flask) -> list[Route]:
    """Every route of the app but static files, each method apart."""
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or rule.endpoint.endswith(".static"):
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            found.append(Route(service, method, rule.rule, rule.endpoint, required_roles(app, rule.endpoint)))
    return sorted(found, key=lambda r: (r.rule, r.method))


def call(app: Flask, route: Route, caller: str) -> Any:
    """Send the route an empty request as the caller; returns the test client's response."""
    client = app.test_client()
    body = {"json": {}} if route.method in ("POST", "PUT", "PATCH") else {}
    return client.open(route.path, method=route.method, headers=headers_for(caller), **body)


def verdict(route: Route, caller: str, status: int, mimetype: str) -> str | None:
    """What is wrong with an answer, or None when it is the one the matrix expects."""
    wanted = route.expected(caller)
    if status >= 500:
        return f"{status} (a server error)"
    if status >= 400 and mimetype != PROBLEM:
        return f"{status} not problem+json"
    if wanted == "allowed":
        return None if status not in (401, 403) else f"{status}, expected the role to be let through"
    return None if str(status) == wanted else f"{status}, expected {wanted}"


def matrix_markdown(apps: dict[str, Flask]) -> tuple[str, int, list[str]]:
    """The matrix as a Markdown table, the number of cells, and every cell that is not as expected."""
    header = "| service | route | " + " | ".join(CALLERS) + " |"
    lines = [header, "|" + "---|" * (len(CALLERS) + 2)]
    wrong, cells = [], 0
    for service, app in apps.items():
        for route in routes_of(service, app):
            row = []
            for caller in CALLERS:
                response = call(app, route, caller)
                problem = verdict(route, caller, response.status_code, response.mimetype)
                if problem:
                    wrong.append(f"{service} {route.method} {route.rule} as {caller}: {problem}")
                row.append(str(response.status_code) + (" ✗" if problem else ""))
                cells += 1
            lines.append(f"| {service} | `{route.method} {route.rule}` | " + " | ".join(row) + " |")
    return "\n".join(lines), cells, wrong

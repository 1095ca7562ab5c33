"""Every route of every service against every caller: the seven roles, no token, an expired token, a token
signed with another secret, and an unsigned (``alg: none``) token.

Expected: 200 for the public routes (probes, OpenAPI, the dashboard's HTML shell); 401 for the four bad
callers everywhere else; 403 for a role the route does not list; anything but 401/403 (and never a 5xx)
for a role it lists. ``python tests/security/print_auth_matrix.py`` prints the same table as Markdown.
"""
from __future__ import annotations

from flask import Flask
from security_kit import PUBLIC, Route, call, required_roles, routes_of, verdict


def test_each_route_answers_each_caller_as_the_matrix_says(matrix_case: tuple[str, str, str, str],
                                                            security_apps: dict[str, Flask]) -> None:
    service, method, rule, caller = matrix_case
    app = security_apps[service]
    endpoint = next(r.endpoint for r in app.url_map.iter_rules() if r.rule == rule and method in (r.methods or ()))
    route = Route(service, method, rule, endpoint, required_roles(app, endpoint))
    response = call(app, route, caller)
    assert verdict(route, caller, response.status_code, response.mimetype) is None, response.get_data(True)[:300]


def test_every_route_but_the_listed_public_ones_states_its_roles(security_apps: dict[str, Flask]) -> None:
    unguarded = [f"{s} {r.method} {r.rule}" for s, app in security_apps.items() for r in routes_of(s, app)
                 if not r.roles and not r.public]
    assert unguarded == []
    guarded_public = [f"{s} {r.method} {r.rule}" for s, app in security_apps.items() for r in routes_of(s, app)
                      if r.roles and (r.method, r.rule) in PUBLIC]
    assert guarded_public == []

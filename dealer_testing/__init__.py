"""Test helpers and fixtures of the whole project, as a pytest plugin (``pytest_plugins`` in conftest.py).

Not part of the kernel: no service runs this in production. Suites import the helpers from here
(``from dealer_testing import wait_for, token``) and get the fixtures through the plugin.
"""
from dealer_testing.plugin import (
    DEFAULT_SECRET,
    ROOT,
    ClientCaller,
    RunningService,
    create_postgres_database,
    delete_namespace,
    drop_postgres_database,
    free_port,
    json_of,
    migrate,
    service_app,
    token,
    wait_for,
)

__all__ = ["DEFAULT_SECRET", "ROOT", "ClientCaller", "RunningService", "create_postgres_database",
           "delete_namespace", "drop_postgres_database", "free_port", "json_of", "migrate", "service_app", "token",
           "wait_for"]

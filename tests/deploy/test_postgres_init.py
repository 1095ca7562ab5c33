"""deploy/postgres/init-databases.sh: one database and one user per service, each kept to its own."""
from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "deploy" / "postgres" / "init-databases.sh"


@pytest.fixture
def two_services(postgres_admin_url: str) -> Iterator[tuple[list[str], dict[str, str]]]:
    """Two made-up service names, created by the script on the test server, dropped afterwards."""
    prefix = f"zt{uuid.uuid4().hex[:6]}"
    names = [f"{prefix}_leads", f"{prefix}_orders"]
    url = urlsplit(postgres_admin_url)
    env = {**os.environ, "DEALER_SERVICES": " ".join(names), "POSTGRES_USER": url.username or "postgres",
           "PGHOST": url.hostname or "127.0.0.1", "PGPORT": str(url.port or 5432),
           **{f"{name.upper()}_DB_PASSWORD": f"pw{name}" for name in names}}
    if url.password:
        env["PGPASSWORD"] = url.password
    yield names, env
    with psycopg.connect(postgres_admin_url, autocommit=True) as conn:
        for name in names:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'DROP ROLE IF EXISTS "{name}"')


def connect_as(admin_url: str, user: str, database: str, password: str) -> psycopg.Connection:
    url = urlsplit(admin_url)
    return psycopg.connect(host=url.hostname, port=url.port or 5432, user=user, dbname=database,
                           password=password, connect_timeout=5)


def test_each_service_owns_its_database_and_cannot_connect_to_another(
        postgres_admin_url: str, two_services: tuple[list[str], dict[str, str]]) -> None:
    (first, second), env = two_services
    subprocess.run(["sh", str(SCRIPT)], env=env, check=True, capture_output=True)
    with connect_as(postgres_admin_url, first, first, f"pw{first}") as conn:
        conn.execute("CREATE TABLE t (x int)")  # the owner may create its tables
        conn.commit()
    with pytest.raises(psycopg.OperationalError, match="permission denied"):
        connect_as(postgres_admin_url, first, second, f"pw{first}").close()


def test_a_missing_password_stops_the_initialisation(two_services: tuple[list[str], dict[str, str]]) -> None:
    (first, _), env = two_services
    del env[f"{first.upper()}_DB_PASSWORD"]
    result = subprocess.run(["sh", str(SCRIPT)], env=env, capture_output=True, text=True, check=False)
    assert result.returncode != 0 and f"{first.upper()}_DB_PASSWORD is not set" in result.stderr

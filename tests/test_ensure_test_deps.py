"""``make test`` stops at once, in one line saying what to do, when what the tests need cannot be had (issue 12).

``scripts/ensure-test-deps`` runs before any test; these run it as ``make test`` does, against a broker
host that does not resolve (``.invalid``: no traffic leaves the machine) and a PostgreSQL role that does
not exist, and expect exit 2 with one line instead of failures deep inside the tests.
"""
from __future__ import annotations

import os
import subprocess
import sys

from dealer_testing import ROOT

SCRIPT = ROOT / "scripts" / "ensure-test-deps"


def ensure(**env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(SCRIPT)], cwd=ROOT, env={**os.environ, **env}, capture_output=True,
                          text=True, timeout=120)


def test_a_broker_url_that_nothing_answers_stops_make_test_in_one_line() -> None:
    result = ensure(AMQP_URL="amqp://guest:guest@rabbit.invalid:5672/")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr == ("ensure-test-deps: nothing answers at AMQP_URL (amqp://rabbit.invalid:5672/): "
                             "start that broker or unset AMQP_URL\n")


def test_a_postgres_role_that_may_not_log_in_stops_make_test_in_one_line() -> None:
    url = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    host = url.split("@", 1)[1]
    result = ensure(TEST_POSTGRES_URL=f"postgresql://no_such_role_here@{host}")
    lines = result.stderr.splitlines()
    assert result.returncode == 2 and len(lines) == 1, result.stderr
    assert lines[0].startswith("ensure-test-deps: PostgreSQL refuses TEST_POSTGRES_URL (")
    assert "connection failed" in lines[0]  # PostgreSQL's own reason: no such role, or no password given
    assert lines[0].endswith("for a role that may create databases")

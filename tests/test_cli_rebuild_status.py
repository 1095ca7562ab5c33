"""A rebuild started with ``dealer reporting rebuild`` shows in reporting's admin status like one asked over HTTP.

Ops follow rebuilds at ``GET /api/v1/admin/status`` and ``/admin/rebuilds/{id}``; a rebuild run from the
command line used to leave no trace there (issue 12). The test runs the real command on a migrated
database, then asks the real reporting web on the same database.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import requests

from dealer_testing import RunningService, json_of, migrate, token


def test_a_command_line_rebuild_is_the_latest_rebuild_in_admin_status(
        database_url: str, dealer_env: dict[str, str], start_service: Callable[..., RunningService],
        tmp_path: Path) -> None:
    migrate("reporting", database_url)
    env = {**os.environ, **dealer_env, "REPORTING_DATABASE_URL": database_url}
    result = subprocess.run([sys.executable, "-m", "dealer_cli", "reporting", "rebuild"], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    found = re.search(r"rebuilt every projection from 0 event\(s\) \(rebuild ([0-9a-f-]{36})\)", result.stderr)
    assert found, result.stderr
    run_id = found.group(1)

    reporting = start_service("reporting", database_url=database_url, worker=False)
    status = json_of(requests.get(f"{reporting.url}/api/v1/admin/status", headers=token("ops"), timeout=10))
    latest = status["latest_rebuild"]
    assert latest["id"] == run_id and latest["status"] == "done", latest
    assert latest["processed"] == 0 and latest["total"] == 0 and latest["error"] is None
    assert latest["requested_by"].startswith("cli") and latest["finished_at"] is not None

    one = requests.get(f"{reporting.url}/api/v1/admin/rebuilds/{run_id}", headers=token("ops"), timeout=10)
    assert one.status_code == 200 and json_of(one)["status"] == "done"

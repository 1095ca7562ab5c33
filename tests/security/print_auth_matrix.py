"""Print the authorisation matrix (every route x every caller, the status each got) as Markdown.

Run from the project root: ``python tests/security/print_auth_matrix.py``. The routes and what each caller
should get come from the hand-written table in ``test_authorisation_matrix.py``; each service runs on a fresh
SQLite database in a temporary folder. A cell marked ✗ is one the matrix test fails on; routes an app serves
that the table lacks (or rows no app serves) are listed after the table.
"""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from flask import Flask
from security_kit import CALLERS, build_app, services_under_test
from test_authorisation_matrix import EXPECTED, check_row, differences

from shared.db import dispose_engines


def matrix_markdown(apps: dict[str, Flask]) -> tuple[str, list[str]]:
    """The table's rows, each caller's status in a cell, and every cell that is not as expected."""
    lines = ["| service | route | " + " | ".join(CALLERS) + " |", "|" + "---|" * (len(CALLERS) + 2)]
    wrong: list[str] = []
    for row in EXPECTED.values():
        if row.service not in apps:
            wrong.append(f"{row.service}: the app does not import")
            continue
        statuses, problems = check_row(apps[row.service], row)
        marked = [f"{status}{' ✗' if any(f' as {caller}: ' in p for p in problems) else ''}"
                  for status, caller in zip(statuses, CALLERS, strict=True)]
        lines.append(f"| {row.service} | `{row.method} {row.rule}` | " + " | ".join(marked) + " |")
        wrong += problems
    return "\n".join(lines), wrong


def main() -> int:
    """Print the table and its size; exit 1 when a cell is not as expected or the table misses a route."""
    with tempfile.TemporaryDirectory() as directory:
        apps = {service: build_app(service, Path(directory)) for service in services_under_test()}
        table, wrong = matrix_markdown(apps)
        missing, stale = differences(apps)
        dispose_engines()
    print(table)
    cells = len(EXPECTED) * len(CALLERS)
    print(f"\n{len(EXPECTED)} routes x {len(CALLERS)} callers = {cells} cells; {len(wrong)} not as expected.")
    wrong += [f"served but not in the table: {key}" for key in missing]
    wrong += [f"in the table but not served: {key}" for key in stale]
    for line in wrong:
        print(f"- {line}")
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())

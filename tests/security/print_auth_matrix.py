"""Print the authorisation matrix (every route x every caller, the status each got) as Markdown.

Run from the project root: ``python tests/security/print_auth_matrix.py``. Each service runs on a fresh
SQLite database in a temporary folder; a cell marked ✗ is one the matrix test would fail on.
"""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from security_kit import CALLERS, build_app, matrix_markdown, services_under_test

from shared.db import dispose_engines


def main() -> int:
    """Print the table and its size; exit 1 when a cell is not as expected."""
    with tempfile.TemporaryDirectory() as directory:
        apps = {service: build_app(service, Path(directory)) for service in services_under_test()}
        table, cells, wrong = matrix_markdown(apps)
        dispose_engines()
    routes = cells // len(CALLERS)
    print(table)
    print(f"\n{routes} routes x {len(CALLERS)} callers = {cells} cells; {len(wrong)} not as expected.")
    for line in wrong:
        print(f"- {line}")
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())

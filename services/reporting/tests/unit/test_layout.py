"""The service's layout (STYLE.md, "One service, as we want it"): rules free of frameworks, routes free of SQL,
and the benchmarks reaching the service only through its public entry points."""
from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "reporting"
BENCH = Path(__file__).resolve().parents[4] / "bench"
FRAMEWORKS = ("flask", "flask_smorest", "sqlalchemy", "kombu", "amqp", "marshmallow", "requests")


def _imports(path: Path) -> set[str]:
    """Every module a file imports, anywhere in it (an import inside a function counts too)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def _from(modules: set[str], roots: tuple[str, ...]) -> set[str]:
    return {module for module in modules if module.split(".")[0] in roots}


def test_the_rules_and_dates_import_no_framework() -> None:
    for name in ("domain.py", "dates.py"):
        assert _from(_imports(PACKAGE / name), FRAMEWORKS) == set(), name


def test_the_routes_hold_no_sql() -> None:
    assert _from(_imports(PACKAGE / "api.py"), ("sqlalchemy",)) == set()


def test_the_benchmarks_use_only_the_public_entry_points_of_reporting() -> None:
    used = {module for script in BENCH.glob("*.py") for module in _from(_imports(script), ("reporting",))}
    assert used == {"reporting.app", "reporting.public"}

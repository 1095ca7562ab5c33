"""The service's layout (issue 13), checked from its source: each file keeps to its one job.

Read with ``ast``, so nothing is imported: a rule broken here is broken in the code
as written, whatever happens to be installed.
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "after_sales"
FRAMEWORKS = {"flask", "flask_smorest", "sqlalchemy", "kombu", "amqp", "marshmallow", "webargs"}
ROUTING_KEY = re.compile(r"^after_sales\.[a-z_]+\.[a-z_]+$")


def modules() -> list[Path]:
    """Every module of the service's package, sub-packages included."""
    return sorted(PACKAGE.rglob("*.py"))


def imported_roots(path: Path) -> set[str]:
    """The top-level names of everything ``path`` imports (``sqlalchemy.orm`` -> ``sqlalchemy``)."""
    roots = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def imported_modules(path: Path) -> set[str]:
    """The full dotted names ``path`` imports from."""
    tree = ast.parse(path.read_text())
    return {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}


def string_literals(path: Path) -> set[str]:
    """Every string constant written in ``path``."""
    tree = ast.parse(path.read_text())
    return {node.value for node in ast.walk(tree) if isinstance(node, ast.Constant) and isinstance(node.value, str)}


def named(file_name: str) -> list[Path]:
    """Every module of that name, at the top or in a sub-domain's package."""
    return [path for path in modules() if path.name == file_name]


def test_the_domain_modules_import_no_framework() -> None:
    for path in named("domain.py"):
        assert imported_roots(path) & FRAMEWORKS == set(), path


def test_routes_hold_no_sql_the_api_modules_import_no_sqlalchemy() -> None:
    assert named("api.py"), "no api.py found"
    for path in named("api.py"):
        assert "sqlalchemy" not in imported_roots(path), path


def test_no_module_is_one_of_a_pair_split_by_suffix() -> None:
    stems = {path.stem for path in modules()}
    paired = sorted(stem for stem in stems if "_" in stem and stem.split("_")[0] in stems)
    assert paired == []


def test_every_routing_key_after_sales_publishes_is_written_in_events_py_alone() -> None:
    elsewhere = {str(path.relative_to(PACKAGE)): sorted(filter(ROUTING_KEY.match, string_literals(path)))
                 for path in modules() if path != PACKAGE / "events.py"}
    assert {name: keys for name, keys in elsewhere.items() if keys} == {}
    assert len(list(filter(ROUTING_KEY.match, string_literals(PACKAGE / "events.py")))) == 19


def test_the_consumers_take_no_business_step_of_their_own_they_call_the_use_cases() -> None:
    imports = imported_modules(PACKAGE / "consumers.py")
    assert "after_sales.customers.services" in imports
    assert {"after_sales.models", "after_sales.events", "after_sales.domain"} & imports == set()


def test_each_use_case_is_defined_once_across_the_services_modules() -> None:
    defined: dict[str, list[str]] = {}
    for path in named("services.py"):
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
                defined.setdefault(node.name, []).append(str(path.relative_to(PACKAGE)))
    assert {name: places for name, places in defined.items() if len(places) > 1} == {}
    assert {"open_file_on_delivery", "record_service", "complete_return_visit", "file_claim"} <= set(defined)

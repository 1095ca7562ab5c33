"""What the deploy tests read: the compose file as compose would see it, the Procfile, the .env example."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
SERVICES = {"leads": 8001, "orders": 8002, "inventory": 8003, "after_sales": 8004, "reporting": 8005}
_VARIABLE = re.compile(r"\$\$|\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}")


def interpolate(text: str, env: dict[str, str]) -> str:
    """Compose's interpolation: ``$$`` is a literal ``$``; ``${X}``, ``${X:-default}``, ``${X:?error}``."""
    def replace(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        name, op, arg = match.group("name"), match.group("op"), match.group("arg")
        value = env.get(name, "")
        if op and op.endswith("?") and not value:
            raise KeyError(f"{name}: {arg}")
        return value if value or not op or op.endswith("?") else arg
    return _VARIABLE.sub(replace, text)


def variables(text: str) -> set[str]:
    """Every variable a compose text interpolates."""
    return {m.group("name") for m in _VARIABLE.finditer(text) if m.group("name")}


def read_env_example() -> dict[str, str]:
    """The ``NAME=value`` lines of ``.env.example``."""
    pairs = [line.split("=", 1) for line in (ROOT / ".env.example").read_text().splitlines()
             if line.strip() and not line.startswith("#")]
    return {name.strip(): value.strip() for name, value in pairs}


def walk(node: Any, env: dict[str, str]) -> Any:
    """Interpolate every string of a parsed compose document."""
    if isinstance(node, dict):
        return {key: walk(value, env) for key, value in node.items()}
    if isinstance(node, list):
        return [walk(value, env) for value in node]
    return interpolate(node, env) if isinstance(node, str) else node


@pytest.fixture(scope="session")
def compose_text() -> str:
    return (ROOT / "docker-compose.yml").read_text()


@pytest.fixture(scope="session")
def compose(compose_text: str) -> dict[str, Any]:
    """docker-compose.yml with the .env example's values, as ``docker compose config`` would give it."""
    return dict(walk(yaml.safe_load(compose_text), read_env_example()))


@pytest.fixture(scope="session")
def procfile() -> dict[str, str]:
    """The Procfile as the local runner (``dealer run``) reads it."""
    from dealer_cli.cli import procfile_entries

    return procfile_entries(ROOT / "Procfile")


@pytest.fixture(scope="session")
def env_example() -> dict[str, str]:
    return read_env_example()


@pytest.fixture(scope="session")
def compose_variables(compose_text: str) -> set[str]:
    """Every variable docker-compose.yml takes from the environment (its .env file)."""
    return variables(compose_text)

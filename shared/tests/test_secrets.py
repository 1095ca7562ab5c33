"""No process signs or checks tokens with a secret anyone can read in the repository (issue 11).

The refusal is checked through the real entry points: an app built by ``build_app`` (what every
service's ``create_app`` is) and the ``dealer token`` command run as a subprocess. The local secret
file that ``make run`` and ``dealer token`` share is checked the same way.
"""
from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import jwt
import pytest

from dealer_testing import DEFAULT_SECRET, ROOT
from shared.config import MIN_SECRET_LENGTH, PUBLISHED_SECRETS, SecretRefused, check_jwt_secret
from shared.web.app import build_app

OLD_CODE_DEFAULT = "dev-secret-change-me-0123456789abcdef"
EXAMPLE_JWT_SECRET = "change-me-to-a-long-random-secret-0123456789"
SHORT = "a" * (MIN_SECRET_LENGTH - 1)
HOW_TO_MAKE_ONE = 'python -c "import secrets; print(secrets.token_hex(32))"'


def env_file(path: Path) -> dict[str, str]:
    """The ``NAME=value`` lines of an env file."""
    lines = [line for line in path.read_text().splitlines() if "=" in line and not line.lstrip().startswith("#")]
    return dict(line.split("=", 1) for line in lines)


def secret_values(variables: dict[str, str]) -> set[str]:
    """Every secret an env file holds: passwords, secrets, and the password inside a URL."""
    found = {value for name, value in variables.items() if "SECRET" in name or "PASSWORD" in name}
    found |= {urlsplit(value).password or "" for name, value in variables.items() if name.endswith("_URL")}
    return found - {""}


def dealer(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """Run the ``dealer`` command with an environment that has no DEALER_JWT_SECRET unless given."""
    base = {k: v for k, v in os.environ.items() if k not in ("DEALER_JWT_SECRET", "DEALER_DATA_DIR")}
    base["DEALER_DATA_DIR"] = str(cwd / "var")  # the checkout's ./var stays out of these tests
    return subprocess.run([sys.executable, "-m", "dealer_cli", *args], cwd=cwd, env={**base, **env},
                          capture_output=True, text=True, timeout=60)


def test_every_secret_of_the_example_files_is_in_the_refused_list() -> None:
    found = secret_values(env_file(ROOT / ".env.example"))
    found |= secret_values(env_file(ROOT / "deploy" / "k8s" / "secrets.example.env"))
    assert EXAMPLE_JWT_SECRET in found and "change-me-rabbitmq" in found and "change-me" in found
    assert found <= PUBLISHED_SECRETS, f"published in an example but not refused: {found - PUBLISHED_SECRETS}"


@pytest.mark.parametrize("secret", sorted(PUBLISHED_SECRETS | {"", SHORT}))
def test_an_app_refuses_a_published_empty_or_short_secret(secret: str, tmp_path: Path) -> None:
    with pytest.raises(SecretRefused) as refused:
        build_app("probe", "Probe", [], {"DATABASE_URL": f"sqlite:///{tmp_path / 'p.db'}", "JWT_SECRET": secret})
    message = str(refused.value)
    assert "\n" not in message and message.startswith("DEALER_JWT_SECRET ") and HOW_TO_MAKE_ONE in message


def test_an_app_refuses_the_published_secret_from_the_environment(monkeypatch: pytest.MonkeyPatch,
                                                                  tmp_path: Path) -> None:
    monkeypatch.setenv("DEALER_JWT_SECRET", EXAMPLE_JWT_SECRET)
    with pytest.raises(SecretRefused, match="^DEALER_JWT_SECRET is a value published in this repository"):
        build_app("probe", "Probe", [], {"DATABASE_URL": f"sqlite:///{tmp_path / 'p.db'}"})


def test_an_app_without_any_secret_refuses_to_start(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("DEALER_JWT_SECRET", raising=False)
    monkeypatch.setenv("DEALER_DATA_DIR", str(tmp_path / "empty"))
    with pytest.raises(SecretRefused, match="^DEALER_JWT_SECRET is empty or not set"):
        build_app("probe", "Probe", [], {"DATABASE_URL": f"sqlite:///{tmp_path / 'p.db'}"})


def test_the_test_secret_and_a_fresh_one_are_accepted() -> None:
    assert check_jwt_secret(DEFAULT_SECRET) == DEFAULT_SECRET
    assert check_jwt_secret("f" * MIN_SECRET_LENGTH) == "f" * MIN_SECRET_LENGTH


@pytest.mark.parametrize("secret, problem", [
    (OLD_CODE_DEFAULT, "is a value published in this repository"),
    (EXAMPLE_JWT_SECRET, "is a value published in this repository"),
    ("", "is empty or not set"),
    (SHORT, "is shorter than 32 characters"),
])
def test_dealer_token_refuses_a_bad_secret_in_one_line(secret: str, problem: str, tmp_path: Path) -> None:
    result = dealer(["token", "--role", "consultant", "--sub", "c1"], tmp_path, DEALER_JWT_SECRET=secret)
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr == f"Error: DEALER_JWT_SECRET {problem}; make one with: {HOW_TO_MAKE_ONE}\n"
    assert not (tmp_path / "var" / "jwt-secret").exists(), "a set variable, even a bad one, is never replaced"


def test_dealer_token_without_the_variable_makes_the_local_secret_once_and_reuses_it(tmp_path: Path) -> None:
    first = dealer(["token", "--role", "consultant", "--sub", "c1"], tmp_path)
    assert first.returncode == 0, first.stderr
    secret_file = tmp_path / "var" / "jwt-secret"
    secret = secret_file.read_text().strip()
    assert len(secret) == 64 and stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    assert jwt.decode(first.stdout.strip(), secret, algorithms=["HS256"])["sub"] == "c1"

    made = secret_file.stat()
    second = dealer(["token", "--role", "sales_manager", "--sub", "m1"], tmp_path)
    assert second.returncode == 0 and "created" not in second.stderr
    assert secret_file.read_text().strip() == secret and secret_file.stat().st_ino == made.st_ino
    assert jwt.decode(second.stdout.strip(), secret, algorithms=["HS256"])["role"] == "sales_manager"


def test_dealer_token_prefers_the_variable_to_the_local_secret(tmp_path: Path) -> None:
    (tmp_path / "var").mkdir()
    (tmp_path / "var" / "jwt-secret").write_text("e" * 64 + "\n")
    result = dealer(["token", "--role", "ops", "--sub", "o1"], tmp_path, DEALER_JWT_SECRET=DEFAULT_SECRET)
    assert result.returncode == 0, result.stderr
    assert jwt.decode(result.stdout.strip(), DEFAULT_SECRET, algorithms=["HS256"])["sub"] == "o1"


def test_dealer_token_reads_the_secret_file_of_dealer_data_dir(tmp_path: Path) -> None:
    data = tmp_path / "elsewhere"
    data.mkdir()
    (data / "jwt-secret").write_text("d" * 64 + "\n")
    result = dealer(["token", "--role", "ops", "--sub", "o1"], tmp_path, DEALER_DATA_DIR=str(data))
    assert result.returncode == 0, result.stderr
    assert jwt.decode(result.stdout.strip(), "d" * 64, algorithms=["HS256"])["sub"] == "o1"
    assert not (tmp_path / "var").exists()


def test_a_worker_refuses_the_example_secret_before_connecting(tmp_path: Path) -> None:
    result = dealer(["worker", "leads"], tmp_path, DEALER_JWT_SECRET=EXAMPLE_JWT_SECRET)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr == ("Error: DEALER_JWT_SECRET is a value published in this repository; "
                             f"make one with: {HOW_TO_MAKE_ONE}\n")

"""The ``dealer`` command answers a user's mistake in one line with exit code 2, never a traceback (issue 12).

Each test runs the real command as a subprocess, the way a newcomer types it. The expected lines are
worked out from the rule: ``Error: <what is wrong>; <what to do>`` on stderr, nothing on stdout.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import jwt
import pytest

from dealer_testing import DEFAULT_SECRET, ROOT, free_port

SERVICES = "'leads', 'orders', 'inventory', 'after_sales', 'reporting'"
COMMANDS = ("dlq", "migrate", "reporting", "revision", "run", "seed", "token", "worker")


def dealer(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """Run ``dealer`` in ``cwd`` with the test's environment plus ``env``."""
    base = {k: v for k, v in os.environ.items() if k not in ("DEALER_JWT_SECRET", "DEALER_DATA_DIR")}
    return subprocess.run([sys.executable, "-m", "dealer_cli", *args], cwd=cwd, env={**base, **env},
                          capture_output=True, text=True, timeout=120)


def assert_one_line_mistake(result: subprocess.CompletedProcess[str], *expected: str) -> str:
    """Exit 2, one ``Error:`` line on stderr holding each ``expected`` part, no traceback, nothing on stdout."""
    assert result.returncode == 2, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr and result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    for part in expected:
        assert part in lines[0], (part, lines[0])
    return lines[0]


@pytest.mark.parametrize("args, help_of", [
    (["migrate", "leads", "ledas"], "dealer migrate"),
    (["worker", "ledas"], "dealer worker"),
    (["dlq", "list", "ledas"], "dealer dlq list"),
    (["dlq", "replay", "ledas"], "dealer dlq replay"),
    (["revision", "ledas", "-m", "x"], "dealer revision"),
])
def test_an_unknown_service_is_one_line_naming_the_valid_ones(args: list[str], help_of: str,
                                                               tmp_path: Path) -> None:
    result = dealer(args, tmp_path, DEALER_DATA_DIR=str(tmp_path / "data"))
    assert_one_line_mistake(result, f"'ledas' is not one of {SERVICES}.", f"(see `{help_of} --help`)")


def test_an_unreachable_broker_is_one_line_saying_to_start_it(tmp_path: Path) -> None:
    port = free_port()
    result = dealer(["dlq", "list", "leads"], tmp_path, DEALER_DATA_DIR=str(tmp_path / "data"),
                    AMQP_URL=f"amqp://guest:secret-pw@127.0.0.1:{port}/")
    line = assert_one_line_mistake(result, f"RabbitMQ at amqp://guest:***@127.0.0.1:{port}/ cannot be used",
                                   "ConnectionRefusedError",
                                   "start it (`make run` starts one of its own) or set AMQP_URL")
    assert "secret-pw" not in line


def test_a_missing_database_is_one_line_naming_the_variable(postgres_admin_url: str, tmp_path: Path) -> None:
    url = postgres_admin_url.rsplit("/", 1)[0] + "/no_such_database_here"
    result = dealer(["migrate", "leads"], tmp_path, DEALER_DATA_DIR=str(tmp_path / "data"), LEADS_DATABASE_URL=url)
    assert_one_line_mistake(result, "leads's database at ", '"no_such_database_here" does not exist',
                            "point LEADS_DATABASE_URL at one that works")


def test_a_database_without_its_tables_says_to_migrate(tmp_path: Path) -> None:
    result = dealer(["reporting", "rebuild"], tmp_path, DEALER_DATA_DIR=str(tmp_path / "data"))
    assert_one_line_mistake(result, "reporting's database has no tables yet", "run `dealer migrate reporting`")


def test_dealer_run_with_a_procfile_that_is_not_there_is_one_line(tmp_path: Path) -> None:
    result = dealer(["run", "--procfile", str(tmp_path / "Procfile")], tmp_path, DEALER_JWT_SECRET=DEFAULT_SECRET)
    assert_one_line_mistake(result, f"no such Procfile: {tmp_path / 'Procfile'}")


def test_dealer_run_outside_any_checkout_says_where_to_run_it(tmp_path: Path) -> None:
    """A ``dealer`` installed without a checkout (patched so) run in a folder with no Procfile."""
    outside = ("import sys; import shared.checkout as c; c.checkout_root = lambda: None; "
               "from dealer_cli.cli import main; sys.argv = ['dealer', 'run']; main()")
    env = {k: v for k, v in os.environ.items() if k not in ("DEALER_DATA_DIR", "DEALER_PROCFILE")}
    result = subprocess.run([sys.executable, "-c", outside], cwd=tmp_path, env={**env, "HOME": str(tmp_path)},
                            capture_output=True, text=True, timeout=60)
    assert_one_line_mistake(result, f"no Procfile in {tmp_path} and no checkout of the project found",
                            "run `dealer run` in the project's checkout")
    assert list(tmp_path.iterdir()) == [], "nothing is left behind: no ./var"


def test_dealer_token_run_elsewhere_uses_the_checkouts_var_not_a_new_one(tmp_path: Path) -> None:
    result = dealer(["token", "--role", "ops", "--sub", "o1"], tmp_path)
    assert result.returncode == 0, result.stderr
    secret = (ROOT / "var" / "jwt-secret").read_text().strip()
    assert jwt.decode(result.stdout.strip(), secret, algorithms=["HS256"])["sub"] == "o1"
    assert not (tmp_path / "var").exists()


def test_seed_against_a_store_that_is_not_running_is_one_line(tmp_path: Path) -> None:
    ports = {f"{name}_PORT": str(free_port()) for name in ("LEADS", "ORDERS", "INVENTORY", "AFTER_SALES", "REPORTING")}
    result = dealer(["seed", "--days", "1"], tmp_path, DEALER_JWT_SECRET=DEFAULT_SECRET, **ports)
    assert_one_line_mistake(result, "not running: leads, orders, inventory, after_sales",
                            "start the store with `make run` first")


def test_a_bad_option_value_is_one_line_with_where_to_read_more(tmp_path: Path) -> None:
    result = dealer(["seed", "--until", "yesterday"], tmp_path, DEALER_JWT_SECRET=DEFAULT_SECRET)
    assert_one_line_mistake(result, "Invalid value for --until: must be an ISO 8601 time with offset",
                            "(see `dealer seed --help`)")


def test_help_lists_every_command_with_its_whole_summary(tmp_path: Path) -> None:
    result = dealer(["--help"], tmp_path, COLUMNS="80")
    assert result.returncode == 0, result.stderr
    listing = " ".join(result.stdout.split("Commands:")[1].split())
    for name in COMMANDS:
        assert f" {name} " in f" {listing} ", name
    for summary in ("seed Fill the running store (make run) with demo data: staff, customers, cars, sales, "
                    "after-sales.",
                    "migrate Bring each service's database to the latest schema and declare its queues "
                    "(all services by default).",
                    "run Start every service's web and worker (or the NAMES given), restarting any that exits; "
                    "Ctrl-C stops all.",
                    "token Print a bearer token (only the token, so TOKEN=$(dealer token ...) works).",
                    "reporting Reporting: rebuild projections, backfill events from the departments' feeds."):
        assert summary in listing, f"cut short: {summary}"


@pytest.mark.parametrize("args", [["migrate"], ["worker"], ["dlq", "list"], ["dlq", "replay"], ["revision"], ["run"]])
def test_each_command_that_takes_a_service_lists_the_valid_names(args: list[str], tmp_path: Path) -> None:
    result = dealer([*args, "--help"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Services: leads, orders, inventory, after_sales, reporting." in " ".join(result.stdout.split())


def test_migrate_prints_one_line_a_service_and_alembics_steps_only_with_verbose(
        dealer_env: dict[str, str], tmp_path: Path) -> None:
    quiet = dealer(["migrate", "leads"], tmp_path, **dealer_env)
    assert quiet.returncode == 0, quiet.stderr
    assert quiet.stderr == "leads: migrated\n" and quiet.stdout == ""

    fresh = {**dealer_env, "LEADS_DATABASE_URL": f"sqlite:///{tmp_path / 'again.db'}"}
    verbose = dealer(["migrate", "-v", "leads"], tmp_path, **fresh)
    assert verbose.returncode == 0, verbose.stderr
    assert "INFO  [alembic.runtime.migration] Running upgrade  -> 0001" in verbose.stderr
    assert verbose.stderr.endswith("leads: migrated\n")

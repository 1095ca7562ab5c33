"""``make run`` on a machine where nothing answers at AMQP_URL starts a RabbitMQ of its own (issue 12).

The test points AMQP_URL at a free port of this machine, so nothing answers there and the machine's own
broker on 5672 is never touched. ``dealer run`` (what ``make run`` runs) must start its node on that port
with its files under DEALER_DATA_DIR/rabbitmq, migrate, print the URLs and a manager token first, serve
/readyz "ready" on all five services, and on Ctrl-C (SIGINT to its process group, as a terminal sends it)
stop everything and then the node it started.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import jwt
import pytest
import requests

from dealer_cli import localbroker
from dealer_cli.localbroker import SetupProblem, answers
from dealer_testing import DEFAULT_SECRET, ROOT, free_port, wait_for

SERVICES = ("leads", "orders", "inventory", "after_sales", "reporting")


def ready(port: int) -> bool:
    try:
        answer = requests.get(f"http://127.0.0.1:{port}/readyz", timeout=2)
    except requests.RequestException:
        return False
    return answer.status_code == 200 and answer.json()["status"] == "ready"


def node_pid(pid_file: Path) -> int | None:
    """The pid of our node's Erlang VM while it runs, from the pid file RabbitMQ writes."""
    try:
        pid = int(pid_file.read_text().strip())
        Path(f"/proc/{pid}/cmdline").read_bytes()
    except (OSError, ValueError):
        return None
    return pid


class Run:
    """``dealer run`` in a session of its own, its output collected line by line."""

    def __init__(self, env: dict[str, str]) -> None:
        self.process = subprocess.Popen([sys.executable, "-m", "dealer_cli", "run"], cwd=ROOT, env=env,
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                        start_new_session=True)
        self.lines: list[str] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    @property
    def output(self) -> str:
        return "\n".join(self.lines)


@pytest.fixture
def own_broker_env(tmp_path: Path) -> Iterator[dict[str, str]]:
    """Free ports for the broker and every service; our data in tmp_path; checks the node is gone after."""
    amqp_port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("DEALER_") and not k.endswith("_DATABASE_URL")}
    env.update({"AMQP_URL": f"amqp://guest:guest@127.0.0.1:{amqp_port}/", "DEALER_DATA_DIR": str(tmp_path / "var"),
                "DEALER_JWT_SECRET": DEFAULT_SECRET, "WEB_CONCURRENCY": "1"})
    for name in SERVICES:
        env[f"{name.upper()}_PORT"] = str(free_port())
        env[f"{name.upper()}_RELAY_WAKE"] = f"127.0.0.1:{free_port()}"
    yield env
    pid = node_pid(tmp_path / "var" / "rabbitmq" / "node.pid")
    if pid is not None and f"dealer-{amqp_port}" in Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace"):
        os.kill(pid, signal.SIGKILL)  # only the node this test made, should the test have failed midway


@pytest.mark.slow
def test_make_run_starts_its_own_broker_when_none_answers_and_stops_only_it_on_ctrl_c(
        own_broker_env: dict[str, str], tmp_path: Path) -> None:
    env, url = own_broker_env, own_broker_env["AMQP_URL"]
    machines_broker = os.environ.get("AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/")
    assert not answers(url)
    run = Run(env)
    try:
        ports = [int(env[f"{name.upper()}_PORT"]) for name in SERVICES]
        wait_for(lambda: all(ready(port) for port in ports), timeout=120, interval=0.5,
                 message=f"every service ready on our own broker; output so far:\n{run.output}")
        port = url.rsplit(":", 1)[1].strip("/")
        assert f"so started our own node dealer-{port}@localhost (data in {tmp_path / 'var' / 'rabbitmq'})" \
            in run.output
        pid = node_pid(tmp_path / "var" / "rabbitmq" / "node.pid")
        assert pid is not None and (tmp_path / "var" / "rabbitmq" / "mnesia").is_dir()

        first_process_line = next(i for i, line in enumerate(run.lines) if "| leads-web started" in line)
        first_screen = run.lines[:first_process_line]
        assert not [line for line in first_screen if "alembic" in line or "INFO" in line], first_screen
        assert any(line == "Databases: migrated leads, orders, inventory, after_sales, reporting "
                   f"(SQLite files in {tmp_path / 'var'})" for line in first_screen), first_screen
        assert any(f"leads http://127.0.0.1:{env['LEADS_PORT']}" in line for line in first_screen)
        token = next(line for line in first_screen if line.startswith("Manager token (12 h): ")).rsplit(" ", 1)[1]
        assert jwt.decode(token, DEFAULT_SECRET, algorithms=["HS256"])["role"] == "sales_manager"
        assert any(line.endswith("seed --days 30") for line in first_screen), first_screen

        os.killpg(run.process.pid, signal.SIGINT)  # Ctrl-C on the terminal: the foreground group
        assert run.process.wait(timeout=90) == 130
        run.reader.join(timeout=10)
        assert f"RabbitMQ: stopped our node dealer-{port}@localhost" in run.output
        assert node_pid(tmp_path / "var" / "rabbitmq" / "node.pid") is None or not Path(f"/proc/{pid}").exists()
        assert not answers(url), "our node is gone"
        assert answers(machines_broker), "the machine's broker was left alone"
    finally:
        if run.process.poll() is None:
            os.killpg(run.process.pid, signal.SIGKILL)
            run.process.wait(timeout=30)
        run.reader.join(timeout=10)
        if run.process.stdout is not None:
            run.process.stdout.close()


def test_without_rabbitmq_and_without_the_right_to_install_it_make_run_says_the_one_command(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A user who is neither root nor a password-less sudoer, on a machine without RabbitMQ."""
    monkeypatch.setattr(localbroker, "BIN", tmp_path / "no-rabbitmq")
    monkeypatch.setattr(localbroker, "may_install", lambda: None)
    with pytest.raises(SetupProblem) as refused:
        localbroker.ensure_broker(f"amqp://guest:guest@127.0.0.1:{free_port()}/", tmp_path)
    assert str(refused.value) == "RabbitMQ is not installed: run `sudo apt-get install -y rabbitmq-server`"
    assert not (tmp_path / "rabbitmq").exists()

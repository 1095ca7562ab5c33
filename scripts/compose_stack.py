"""`make compose-up` / `make compose-test` / `make compose-down`: the whole store in containers.

up:   the engine (installed and started where missing and allowed), the base images (the official ones,
      else local ones built from Debian packages by deploy/images/build.sh), the build, `up -d`, healthy.
test: the same from nothing on a throwaway project (its own secrets), then the smoke journey against the
      published ports, a worker and the broker restarted mid-stream, and `down -v`; each phase timed.
engine: only the engine; exit 3 with one line saying why when none can run (CI counts that line).
Why a script and not compose alone: Docker Hub may be unreachable (mainland China), and compose cannot
choose its base images or wait for the last container to be healthy by itself.
"""
from __future__ import annotations

import os
import secrets
import signal
import socket
import sys
import time
from collections.abc import Callable
from pathlib import Path

import compose_engine as engine

ROOT = Path(__file__).resolve().parent.parent
TEST_PROJECT = "dealer-compose-test"
ENV_SECRETS = ("RABBITMQ_PASSWORD", "POSTGRES_PASSWORD", "LEADS_DB_PASSWORD", "ORDERS_DB_PASSWORD",
               "INVENTORY_DB_PASSWORD", "AFTER_SALES_DB_PASSWORD", "REPORTING_DB_PASSWORD")
PORTS = (8001, 8002, 8003, 8004, 8005)


def say(line: str) -> None:
    print(f"[compose] {line}", flush=True)


class Phases:
    """Times each phase and prints it as it ends; the summary line comes last."""

    def __init__(self) -> None:
        self.times: list[tuple[str, float]] = []

    def run(self, name: str, step: Callable[[], str | None]) -> None:
        started = time.monotonic()
        detail = step()
        self.times.append((name, time.monotonic() - started))
        say(f"{name}: {self.times[-1][1]:.1f} s" + (f" ({detail})" if detail else ""))

    def summary(self) -> str:
        return ", ".join(f"{name} {seconds:.0f} s" for name, seconds in self.times) + \
            f"; total {sum(seconds for _, seconds in self.times):.0f} s"


def write_env_file(path: Path, project: str, jwt_secret: str, **extra: str) -> None:
    """A .env with fresh random passwords (letters and digits: they go into URLs), readable by its owner only."""
    values = {"COMPOSE_PROJECT_NAME": project, "RABBITMQ_USER": "dealer", "DEALER_JWT_SECRET": jwt_secret,
              **{name: secrets.token_hex(16) for name in ENV_SECRETS}, **extra}
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write("# Written by scripts/compose_stack.py: fresh random secrets.\n")
        out.writelines(f"{name}={value}\n" for name, value in values.items())


def ports_free() -> None:
    """Stop at once, naming the port, when something on this machine already listens on 8001-8005."""
    for port in PORTS:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                raise SystemExit(f"[compose] port {port} is in use on this machine: stop what listens there "
                                 "(`make run`? another stack?) and run again")


def local_env_file() -> Path:
    """The checkout's .env: made with fresh secrets when missing, the token secret shared with `dealer token`."""
    path = ROOT / ".env"
    if not path.exists():
        from shared.config import read_jwt_secret

        write_env_file(path, "dealer", read_jwt_secret(create=True))
        say(f"wrote {path.name} with fresh random secrets (DEALER_JWT_SECRET: the one `dealer token` uses)")
    return path


def bring_up(phases: Phases, stack: engine.Stack) -> None:
    phases.run("images", stack.choose_images)
    phases.run("build", stack.build)
    phases.run("up", stack.up_healthy)


def command_up() -> None:
    phases = Phases()
    phases.run("engine", engine.ensure_engine)
    ports_free()
    stack = engine.Stack(local_env_file(), project=None)
    bring_up(phases, stack)
    say("the store answers on http://127.0.0.1:8001 .. :8005 (dashboard: http://127.0.0.1:8005/dashboard); "
        "tokens: .venv/bin/dealer token --role sales_manager --sub m1")
    say(phases.summary())


def command_test() -> None:
    import compose_journey as journey

    phases = Phases()
    phases.run("engine", engine.ensure_engine)
    env_file = ROOT / "var" / "compose-test.env"
    jwt_secret = secrets.token_hex(32)
    write_env_file(env_file, TEST_PROJECT, jwt_secret, WEB_CONCURRENCY="2")  # 10 gunicorn workers boot, not 25
    stack = engine.Stack(env_file, project=TEST_PROJECT)
    stack.down(volumes=True)  # from nothing: what an earlier, interrupted run left
    ports_free()
    try:
        bring_up(phases, stack)
        phases.run("journey", lambda: journey.sell_a_car(jwt_secret) or "inquiry to delivery, file, report")
        phases.run("restarts", lambda: journey.restart_mid_stream(jwt_secret, stack.restart))
        stack.no_dead_letters()
    except BaseException:
        stack.show_failure()
        raise
    finally:
        phases.run("down", lambda: stack.down(volumes=True))
        env_file.unlink(missing_ok=True)
    say("compose-test passed: " + phases.summary())


def command_engine() -> None:
    """Exit 0 with a running engine (installed and started when allowed), else 3 with one line saying why."""
    try:
        say(f"engine: {engine.ensure_engine()}")
    except SystemExit as refused:
        print(str(refused), flush=True)
        raise SystemExit(3) from None


def command_down() -> None:
    env_file = ROOT / ".env" if (ROOT / ".env").exists() else ROOT / ".env.example"  # names the project only
    engine.Stack(env_file, project=None).down(volumes=False)


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # a stopped run still takes its stack down
    commands = {"up": command_up, "test": command_test, "down": command_down, "engine": command_engine}
    if len(sys.argv) != 2 or sys.argv[1] not in commands:
        raise SystemExit(f"usage: {sys.argv[0]} {{{','.join(commands)}}}")
    commands[sys.argv[1]]()

"""``dealer run`` keeps every process of a small store going (issue 11).

Each test starts the real command as a subprocess on a small Procfile of its own: a process that
exits after a moment, one that keeps running, one that ignores SIGTERM. The expected waits come
from the back-off rule: 1 s after the first exit, then doubling (2 s, 4 s ...) up to 30 s, back to
1 s after a run of 60 s or more.
"""
from __future__ import annotations

import os
import re
import shlex
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from dealer_cli.supervisor import Backoff
from dealer_testing import DEFAULT_SECRET, wait_for

PY = shlex.quote(sys.executable)


class DealerRun:
    """``dealer run`` as a subprocess, its output lines stamped with the time they arrived."""

    def __init__(self, procfile: Path, names: list[str], env: dict[str, str], *options: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "dealer_cli", "run", "--procfile", str(procfile), *options, *names],
            cwd=procfile.parent, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            start_new_session=True)
        self.lines: list[tuple[float, str]] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append((time.monotonic(), line.rstrip("\n")))

    @property
    def output(self) -> str:
        return "\n".join(line for _, line in self.lines)

    def matches(self, pattern: str) -> list[tuple[float, re.Match[str]]]:
        """Each line matching ``pattern``, with its arrival time."""
        found = [(at, re.search(pattern, line)) for at, line in list(self.lines)]
        return [(at, match) for at, match in found if match]

    def pids(self, name: str) -> list[int]:
        """The pid of every start of process ``name``, in order."""
        return [int(m.group(1)) for _, m in self.matches(rf"\| {name} (?:re)?started \(pid=(\d+)")]

    def stop(self, sig: signal.Signals, timeout: float) -> int:
        self.process.send_signal(sig)
        return self.process.wait(timeout=timeout)


def alive_in_group(pgid: int) -> list[int]:
    """The processes of group ``pgid`` still running (zombies waiting for init to reap them excluded)."""
    alive = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            state, _ppid, group = stat.read_text().rsplit(")", 1)[1].split()[:3]
        except (OSError, IndexError):
            continue  # the process ended while we looked
        if int(group) == pgid and state != "Z":
            alive.append(int(stat.parent.name))
    return alive


def group_gone(pgid: int) -> bool:
    """Nothing is left running of the group a supervised process led."""
    return not alive_in_group(pgid)


@pytest.fixture
def dealer_run(tmp_path: Path) -> Iterator[Callable[..., DealerRun]]:
    """Start ``dealer run`` on a Procfile written from ``lines``; kill whatever a failed test left."""
    started: list[DealerRun] = []

    def start(lines: dict[str, str], *options: str, secret: str | None = DEFAULT_SECRET) -> DealerRun:
        procfile = tmp_path / "Procfile"
        procfile.write_text("".join(f"{name}: {command}\n" for name, command in lines.items()))
        env = {k: v for k, v in os.environ.items() if k not in ("DEALER_JWT_SECRET", "DEALER_DATA_DIR")}
        env["DEALER_DATA_DIR"] = str(tmp_path / "var")  # not the checkout's ./var
        if secret is not None:
            env["DEALER_JWT_SECRET"] = secret
        started.append(DealerRun(procfile, list(lines), env, *options))
        return started[-1]

    yield start
    for run in started:
        for pgid in [run.process.pid, *(int(m.group(1)) for _, m in run.matches(r"\(pid=(\d+)"))]:
            if not group_gone(pgid):
                os.killpg(pgid, signal.SIGKILL)  # only the groups this test's dealer run started
        run.process.wait(timeout=10)
        run.reader.join(timeout=10)
        if run.process.stdout is not None:
            run.process.stdout.close()


def test_a_process_that_exits_is_restarted_after_growing_waits_and_the_others_keep_running(
        dealer_run: Callable[..., DealerRun]) -> None:
    run = dealer_run({"flaky": f'{PY} -c "import sys, time; time.sleep(0.5); sys.exit(3)"',
                      "steady": f'{PY} -c "import time; time.sleep(600)"'})
    wait_for(lambda: len(run.pids("flaky")) >= 3, timeout=30, interval=0.05, message="flaky's third start")

    exits = run.matches(r"\| flaky exited, rc=3, after [\d.]+ s; restarting in (\d+) s")
    restarts = run.matches(r"\| flaky restarted \(pid=\d+, start (\d)\)")
    assert [int(m.group(1)) for _, m in exits[:2]] == [1, 2]
    assert [int(m.group(1)) for _, m in restarts[:2]] == [2, 3]
    first_wait, second_wait = restarts[0][0] - exits[0][0], restarts[1][0] - exits[1][0]
    assert 0.9 <= first_wait <= 1.8 and 1.9 <= second_wait <= 2.8, (first_wait, second_wait)

    steady = run.pids("steady")
    assert len(steady) == 1 and not group_gone(steady[0]), "the steady process keeps its first pid"
    assert "steady exited" not in run.output

    started = time.monotonic()
    assert run.stop(signal.SIGINT, timeout=15) == 130
    assert time.monotonic() - started < 5, "SIGTERM ends both at once; no grace period is waited out"
    assert "SIGINT received: stopping every process" in run.output
    assert all(group_gone(pid) for pid in [steady[0], run.pids("flaky")[-1]]), run.output


def test_sigterm_stops_everything_and_kills_what_ignores_it_after_the_grace_period(
        dealer_run: Callable[..., DealerRun]) -> None:
    stubborn = ("import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
                "print('ready', flush=True); time.sleep(600)")
    run = dealer_run({"stubborn": f'{PY} -c "{stubborn}"', "steady": f'{PY} -c "import time; time.sleep(600)"'},
                     "--grace", "1")
    wait_for(lambda: run.matches(r"stubborn +\| ready"), timeout=20, message="the stubborn process to start")
    pids = run.pids("stubborn") + run.pids("steady")

    started = time.monotonic()
    assert run.stop(signal.SIGTERM, timeout=15) == 143
    took = time.monotonic() - started
    assert 1.0 <= took < 5, took
    assert "steady stopped, rc=-15 (SIGTERM)" in run.output
    assert "sending SIGKILL to stubborn" in run.output and "stubborn stopped" in run.output
    assert all(group_gone(pid) for pid in pids)


def test_dealer_run_hands_its_processes_the_local_secret_it_created(
        dealer_run: Callable[..., DealerRun], tmp_path: Path) -> None:
    probe = ("import os, pathlib, time; pathlib.Path('seen').write_text(os.environ['DEALER_JWT_SECRET']); "
             "time.sleep(600)")
    run = dealer_run({"probe": f'{PY} -c "{probe}"'}, secret=None)
    seen = wait_for(lambda: (tmp_path / "seen").exists() and (tmp_path / "seen").read_text(), timeout=20,
                    message="the process to record its secret")
    secret_file = tmp_path / "var" / "jwt-secret"
    assert seen == secret_file.read_text().strip() and len(seen) == 64
    assert secret_file.stat().st_mode & 0o777 == 0o600
    assert run.stop(signal.SIGINT, timeout=15) == 130


def test_dealer_run_refuses_a_published_secret_before_starting_anything(tmp_path: Path) -> None:
    (tmp_path / "Procfile").write_text(f"probe: {PY} -c \"open('started', 'w')\"\n")
    env = {**os.environ, "DEALER_JWT_SECRET": "change-me-to-a-long-random-secret-0123456789"}
    result = subprocess.run([sys.executable, "-m", "dealer_cli", "run", "probe"], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert result.stderr == ("Error: DEALER_JWT_SECRET is a value published in this repository; make one with: "
                             "python -c \"import secrets; print(secrets.token_hex(32))\"\n")
    assert not (tmp_path / "started").exists()


def test_dealer_run_names_a_process_missing_from_the_procfile(tmp_path: Path) -> None:
    (tmp_path / "Procfile").write_text("web: true\n")
    env = {**os.environ, "DEALER_JWT_SECRET": DEFAULT_SECRET}
    result = subprocess.run([sys.executable, "-m", "dealer_cli", "run", "web", "wrokr"], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "not in the Procfile: wrokr (it has: web)" in result.stderr


def test_the_wait_doubles_from_one_second_to_thirty_and_resets_after_a_minute_up() -> None:
    backoff, delays, delay = Backoff(), [], 0.0
    for _ in range(7):
        delay = backoff.next_delay(delay, uptime=0.5)
        delays.append(delay)
    assert delays == [1, 2, 4, 8, 16, 30, 30]
    assert backoff.next_delay(30, uptime=59.9) == 30
    assert backoff.next_delay(30, uptime=60) == 1

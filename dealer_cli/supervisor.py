"""The local runner's supervisor: start every Procfile process, restart the ones that exit.

A small store runs the platform with ``dealer run`` alone, so a worker that dies must come back
by itself, as compose's ``restart: unless-stopped`` brings back a container. honcho's ``Manager``
cannot do that: its loop ends, stopping every other process, as soon as one exits, and it has no
hook to start a process again. So this module supervises on its own (one ``Popen`` per process,
each in its own session so a Ctrl-C on the terminal reaches only the supervisor) and takes from
honcho only what fits: its ``Printer`` and colours, for the same prefixed, coloured output.

- A process that exits is restarted after a back-off: 1 s, doubling up to 30 s, back to 1 s once
  it had stayed up 60 s. Each exit and restart is logged with the exit code.
- SIGINT or SIGTERM stops everything: SIGTERM to each process group, SIGKILL to what is still there
  after the grace period (or at once on a second Ctrl-C); the supervisor then exits 130 or 143.
- What a process leaves behind in its group when it exits (a forked child) is killed before the
  process is reaped, so nothing outlives it and the group id cannot have been reused.
"""
from __future__ import annotations

import contextlib
import datetime
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO

from honcho.colour import get_colours
from honcho.printer import Message, Printer

SYSTEM = "system"


@dataclass(frozen=True)
class Backoff:
    """How long a process that exited waits before its restart."""

    initial: float = 1.0
    ceiling: float = 30.0
    stable_after: float = 60.0

    def next_delay(self, previous: float, uptime: float) -> float:
        """The wait before the next start, given the last wait (0 if none yet) and how long the process ran."""
        if previous <= 0 or uptime >= self.stable_after:
            return self.initial
        return min(previous * 2, self.ceiling)


@dataclass
class Child:
    """One Procfile line and the state of its current process."""

    name: str
    command: str
    colour: str
    process: subprocess.Popen[bytes] | None = None
    reader: threading.Thread | None = None
    started_at: float = 0.0
    starts: int = 0
    delay: float = 0.0
    restart_at: float | None = None


def describe_exit(returncode: int) -> str:
    """``rc=3``, or ``rc=-9 (SIGKILL)`` for a process a signal ended."""
    if returncode < 0:
        try:
            return f"rc={returncode} ({signal.Signals(-returncode).name})"
        except ValueError:
            pass
    return f"rc={returncode}"


class Supervisor:
    """Runs named shell commands until SIGINT/SIGTERM, restarting each one that exits."""

    def __init__(self, commands: dict[str, str], env: dict[str, str] | None = None, *, grace: float = 10.0,
                 backoff: Backoff | None = None, output: IO[str] | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        colours = get_colours()
        self.children = [Child(name, command, next(colours)) for name, command in commands.items()]
        self.env = dict(os.environ if env is None else env)
        self.env.setdefault("PYTHONUNBUFFERED", "1")  # a Python child's prints show up as they happen
        self.grace = grace
        self.backoff = backoff or Backoff()
        self.clock = clock
        self.printer = Printer(output or sys.stdout, width=max([len(SYSTEM), *map(len, commands)]))
        self.lines: queue.Queue[tuple[Child, bytes]] = queue.Queue()
        self.signals: list[int] = []

    def run(self) -> int:
        """Start everything, keep it running until a signal, stop everything; the exit status."""
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, self._on_signal)
        for child in self.children:
            self._start(child)
        while not self.signals:
            self._pump(0.1)
            self._tend(self.clock())
        return self._stop_all()

    def _on_signal(self, signum: int, _frame: object) -> None:
        self.signals.append(signum)

    def _tend(self, now: float) -> None:
        """Notice exits and schedule their restart; start the processes whose wait is over."""
        for child in self.children:
            if child.process is not None and _has_exited(child.process):
                uptime = now - child.started_at
                returncode = self._finish(child)
                child.delay = self.backoff.next_delay(child.delay, uptime)
                child.restart_at = now + child.delay
                self.say(f"{child.name} exited, {describe_exit(returncode)}, after {uptime:.1f} s; "
                         f"restarting in {child.delay:g} s")
            elif child.process is None and child.restart_at is not None and now >= child.restart_at:
                self._start(child)

    def _start(self, child: Child) -> None:
        child.process = subprocess.Popen(child.command, shell=True, env=self.env, stdin=subprocess.DEVNULL,
                                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
        child.started_at, child.restart_at = self.clock(), None
        child.starts += 1
        child.reader = threading.Thread(target=self._read, args=(child, child.process.stdout),
                                        name=f"read-{child.name}", daemon=True)
        child.reader.start()
        if child.starts == 1:
            self.say(f"{child.name} started (pid={child.process.pid})")
        else:
            self.say(f"{child.name} restarted (pid={child.process.pid}, start {child.starts})")

    def _read(self, child: Child, stream: IO[bytes] | None) -> None:
        if stream is None:
            return
        for line in iter(stream.readline, b""):
            self.lines.put((child, line))
        stream.close()

    def _finish(self, child: Child) -> int:
        """Kill what the exited process left in its group, reap it, print its last lines; its exit code."""
        process = child.process
        assert process is not None
        _kill_group(process.pid, signal.SIGKILL)
        returncode = process.wait()
        if child.reader is not None:
            child.reader.join(timeout=1.0)
        self._pump(0)
        child.process, child.reader = None, None
        return returncode

    def _stop_all(self) -> int:
        """SIGTERM every group, SIGKILL what remains after the grace period; 128 + the first signal."""
        first = self.signals[0]
        self.say(f"{signal.Signals(first).name} received: stopping every process")
        for child in self.children:
            child.restart_at = None
            if child.process is not None:
                self.say(f"sending SIGTERM to {child.name} (pid {child.process.pid})")
                _kill_group(child.process.pid, signal.SIGTERM)
        deadline = self.clock() + self.grace
        while self._running() and self.clock() < deadline and len(self.signals) < 2:
            self._pump(0.05)
            self._reap_stopped()
        for child in self._running():
            self.say(f"sending SIGKILL to {child.name} (its process group)")
            self.say(f"{child.name} stopped, {describe_exit(self._finish(child))}")
        return 128 + first

    def _running(self) -> list[Child]:
        return [child for child in self.children if child.process is not None]

    def _reap_stopped(self) -> None:
        """Reap each child whose whole group is done: its shell exited and nothing holds its output open.

        A Procfile line runs under ``sh -c``, which may not exec its command: the shell dies of the
        SIGTERM at once while the command (gunicorn finishing its requests) goes on. The end of the
        output pipe, closed by the last process of the group, is what says the line has stopped.
        """
        for child in self._running():
            if child.process is not None and _has_exited(child.process) and not _reading(child):
                self.say(f"{child.name} stopped, {describe_exit(self._finish(child))}")

    def _pump(self, timeout: float) -> None:
        """Print the lines the processes wrote, waiting up to ``timeout`` for the first."""
        try:
            child, line = self.lines.get(timeout=timeout) if timeout > 0 else self.lines.get_nowait()
        except queue.Empty:
            return
        self._print(child.name, line, child.colour)
        while True:
            try:
                child, line = self.lines.get_nowait()
            except queue.Empty:
                return
            self._print(child.name, line, child.colour)

    def say(self, text: str) -> None:
        """A line of the supervisor's own, under the name ``system``."""
        self._print(SYSTEM, text, None)

    def _print(self, name: str, data: str | bytes, colour: str | None) -> None:
        self.printer.write(Message(type="line", data=data, time=datetime.datetime.now(), name=name, colour=colour))


def _reading(child: Child) -> bool:
    return child.reader is not None and child.reader.is_alive()


def _has_exited(process: subprocess.Popen[bytes]) -> bool:
    """Whether the process has ended, leaving it unreaped so its pid (its group id) stays ours."""
    if not hasattr(os, "waitid"):  # not on every Unix; there, poll() reaps and the group sweep is best effort
        return process.poll() is not None
    if process.returncode is not None:
        return True
    try:
        return os.waitid(os.P_PID, process.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None
    except ChildProcessError:
        return True


def _kill_group(pgid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):  # the group is already gone
        os.killpg(pgid, sig)

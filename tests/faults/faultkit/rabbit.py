"""A RabbitMQ node of the test's own, so stopping the broker never touches the machine's shared one.

The node runs from this machine's RabbitMQ installation with its own name, port,
data directory and cookie. ``stop_app``/``start_app`` stop and restart the broker
the services talk to, exactly as ops would; the node itself is halted and its
directory removed when the test ends, whatever happened (a finalizer and an
atexit hook both make sure), and the shared broker is checked to answer.
"""
from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

from dealer_testing import free_port
from shared import broker

BIN = Path("/usr/lib/rabbitmq/bin")  # the scripts themselves; /usr/sbin's wrappers switch user


def installed() -> bool:
    """True when this machine can run a RabbitMQ node of its own."""
    return (BIN / "rabbitmq-server").exists() and (BIN / "rabbitmqctl").exists()


class PrivateBroker:
    """One RabbitMQ node for one test."""

    def __init__(self) -> None:
        self.base = Path(tempfile.mkdtemp(prefix="dealer-faults-rabbit-"))
        self.node = f"faults{uuid.uuid4().hex[:6]}@localhost"
        self.port, self.dist_port = free_port(), free_port()
        self.env = {**os.environ, "HOME": str(self.base), "RABBITMQ_NODENAME": self.node,
                    "RABBITMQ_NODE_PORT": str(self.port), "RABBITMQ_DIST_PORT": str(self.dist_port),
                    "RABBITMQ_CONF_ENV_FILE": str(self.base / "rabbitmq-env.conf"),
                    "RABBITMQ_CONFIG_FILE": str(self.base / "rabbitmq.conf"),
                    "RABBITMQ_MNESIA_BASE": str(self.base / "mnesia"), "RABBITMQ_LOG_BASE": str(self.base / "log"),
                    "RABBITMQ_ENABLED_PLUGINS_FILE": str(self.base / "enabled_plugins"),
                    "RABBITMQ_PID_FILE": str(self.base / "node.pid"), "ERL_EPMD_ADDRESS": "127.0.0.1",
                    "ERL_FLAGS": "-kernel inet_dist_use_interface {127,0,0,1}"}
        self._halted = False

    @property
    def url(self) -> str:
        return f"amqp://guest:guest@127.0.0.1:{self.port}/"

    def start(self, timeout: float = 90.0) -> PrivateBroker:
        """Boot the node and wait until it answers."""
        (self.base / "rabbitmq-env.conf").write_text("")
        (self.base / "rabbitmq.conf").write_text(f"listeners.tcp.default = 127.0.0.1:{self.port}\n")
        (self.base / "enabled_plugins").write_text("[].\n")
        atexit.register(self.halt)
        subprocess.run([str(BIN / "rabbitmq-server"), "-detached"], env=self.env, check=True, timeout=60,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.wait_ready(timeout)
        return self

    def ctl(self, *args: str, timeout: float = 60.0) -> subprocess.CompletedProcess[str]:
        """Run ``rabbitmqctl`` against this node."""
        return subprocess.run([str(BIN / "rabbitmqctl"), "-n", self.node, *args], env=self.env, timeout=timeout,
                              capture_output=True, text=True)

    def answers(self) -> bool:
        """The broker accepts AMQP connections (the application runs, not just the node)."""
        try:
            broker.connect(self.url, heartbeat=0).close()
            return True
        except Exception:  # noqa: BLE001 - refused, reset, timed out: not yet
            return False

    def wait_ready(self, timeout: float = 90.0) -> float:
        """Block until the broker runs; returns how long that took."""
        started = time.monotonic()
        while not self.answers():
            if time.monotonic() - started > timeout:
                raise AssertionError(f"RabbitMQ node {self.node} not running after {timeout}s")
            time.sleep(0.5)
        return time.monotonic() - started

    def stop_app(self) -> None:
        """Stop the broker application: every connection drops, nothing is accepted."""
        result = self.ctl("stop_app")
        assert result.returncode == 0, result.stderr

    def start_app(self) -> float:
        """Start the broker application again and wait for it; returns how long that took."""
        started = time.monotonic()
        result = self.ctl("start_app", timeout=120)
        assert result.returncode == 0, result.stderr
        self.wait_ready()
        return time.monotonic() - started

    def halt(self) -> None:
        """Halt the node and remove its directory (idempotent; never touches the shared broker)."""
        if self._halted:
            return
        self._halted = True
        self.ctl("stop", str(self.base / "node.pid"), timeout=120)
        pid = _node_pid(self.base / "node.pid", self.node)
        if pid is not None:  # still alive after a clean stop was asked: this node's own process, by its id
            os.kill(pid, 9)
        shutil.rmtree(self.base, ignore_errors=True)


def _node_pid(pid_file: Path, node: str) -> int | None:
    """The pid of this node's Erlang VM if it still runs (checked against its environment: the VM's command line
    does not carry the node's name, so a check there never matched and a stuck node was never killed)."""
    try:
        pid = int(pid_file.read_text().strip())
        environment = Path(f"/proc/{pid}/environ").read_bytes()
    except (OSError, ValueError):
        return None
    return pid if f"RABBITMQ_NODENAME={node}".encode() in environment.split(b"\0") else None

"""A RabbitMQ node of the test's own, so stopping the broker never touches the machine's shared one.

The node is one of ``dealer_testing.cluster``'s nodes on its own (its own name, ports, data directory
and cookie, from this machine's RabbitMQ installation). ``stop_app``/``start_app`` stop and restart the
broker the services talk to, exactly as ops would; the node itself is stopped and its directory removed
when the test ends, whatever happened (a finalizer and an atexit hook both make sure), and the shared
broker is checked to answer.
"""
from __future__ import annotations

import atexit
import shutil
import tempfile
import time
import uuid
from pathlib import Path

from dealer_testing import free_port
from dealer_testing.cluster import BIN, Node, installed

__all__ = ["BIN", "PrivateBroker", "installed"]


class PrivateBroker:
    """One RabbitMQ node for one test."""

    def __init__(self) -> None:
        self.base = Path(tempfile.mkdtemp(prefix="dealer-faults-rabbit-"))
        self.node = Node(f"faults{uuid.uuid4().hex[:6]}@localhost", free_port(), free_port(), self.base)
        self._halted = False

    @property
    def url(self) -> str:
        return self.node.url

    def start(self, timeout: float = 90.0) -> PrivateBroker:
        """Boot the node and wait until it answers."""
        self.node.write_config()
        atexit.register(self.halt)
        self.node.boot()
        self.node.wait_ready(timeout)
        return self

    def stop_app(self) -> None:
        """Stop the broker application: every connection drops, nothing is accepted."""
        result = self.node.ctl("stop_app", timeout=60)
        assert result.returncode == 0, result.stderr

    def start_app(self) -> float:
        """Start the broker application again and wait for it; returns how long that took."""
        started = time.monotonic()
        result = self.node.ctl("start_app", timeout=120)
        assert result.returncode == 0, result.stderr
        self.node.wait_ready()
        return time.monotonic() - started

    def halt(self) -> None:
        """Stop the node (by its own pid if a clean stop fails) and remove its directory; idempotent, and never
        touches the shared broker."""
        if self._halted:
            return
        self._halted = True
        self.node.stop()
        shutil.rmtree(self.base, ignore_errors=True)

"""``make run``'s own RabbitMQ: started when nothing answers at ``AMQP_URL``, stopped with the store.

A newcomer's ``make run`` must work on a machine with no broker running, yet never touch a broker
someone else runs. So ``dealer run`` asks first: whatever answers at ``AMQP_URL`` is used as it is.
When nothing does and the URL names this machine, it starts a node of the project's own from
Debian's RabbitMQ (installing the package first when the user may, without starting the system's
service), with the same approach as the fault suite's private node (tests/faults/faultkit/rabbit.py):
its own node name ``dealer-<port>@localhost``, the URL's port, a free distribution port, no plugins
(so no management listener to clash), and every file under ``<data dir>/rabbitmq`` (``./var/rabbitmq``):
data, logs, cookie. The node runs in the foreground in a session of its own, so a Ctrl-C on the
terminal reaches only ``dealer run``, which stops its processes first and then this node, by its pid.
"""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

BIN = Path("/usr/lib/rabbitmq/bin")  # the scripts themselves; /usr/sbin's wrappers switch to the rabbitmq user
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", ""})
INSTALL = "sudo apt-get install -y rabbitmq-server"


def free_port() -> int:
    """A TCP port nothing listens on now (the node's distribution port)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class SetupProblem(RuntimeError):
    """Something the machine needs cannot be had; the message is one line saying what to do."""


def describe(url: str) -> str:
    """The URL without its password, for messages."""
    parts = urlsplit(url)
    host = parts.hostname or "localhost"
    return f"{parts.scheme}://{host}:{parts.port or 5672}{parts.path or '/'}"


def answers(url: str, timeout: float = 2.0) -> bool:
    """Something accepts TCP connections at the URL's host and port (a broker: ours or anyone's)."""
    parts = urlsplit(url)
    try:
        socket.create_connection((parts.hostname or "localhost", parts.port or 5672), timeout=timeout).close()
        return True
    except OSError:
        return False


def installed() -> bool:
    """This machine has Debian's RabbitMQ scripts to run a node of our own."""
    return (BIN / "rabbitmq-server").exists()


def may_install() -> list[str] | None:
    """The prefix that lets this user run apt-get (none for root, ``sudo -n``), or None when they may not."""
    if os.geteuid() == 0:
        return []
    if shutil.which("sudo") and subprocess.run(["sudo", "-n", "true"], capture_output=True).returncode == 0:
        return ["sudo", "-n"]
    return None


def apt_install(packages: list[str], what: str) -> None:
    """Install Debian packages without starting their services (a policy-rc.d that says no, meanwhile).

    Raises ``SetupProblem`` with the one command to run when this user may not install
    (``scripts/ensure-test-deps`` installs what the tests need with it too).
    """
    prefix = may_install()
    if prefix is None:
        raise SetupProblem(f"{what} is not installed: run `sudo apt-get install -y {' '.join(packages)}`")
    policy = Path("/usr/sbin/policy-rc.d")
    ours = not policy.exists()
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    try:
        if ours:
            subprocess.run([*prefix, "sh", "-c", f"printf '#!/bin/sh\\nexit 101\\n' > {policy} && chmod 755 {policy}"],
                           check=True)
        subprocess.run([*prefix, "apt-get", "update", "-qq"], env=env, check=True, stdout=subprocess.DEVNULL)
        subprocess.run([*prefix, "apt-get", "install", "-y", "-qq", *packages], env=env, check=True,
                       stdout=subprocess.DEVNULL)
    except subprocess.CalledProcessError as failed:
        raise SetupProblem(f"installing {what} failed ({failed.returncode}): run "
                            f"`sudo apt-get install -y {' '.join(packages)}` to see why") from None
    finally:
        if ours:
            subprocess.run([*prefix, "rm", "-f", str(policy)], check=False)


@dataclass
class LocalNode:
    """A RabbitMQ node of the project's own, for one ``dealer run``."""

    url: str
    base: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def port(self) -> int:
        return urlsplit(self.url).port or 5672

    @property
    def name(self) -> str:
        return f"dealer-{self.port}@localhost"

    def environment(self) -> dict[str, str]:
        """RabbitMQ's variables pointing every file of the node under ``base``."""
        base = str(self.base)
        return {**os.environ, "HOME": base, "RABBITMQ_NODENAME": self.name,
                "RABBITMQ_NODE_PORT": str(self.port), "RABBITMQ_DIST_PORT": str(free_port()),
                "RABBITMQ_CONF_ENV_FILE": f"{base}/rabbitmq-env.conf", "RABBITMQ_CONFIG_FILE": f"{base}/rabbitmq.conf",
                "RABBITMQ_MNESIA_BASE": f"{base}/mnesia", "RABBITMQ_LOG_BASE": f"{base}/log",
                "RABBITMQ_ENABLED_PLUGINS_FILE": f"{base}/enabled_plugins", "RABBITMQ_PID_FILE": f"{base}/node.pid",
                "ERL_EPMD_ADDRESS": "127.0.0.1", "ERL_FLAGS": "-kernel inet_dist_use_interface {127,0,0,1}"}

    def _write_config(self) -> None:
        """Listen on the URL's port on loopback only; the URL's user is the node's first user."""
        parts = urlsplit(self.url)
        vhost = unquote(parts.path[1:]) if len(parts.path) > 1 else "/"
        self.base.mkdir(parents=True, exist_ok=True)
        (self.base / "rabbitmq-env.conf").write_text("")
        (self.base / "enabled_plugins").write_text("[].\n")
        (self.base / "rabbitmq.conf").write_text(
            f"listeners.tcp.default = 127.0.0.1:{self.port}\n"
            f"default_user = {unquote(parts.username or 'guest')}\n"
            f"default_pass = {unquote(parts.password or 'guest')}\n"
            f"default_vhost = {vhost}\n")

    def start(self, timeout: float = 90.0) -> None:
        """Boot the node in a session of its own and wait until it takes AMQP connections."""
        self._write_config()
        log = (self.base / "node.out").open("ab")
        try:
            self.process = subprocess.Popen([str(BIN / "rabbitmq-server")], env=self.environment(),
                                            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                            start_new_session=True)
        finally:
            log.close()
        self._wait_ready(timeout)

    def _wait_ready(self, timeout: float) -> None:
        from shared import broker

        deadline = time.monotonic() + timeout
        while True:
            assert self.process is not None
            if self.process.poll() is not None:
                raise SetupProblem(f"our RabbitMQ node {self.name} exited ({self.process.returncode}) while "
                                    f"starting: see {self.base / 'node.out'} and {self.base / 'log'}")
            try:
                broker.connect(self.url, heartbeat=0).close()
                return
            except Exception:  # noqa: BLE001 - refused, reset, not yet booted: try again until the deadline
                if time.monotonic() > deadline:
                    self.stop()
                    raise SetupProblem(f"our RabbitMQ node {self.name} did not answer within {timeout:g} s: "
                                        f"see {self.base / 'log'}") from None
                time.sleep(0.5)

    def stop(self, grace: float = 60.0) -> None:
        """Stop the node we started (SIGTERM: RabbitMQ's own clean stop), killing its group after ``grace``."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)  # the session we made for it: nothing else is in it
            process.wait(timeout=10)


def ensure_broker(url: str, data_dir: Path) -> tuple[LocalNode | None, str]:
    """Use what answers at ``url``, else start our own node there; the node (to stop) and a line saying which.

    Raises ``SetupProblem`` when nothing answers and we may not start one (a remote URL, no RabbitMQ
    and no right to install it, a node that would not boot).
    """
    if answers(url):
        return None, f"RabbitMQ: using the one answering at {describe(url)}"
    host = urlsplit(url).hostname or "localhost"
    if host not in LOCAL_HOSTS:
        raise SetupProblem(f"nothing answers at AMQP_URL ({describe(url)}): start that broker, or unset AMQP_URL "
                            "to let `make run` start one of its own")
    newly = not installed()
    if newly:
        apt_install(["rabbitmq-server"], "RabbitMQ")
    node = LocalNode(url, data_dir / "rabbitmq")
    node.start()
    return node, (f"RabbitMQ: nothing answered at {describe(url)}, so {'installed Debian rabbitmq-server and ' * newly}"
                  f"started our own node {node.name} (data in {node.base}); it stops with this command")

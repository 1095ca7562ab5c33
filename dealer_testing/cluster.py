"""A three-node RabbitMQ cluster of the project's own on 127.0.0.1, for ``make cluster`` and the cluster tests.

Each node runs from this machine's RabbitMQ installation (Debian's ``rabbitmq-server``) with its own
node name, AMQP and distribution ports and its data, logs and config under one directory
(``./var/cluster`` for ``make cluster``, a temporary one for a test); the three share that directory's
Erlang cookie, which is how they may join. The machine's own node (5672) is never touched: every
command names its node (``-n``), and a node is only ever stopped or killed by the pid it wrote itself.

The fault tests drive nodes the way failures happen: ``kill`` (SIGKILL of the node's Erlang VM),
``pause``/``resume`` (SIGSTOP/SIGCONT: a node that stops answering without closing anything), and
``restart`` (a clean stop, then a start that rejoins the cluster from the node's own data).
"""
from __future__ import annotations

import atexit
import os
import secrets
import shutil
import signal
import string
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from shared import broker

BIN = Path("/usr/lib/rabbitmq/bin")  # the scripts themselves; /usr/sbin's wrappers switch to the rabbitmq user
FIXED_PORTS = (5681, 5682, 5683)  # ``make cluster``'s nodes; their distribution ports are these + 20000


def installed() -> bool:
    """True when this machine can run RabbitMQ nodes of its own."""
    return (BIN / "rabbitmq-server").exists() and (BIN / "rabbitmqctl").exists()


@dataclass
class Node:
    """One RabbitMQ node of the cluster: its name, ports and files."""

    name: str  # e.g. dealer1@localhost
    port: int
    dist_port: int
    home: Path  # the cluster's directory: the shared cookie lives here
    env: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        short = self.name.split("@")[0]
        self.dir = self.home / short
        self.env = {**os.environ, "HOME": str(self.home), "RABBITMQ_NODENAME": self.name,
                    "RABBITMQ_NODE_PORT": str(self.port), "RABBITMQ_DIST_PORT": str(self.dist_port),
                    "RABBITMQ_CONF_ENV_FILE": str(self.dir / "rabbitmq-env.conf"),
                    "RABBITMQ_CONFIG_FILE": str(self.dir / "rabbitmq.conf"),
                    "RABBITMQ_MNESIA_BASE": str(self.dir / "mnesia"), "RABBITMQ_LOG_BASE": str(self.dir / "log"),
                    "RABBITMQ_ENABLED_PLUGINS_FILE": str(self.dir / "enabled_plugins"),
                    "RABBITMQ_PID_FILE": str(self.dir / "node.pid"), "ERL_EPMD_ADDRESS": "127.0.0.1",
                    "ERL_FLAGS": "-kernel inet_dist_use_interface {127,0,0,1}"}

    @property
    def url(self) -> str:
        return f"amqp://guest:guest@127.0.0.1:{self.port}/"

    def write_config(self) -> None:
        """The node's files: listen on loopback only; a minority pauses itself rather than split the cluster."""
        self.dir.mkdir(parents=True, exist_ok=True)
        (self.dir / "rabbitmq-env.conf").write_text("")
        (self.dir / "enabled_plugins").write_text("[].\n")
        (self.dir / "rabbitmq.conf").write_text(
            f"listeners.tcp.default = 127.0.0.1:{self.port}\n"
            "cluster_partition_handling = pause_minority\n"
            "disk_free_limit.absolute = 50MB\n")

    def boot(self) -> None:
        """Start the node detached (it rejoins its cluster from its own data when it has been a member)."""
        subprocess.run([str(BIN / "rabbitmq-server"), "-detached"], env=self.env, check=True, timeout=60,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def ctl(self, *args: str, tool: str = "rabbitmqctl", timeout: float = 120.0) -> subprocess.CompletedProcess[str]:
        """Run ``rabbitmqctl`` (or ``rabbitmq-queues``...) against this node; exit code 124 when it timed out."""
        command = [str(BIN / tool), "-n", self.name, *args]
        try:
            return subprocess.run(command, env=self.env, timeout=timeout, capture_output=True, text=True, check=False)
        except subprocess.TimeoutExpired:  # a paused or overloaded node: the caller sees a failed command
            return subprocess.CompletedProcess(command, 124, "", f"timed out after {timeout:.0f}s")

    def must(self, *args: str, tool: str = "rabbitmqctl") -> str:
        """Run a command that has to succeed (given 5 minutes: a loaded machine boots Erlang slowly); its output."""
        result = self.ctl(*args, tool=tool, timeout=300)
        if result.returncode != 0:
            raise RuntimeError(f"{tool} -n {self.name} {' '.join(args)}: {result.stderr.strip() or result.stdout}")
        return result.stdout

    def answers(self) -> bool:
        """The broker application runs: it accepts an AMQP connection."""
        try:
            broker.connect(self.url, heartbeat=0).close()
            return True
        except Exception:  # noqa: BLE001 - refused, reset, timed out: not yet
            return False

    def wait_ready(self, timeout: float = 120.0) -> float:
        """Block until the node takes connections; returns how long that took."""
        started = time.monotonic()
        while not self.answers():
            if time.monotonic() - started > timeout:
                raise RuntimeError(f"RabbitMQ node {self.name} not running after {timeout:.0f}s (logs: {self.dir})")
            time.sleep(0.3)
        return time.monotonic() - started

    def pid(self) -> int | None:
        """The node's Erlang VM pid while it runs (checked against its command line, never a stranger)."""
        try:
            pid = int((self.dir / "node.pid").read_text().strip())
            environment = Path(f"/proc/{pid}/environ").read_bytes()  # the VM's command line omits the name
        except (OSError, ValueError):
            return None
        return pid if f"RABBITMQ_NODENAME={self.name}".encode() in environment.split(b"\0") else None

    def signal(self, sig: int) -> None:
        """Send a signal to this node's VM (SIGKILL, SIGSTOP, SIGCONT)."""
        pid = self.pid()
        if pid is None:
            raise RuntimeError(f"node {self.name} is not running")
        os.kill(pid, sig)

    def kill(self) -> None:
        """The node dies at once: no goodbye to clients or to the other nodes."""
        pid = self.pid()
        self.signal(signal.SIGKILL)
        deadline = time.monotonic() + 30
        while pid is not None and Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
            time.sleep(0.1)

    def stop(self) -> None:
        """Stop the node cleanly (then by its pid, if it is still there)."""
        self.ctl("stop", str(self.dir / "node.pid"), timeout=120)
        pid = self.pid()
        if pid is not None:
            os.kill(pid, signal.SIGCONT)  # a paused node could not have stopped
            os.kill(pid, signal.SIGKILL)


class LocalCluster:
    """Three (or ``size``) RabbitMQ nodes on 127.0.0.1 joined into one cluster; ``halt`` stops them all."""

    def __init__(self, home: Path, ports: tuple[int, ...], dist_ports: tuple[int, ...], prefix: str = "dealer") -> None:
        self.home = home
        self.nodes = [Node(f"{prefix}{number}@localhost", port, dist, home)
                      for number, (port, dist) in enumerate(zip(ports, dist_ports, strict=True), start=1)]
        self._halted = False

    @property
    def url(self) -> str:
        """``AMQP_URL`` naming every node: kombu's failover list, comma separated."""
        return ",".join(node.url for node in self.nodes)

    def node(self, port: int) -> Node:
        """The node listening on ``port``."""
        return next(node for node in self.nodes if node.port == port)

    def start(self, stop_at_exit: bool = True) -> LocalCluster:
        """Boot every node, join the others to the first, and wait until all run as one cluster.

        ``stop_at_exit``: halt the nodes when this Python process ends, whatever happens (a test's
        cluster); ``make cluster``'s nodes outlive the script that starts them.
        """
        self.home.mkdir(parents=True, exist_ok=True)
        cookie = self.home / ".erlang.cookie"
        if not cookie.exists():
            cookie.write_text("".join(secrets.choice(string.ascii_uppercase) for _ in range(32)))
            cookie.chmod(0o400)
        if stop_at_exit:
            atexit.register(self.halt)
        for node in self.nodes:
            node.write_config()
            node.boot()
        with ThreadPoolExecutor(len(self.nodes)) as pool:
            list(pool.map(lambda node: node.wait_ready(), self.nodes))
        seed = self.nodes[0]
        for node in self.nodes[1:]:
            node.must("stop_app")
            node.must("join_cluster", seed.name)
            node.must("start_app")
            node.wait_ready()
        self.wait_members(len(self.nodes))
        return self

    def running_members(self) -> int:
        """How many nodes the first live node sees running in the cluster."""
        for node in self.nodes:
            result = node.ctl("eval", "length(rabbit_nodes:all_running()).", timeout=60)
            if result.returncode == 0 and result.stdout.strip().isdigit():
                return int(result.stdout.strip())
        return 0

    def wait_members(self, count: int, timeout: float = 120.0) -> None:
        """Wait until ``count`` nodes run in the cluster."""
        deadline = time.monotonic() + timeout
        while self.running_members() < count:
            if time.monotonic() > deadline:
                raise RuntimeError(f"the cluster did not reach {count} running nodes in {timeout:.0f}s")
            time.sleep(0.5)

    def restart(self, node: Node) -> float:
        """Start a stopped or killed node again and wait until it takes connections; seconds taken.

        A member's broker starts only once it has synced with the running members, so a node that
        answers is back in the cluster.
        """
        started = time.monotonic()
        node.boot()
        node.wait_ready()
        return time.monotonic() - started

    def leader_of(self, queue: str) -> Node:
        """The node holding the leader of a quorum queue (asked of each node in turn until one answers)."""
        for node in self.nodes:
            result = node.ctl("list_queues", "name", "leader", "--no-table-headers", "--quiet", timeout=120)
            for line in result.stdout.splitlines():
                name, _, leader = line.partition("\t")
                if name == queue and leader.strip():
                    return next(n for n in self.nodes if n.name == leader.strip())
        raise RuntimeError(f"no leader found for queue {queue}")

    def halt(self) -> None:
        """Stop every node (idempotent; by their own pids only) and keep their files."""
        if self._halted:
            return
        self._halted = True
        with ThreadPoolExecutor(len(self.nodes)) as pool:
            list(pool.map(lambda node: node.stop(), self.nodes))

    def remove(self) -> None:
        """Halt, then delete the cluster's directory."""
        self.halt()
        shutil.rmtree(self.home, ignore_errors=True)


def fixed_cluster(home: Path) -> LocalCluster:
    """``make cluster``'s nodes: dealer1..3@localhost on 5681-5683 under ``home``."""
    return LocalCluster(home, FIXED_PORTS, tuple(port + 20000 for port in FIXED_PORTS))

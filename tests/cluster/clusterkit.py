"""The cluster tests' platform: every service twice over (two webs, two workers) on a three-node cluster.

The fault suite's ``Platform`` runs one web and one worker per service; here each service gets a
second gunicorn web on a port of its own and two workers, all live at once on the same PostgreSQL
database (or SQLite file, where a test asks): the two workers' consumers compete on the service's
queue and their relays share the outbox. The staff in the stream are spread over the two webs as a
load balancer would (each member of staff keeps to one). Which broker node each worker is connected
to is read from the kernel's socket table, so a test can kill exactly that node.
"""
from __future__ import annotations

import itertools
import json
import os
import platform as machine
import subprocess
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from dealer_testing import RunningService, create_postgres_database, free_port
from dealer_testing.cluster import LocalCluster, Node
from faultkit.platform import STREAM_SERVICES, Platform
from faultkit.stream import Plan

ROOT = Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "test-output" / "cluster"
REPLICAS = 2
# The fault suite's stream without cars: every order waits for one (等车), so each action still crosses
# leads, orders, inventory and reporting, and the broker faults are measured apart from the sale's later
# steps (contract, approval, insurance, handover), which change with the store's rules.
PLAN = Plan(leads=1750, orders=300, cars=0)  # 2,050 actions: 1,750 leads filed + 300 orders placed


class Spread(dict[str, str]):
    """Service -> URL, answering each lookup with the service's next replica in turn (a round-robin balancer)."""

    def __init__(self, replicas: dict[str, list[str]]) -> None:
        super().__init__({name: urls[0] for name, urls in replicas.items()})
        self._turns = {name: itertools.cycle(urls) for name, urls in replicas.items()}

    def __getitem__(self, name: str) -> str:
        return next(self._turns[name])


class ReplicaPlatform(Platform):
    """Two webs and two workers of each service, against the cluster named by ``AMQP_URL``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.webs: dict[str, list[RunningService]] = {}
        self.replica_workers: dict[str, list[subprocess.Popen[bytes]]] = {}

    def start(self, names: tuple[str, ...] = STREAM_SERVICES, sqlite: tuple[str, ...] = (),
              env: dict[str, dict[str, str]] | None = None, without_worker: tuple[str, ...] = ()) -> ReplicaPlatform:
        """Start each named service twice over (PostgreSQL each, unless named in ``sqlite``)."""
        for name in names:
            url = f"sqlite:///{self.tmp_path / (name + '.db')}" if name in sqlite else self._new_database()
            self.db_urls[name] = url
            first = self._start_service(name, database_url=url, worker=False, extra_env=(env or {}).get(name))
            second = RunningService(name, free_port(), first.env, log_dir=first.log_dir)
            second.start_web()
            self.services[name], self.webs[name] = first, [first, second]
            self.replica_workers[name] = [self.start_worker(name) for _ in range(REPLICAS)]
        return self

    def _new_database(self) -> str:
        url = create_postgres_database(self.admin_url)
        self._created.append(url)
        return url

    @property
    def urls(self) -> dict[str, str]:
        return Spread({name: [web.url for web in webs] for name, webs in self.webs.items()})

    def all_workers(self) -> list[subprocess.Popen[bytes]]:
        return [process for workers in self.replica_workers.values() for process in workers]

    def workers_alive(self) -> int:
        """Workers still running (none is ever restarted in these tests: a dead one stays dead)."""
        return sum(1 for process in self.all_workers() if process.poll() is None)

    def close(self, keep_logs: Path | None = None) -> None:
        for webs in self.webs.values():
            for web in webs[1:]:
                web.stop()
        super().close(keep_logs)


def broker_ports(pid: int, ports: set[int]) -> Counter[int]:
    """How many established TCP connections process ``pid`` holds to each of ``ports`` (the nodes' AMQP ports)."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    found: Counter[int] = Counter()
    for line in Path(f"/proc/{pid}/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        remote_port, state, inode = int(fields[2].split(":")[1], 16), fields[3], fields[9]
        if state == "01" and inode in inodes and remote_port in ports:  # 01: ESTABLISHED
            found[remote_port] += 1
    return found


def node_of(cluster: LocalCluster, pid: int) -> Node:
    """The node most of a worker's broker connections go to."""
    counts = broker_ports(pid, {node.port for node in cluster.nodes})
    assert counts, f"worker {pid} holds no connection to the cluster"
    return cluster.node(counts.most_common(1)[0][0])


def wait_off(cluster: LocalCluster, pid: int, node: Node, timeout: float = 120.0) -> float:
    """Seconds until worker ``pid`` holds connections only to other nodes (it failed over)."""
    started = time.monotonic()
    others = {n.port for n in cluster.nodes if n is not node}
    while True:
        counts = broker_ports(pid, {n.port for n in cluster.nodes})
        if counts and set(counts) <= others:
            return time.monotonic() - started
        if time.monotonic() - started > timeout:
            raise AssertionError(f"worker {pid} still on {node.name} (or nowhere) after {timeout:.0f}s: {counts}")
        time.sleep(0.2)


def consumers_per_queue(cluster: LocalCluster, namespace: str, wanted: int = REPLICAS,
                        timeout: float = 180.0) -> dict[str, int]:
    """Consumers on each of the test's ``<service>.events`` queues, once each has ``wanted`` (or the timeout)."""
    deadline = time.monotonic() + timeout
    while True:
        found = _consumers(cluster, namespace)
        if (found and set(found.values()) == {wanted}) or time.monotonic() > deadline:
            return found
        time.sleep(1.0)


def _consumers(cluster: LocalCluster, namespace: str) -> dict[str, int]:
    """Consumers on each of the test's ``<service>.events`` queues, as the broker counts them now."""
    listing = cluster.nodes[0].must("list_queues", "name", "consumers", "--no-table-headers", "--quiet")
    found = {}
    for line in listing.splitlines():
        name, _, count = line.partition("\t")
        if name.startswith(namespace) and name.endswith(".events"):
            found[name.removeprefix(namespace)] = int(count)
    return found


def write_result(fault: str, result: dict[str, Any]) -> Path:
    """Write one cluster fault's figures for ``tests/cluster/report.py``."""
    OUTPUT.mkdir(parents=True, exist_ok=True)
    path = OUTPUT / f"{fault}.json"
    cpus = len(os.sched_getaffinity(0))
    result = {"fault": fault, "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
              "machine": {"cpus": cpus, "python": machine.python_version(), "load_1min": round(os.getloadavg()[0], 1)},
              **result}
    path.write_text(json.dumps(result, indent=2, default=str) + "\n")
    return path

"""The RabbitMQ node a worker is connected to is killed mid-stream: the workers fail over, nothing is lost."""
from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest
from clusterkit import PLAN, consumers_per_queue, node_of, wait_off, write_result

from faultkit.outcome import conclude
from faultkit.reconcile import wait_caught_up

pytestmark = [pytest.mark.faults, pytest.mark.timeout(900)]
DOWN = 15.0  # seconds the killed node stays down before it is started again


def test_killing_the_node_a_worker_is_connected_to_moves_it_to_another_node_and_loses_nothing(
        cluster, replicas) -> None:
    started = time.monotonic()
    replicas.start()
    consumers = consumers_per_queue(cluster, replicas.env["DEALER_NAMESPACE"])
    stream = replicas.stream(PLAN).start()
    stream.wait_progress(0.35)

    worker = replicas.replica_workers["reporting"][0]
    node = node_of(cluster, worker.pid)
    node.kill()  # SIGKILL of the node's Erlang VM: no connection.close, no goodbye to the cluster
    killed, killed_at = datetime.now(UTC), time.monotonic()
    failover_s = wait_off(cluster, worker.pid, node)
    time.sleep(max(0.0, DOWN - (time.monotonic() - killed_at)))  # the stream goes on with two nodes
    rejoin_s = cluster.restart(node)
    caught_up_s = wait_caught_up(replicas.db_urls, killed)
    recovered_s = time.monotonic() - killed_at

    ledger = stream.join()
    figures = conclude(replicas, ledger)
    write_result("node_killed", {
        "title": "The node a worker is connected to killed",
        "injected": f"SIGKILL of the RabbitMQ node reporting's first worker was connected to ({node.name}), at 35% "
                    f"of the stream; started again {DOWN:.0f} s later (it rejoins the cluster from its own data)",
        "command": "python -m pytest -m faults tests/cluster/test_node_killed.py",
        "consumers_per_queue": consumers, "worker_failover_s": round(failover_s, 1),
        "node_rejoin_s": round(rejoin_s, 1), "workers_alive_after": f"{replicas.workers_alive()} of 8",
        "time_to_recover_s": round(recovered_s, 1),
        "recover_means": "from the kill until reporting held every event written before it "
                         f"(reached {caught_up_s:.1f} s after the node was back)",
        "stream_seconds": round(stream.finished - stream.started, 1),
        "wall_seconds": round(time.monotonic() - started, 1), **figures})
    assert set(consumers.values()) == {2}, f"two competing consumers on every queue: {consumers}"
    assert replicas.workers_alive() == 8, "a worker died instead of failing over"

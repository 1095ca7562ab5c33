"""A rolling restart of the three nodes, one after another, under the stream: nothing lost, nothing twice."""
from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest
from clusterkit import PLAN, consumers_per_queue, write_result

from faultkit.outcome import conclude
from faultkit.reconcile import wait_caught_up

pytestmark = [pytest.mark.faults, pytest.mark.timeout(900)]


def test_restarting_every_node_in_turn_keeps_the_platform_going_and_loses_nothing(cluster, replicas) -> None:
    started = time.monotonic()
    replicas.start()
    consumers = consumers_per_queue(cluster, replicas.env["DEALER_NAMESPACE"])
    stream = replicas.stream(PLAN).start()
    stream.wait_progress(0.2)

    began, began_at = datetime.now(UTC), time.monotonic()
    steps = []
    for node in cluster.nodes:
        waited = _wait_not_quorum_critical(node)  # its queues have enough replicas elsewhere to lose it
        step = time.monotonic()
        node.stop()
        cluster.restart(node)
        steps.append(f"{node.name}: waited {waited:.1f} s for its replicas, down and back in "
                     f"{time.monotonic() - step:.1f} s")
    done_at = time.monotonic()
    wait_caught_up(replicas.db_urls, began)
    recovered_s = time.monotonic() - done_at

    ledger = stream.join()
    figures = conclude(replicas, ledger)
    write_result("rolling_restart", {
        "title": "Rolling restart of the three nodes",
        "injected": "from 20% of the stream, each node in turn: wait until `rabbitmq-queues "
                    "check_if_node_is_quorum_critical` passes, `rabbitmqctl stop`, start again, wait until "
                    "the cluster runs three nodes",
        "command": "python -m pytest -m faults tests/cluster/test_rolling_restart.py",
        "consumers_per_queue": consumers, "restarts": "; ".join(steps),
        "rolling_restart_s": round(done_at - began_at, 1), "workers_alive_after": f"{replicas.workers_alive()} of 8",
        "time_to_recover_s": round(recovered_s, 1),
        "recover_means": "from the last node's return until reporting held every event written before the "
                         "restart began",
        "stream_seconds": round(stream.finished - stream.started, 1),
        "wall_seconds": round(time.monotonic() - started, 1), **figures})
    assert set(consumers.values()) == {2}, f"two competing consumers on every queue: {consumers}"
    assert replicas.workers_alive() == 8, "a worker died instead of failing over"


def _wait_not_quorum_critical(node, timeout: float = 180.0) -> float:  # noqa: ANN001
    """Seconds until stopping ``node`` would leave every quorum queue a majority of its members."""
    started = time.monotonic()
    while node.ctl("check_if_node_is_quorum_critical", tool="rabbitmq-queues", timeout=60).returncode != 0:
        if time.monotonic() - started > timeout:
            raise AssertionError(f"{node.name} still quorum-critical after {timeout:.0f}s")
        time.sleep(1.0)
    return time.monotonic() - started

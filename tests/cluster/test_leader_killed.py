"""The node holding the leader of reporting's quorum queue is killed mid-stream: a follower takes over."""
from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest
from clusterkit import PLAN, consumers_per_queue, write_result

from faultkit.outcome import conclude
from faultkit.reconcile import wait_caught_up

pytestmark = [pytest.mark.faults, pytest.mark.timeout(900)]
DOWN = 15.0  # seconds the killed node stays down


def test_killing_the_leader_of_a_quorum_queue_elects_a_follower_and_loses_nothing(cluster, replicas) -> None:
    started = time.monotonic()
    replicas.start()
    namespace = replicas.env["DEALER_NAMESPACE"]
    consumers = consumers_per_queue(cluster, namespace)
    stream = replicas.stream(PLAN).start()
    stream.wait_progress(0.35)

    queue = f"{namespace}reporting.events"
    leader = cluster.leader_of(queue)
    leader.kill()
    killed, killed_at = datetime.now(UTC), time.monotonic()
    new_leader = _wait_new_leader(cluster, queue, leader)
    elected_s = time.monotonic() - killed_at
    time.sleep(max(0.0, DOWN - (time.monotonic() - killed_at)))
    rejoin_s = cluster.restart(leader)
    caught_up_s = wait_caught_up(replicas.db_urls, killed)
    recovered_s = time.monotonic() - killed_at

    ledger = stream.join()
    figures = conclude(replicas, ledger)
    write_result("leader_killed", {
        "title": "The leader of a quorum queue killed",
        "injected": f"SIGKILL of the node holding the leader of reporting's queue ({leader.name}) at 35% of the "
                    f"stream; started again {DOWN:.0f} s later",
        "command": "python -m pytest -m faults tests/cluster/test_leader_killed.py",
        "consumers_per_queue": consumers,
        "new_leader": f"{new_leader.name}, seen by `rabbitmqctl list_queues` {elected_s:.1f} s after the kill"
                      " (an upper bound: the command itself takes seconds on a loaded machine)",
        "node_rejoin_s": round(rejoin_s, 1), "workers_alive_after": f"{replicas.workers_alive()} of 8",
        "time_to_recover_s": round(recovered_s, 1),
        "recover_means": "from the kill until reporting held every event written before it "
                         f"(reached {caught_up_s:.1f} s after the node was back)",
        "stream_seconds": round(stream.finished - stream.started, 1),
        "wall_seconds": round(time.monotonic() - started, 1), **figures})
    assert set(consumers.values()) == {2}, f"two competing consumers on every queue: {consumers}"
    assert new_leader is not leader
    assert replicas.workers_alive() == 8, "a worker died instead of failing over"


def _wait_new_leader(cluster, queue: str, old, timeout: float = 300.0):  # noqa: ANN001, ANN202
    """The node the queue's new leader is on, once a live follower was elected."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            leader = cluster.leader_of(queue)
        except RuntimeError:
            leader = None
        if leader is not None and leader is not old:
            return leader
        time.sleep(0.2)
    raise AssertionError(f"no new leader for {queue} within {timeout:.0f}s")

"""One node cut off for 20 s (its VM stopped: connections stay open, nothing answers), then back."""
from __future__ import annotations

import signal
import time
from datetime import UTC, datetime

import pytest
from clusterkit import PLAN, consumers_per_queue, write_result

from faultkit.outcome import conclude
from faultkit.reconcile import wait_caught_up

pytestmark = [pytest.mark.faults, pytest.mark.timeout(900)]
PAUSE = 20.0  # seconds the node is cut off


def test_a_node_cut_off_for_twenty_seconds_stalls_nothing_for_good_and_loses_nothing(cluster, replicas) -> None:
    started = time.monotonic()
    replicas.start(sqlite=("leads",))  # leads' two webs and two relays share one SQLite file (leases)
    namespace = replicas.env["DEALER_NAMESPACE"]
    consumers = consumers_per_queue(cluster, namespace)
    stream = replicas.stream(PLAN).start()
    stream.wait_progress(0.35)

    node = cluster.leader_of(f"{namespace}reporting.events")
    node.signal(signal.SIGSTOP)  # cut off: its sockets stay open and silent, like a node behind a dead link
    paused, paused_at = datetime.now(UTC), time.monotonic()
    try:
        actions_before = stream.ledger.actions
        time.sleep(PAUSE)  # the fault itself: the stream goes on against a cluster with one node silent
        actions_during = stream.ledger.actions - actions_before
    finally:
        node.signal(signal.SIGCONT)
    back_at = time.monotonic()
    caught_up_s = wait_caught_up(replicas.db_urls, paused)  # on the two other nodes, whatever the third does
    recovered_s = time.monotonic() - back_at
    # With pause_minority the node, finding on waking that it missed the others, may pause its listeners
    # until it has rejoined them: it takes connections again when it has.
    node.wait_ready(timeout=600)
    node_back_s = time.monotonic() - back_at

    ledger = stream.join()
    answers = stream.answers.between(paused_at, back_at)
    figures = conclude(replicas, ledger)
    write_result("node_paused", {
        "title": "One node cut off for 20 s",
        "injected": f"SIGSTOP of the node holding the leader of reporting's queue ({node.name}) at 35% of the "
                    f"stream, SIGCONT {PAUSE:.0f} s later; leads on SQLite (two relays leasing rows of one file), "
                    "the others on PostgreSQL",
        "command": "python -m pytest -m faults tests/cluster/test_node_paused.py",
        "consumers_per_queue": consumers, "actions_during_fault": actions_during,
        "server_errors_during_fault": sorted({a.status for a in answers if a.status >= 500 or a.status == 0}),
        "node_answering_again_s": round(node_back_s, 1),
        "workers_alive_after": f"{replicas.workers_alive()} of 8", "time_to_recover_s": round(recovered_s, 1),
        "recover_means": "from the node's return until reporting held every event written before the cut "
                         f"({caught_up_s:.1f} s of it waiting for reporting)",
        "stream_seconds": round(stream.finished - stream.started, 1),
        "wall_seconds": round(time.monotonic() - started, 1), **figures})
    assert set(consumers.values()) == {2}, f"two competing consumers on every queue: {consumers}"
    assert actions_during > 0, "the web stopped taking actions while one broker node was silent"
    assert replicas.workers_alive() == 8, "a worker died"

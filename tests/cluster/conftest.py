"""Fixtures of the cluster tests: a three-node RabbitMQ cluster of the test's own, the replicated platform.

The tests are marked ``faults`` (``make test`` leaves them out); ``make test-cluster`` runs them and
renders their figures into docs/reliability.md. They reuse the fault suite's ``faultkit`` (stream,
reconciliation) from tests/faults, and ``clusterkit`` beside this file.
"""
from __future__ import annotations

import sys
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent / "faults")]

from clusterkit import OUTPUT, ReplicaPlatform  # noqa: E402 - needs the path above

from dealer_testing import free_port  # noqa: E402
from dealer_testing.cluster import LocalCluster, installed  # noqa: E402


@pytest.fixture
def cluster(monkeypatch: pytest.MonkeyPatch, dealer_env: dict[str, str]) -> Iterator[LocalCluster]:
    """Three RabbitMQ nodes joined into one cluster, which the services use; stopped after, whatever happens."""
    if not installed():
        pytest.fail("The cluster tests run RabbitMQ nodes of their own: sudo apt-get install -y rabbitmq-server")
    home = Path(tempfile.mkdtemp(prefix="dealer-cluster-"))
    nodes = LocalCluster(home, tuple(free_port() for _ in range(3)), tuple(free_port() for _ in range(3)),
                         prefix=f"c{uuid.uuid4().hex[:6]}n")
    try:
        nodes.start()
        dealer_env["AMQP_URL"] = nodes.url
        monkeypatch.setenv("AMQP_URL", nodes.url)
        yield nodes
    finally:
        nodes.remove()


@pytest.fixture
def replicas(request: pytest.FixtureRequest, cluster: LocalCluster, start_service, postgres_admin_url: str,
             dealer_env: dict[str, str], tmp_path: Path) -> Iterator[ReplicaPlatform]:
    """Services started twice over by the test (``replicas.start(...)``); stopped, logs kept, databases dropped."""
    running = ReplicaPlatform(start_service, postgres_admin_url, dealer_env, tmp_path)
    try:
        yield running
    finally:
        running.close(keep_logs=OUTPUT / "logs" / request.node.name)

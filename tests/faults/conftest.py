"""Fixtures of the fault tests: the running platform, a broker of the test's own, the figures' writer.

The tests here are marked ``faults``: ``make test`` leaves them out, ``make test-faults``
runs them. Their helpers live in ``faultkit`` beside this file.
"""
from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from faultkit import rabbit  # noqa: E402 - needs the path above
from faultkit.outcome import OUTPUT  # noqa: E402
from faultkit.platform import Platform  # noqa: E402


@pytest.fixture
def platform(request: pytest.FixtureRequest, start_service, postgres_admin_url: str, dealer_env: dict[str, str],
             tmp_path: Path) -> Iterator[Platform]:
    """Services started by the test (``platform.start(...)``); stopped, logs kept, databases dropped after."""
    running = Platform(start_service, postgres_admin_url, dealer_env, tmp_path)
    try:
        yield running
    finally:
        running.close(keep_logs=OUTPUT / "logs" / request.node.name)


@pytest.fixture
def private_broker(monkeypatch: pytest.MonkeyPatch, dealer_env: dict[str, str]) -> Iterator[rabbit.PrivateBroker]:
    """A RabbitMQ node of this test's own, which the services use; halted after the test, whatever happens."""
    if not rabbit.installed():
        pytest.fail("The broker-restart test runs a RabbitMQ node of its own: install rabbitmq-server "
                    f"(its scripts in {rabbit.BIN}).")
    node = rabbit.PrivateBroker()
    try:
        node.start()
        dealer_env["AMQP_URL"] = node.url
        monkeypatch.setenv("AMQP_URL", node.url)
        yield node
    finally:
        node.halt()

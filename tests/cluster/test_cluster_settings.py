"""AMQP_URL with several nodes, the queues' replication, and declarations meeting older queues (shared broker)."""
from __future__ import annotations

import logging
import uuid

import pytest

from dealer_testing import free_port
from shared import broker
from shared.config import load_settings, node_urls

THREE = "amqp://u:p@10.0.0.1:5672/,10.0.0.2:5672,10.0.0.3:5672"


def test_a_url_naming_three_nodes_gives_three_replicas_and_a_delivery_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AMQP_URL", THREE)
    monkeypatch.delenv("DEALER_QUORUM_SIZE", raising=False)
    monkeypatch.delenv("DEALER_DELIVERY_LIMIT", raising=False)
    settings = load_settings("reporting")
    assert (settings.quorum_size, settings.delivery_limit) == (3, 500)  # 3 addresses; the cluster's default


def test_a_node_given_as_host_and_port_takes_the_first_urls_credentials_and_vhost() -> None:
    assert node_urls(THREE) == ["amqp://u:p@10.0.0.1:5672/", "amqp://u:p@10.0.0.2:5672/", "amqp://u:p@10.0.0.3:5672/"]
    assert node_urls("amqp://a:b@h1:1/shop;amqp://a:b@h2:2/shop") == ["amqp://a:b@h1:1/shop", "amqp://a:b@h2:2/shop"]


def test_one_url_declares_no_replication_and_no_limit_unless_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/")
    monkeypatch.delenv("DEALER_QUORUM_SIZE", raising=False)
    monkeypatch.delenv("DEALER_DELIVERY_LIMIT", raising=False)
    assert (load_settings("leads").quorum_size, load_settings("leads").delivery_limit) == (1, 0)
    monkeypatch.setenv("DEALER_QUORUM_SIZE", "3")  # one Service address in front of a cluster (Kubernetes)
    assert (load_settings("leads").quorum_size, load_settings("leads").delivery_limit) == (3, 500)


def test_connect_skips_a_node_that_does_not_answer(amqp_url: str) -> None:
    dead = f"amqp://guest:guest@127.0.0.1:{free_port()}/"  # nothing listens there
    for _ in range(6):  # each connect starts at a random node: both orders are met
        conn = broker.connect(f"{dead},{amqp_url}", heartbeat=0)
        assert conn.connected
        conn.close()


def test_one_url_declares_the_queues_exactly_as_before_clusters(dealer_env: dict[str, str], amqp_url: str) -> None:
    settings = load_settings("probe")
    conn = broker.connect(amqp_url)
    try:
        broker.declare_consumer_queues(broker.raw_channel(conn), settings, ["probe.#"])
        channel = broker.raw_channel(conn)
        # The arguments every release before this one declared: equal, or the broker would refuse (406).
        channel.queue_declare(settings.queue("events"), durable=True, auto_delete=False, arguments={
            "x-queue-type": "quorum", "x-dead-letter-exchange": settings.dead_letter_exchange,
            "x-dead-letter-routing-key": settings.queue("dead")})
        channel.queue_declare(settings.queue("dead"), durable=True, auto_delete=False,
                              arguments={"x-queue-type": "quorum"})
        channel.queue_declare(broker.retry_queue(settings, 1), durable=True, auto_delete=False, arguments={
            "x-message-ttl": 100, "x-dead-letter-exchange": "", "x-dead-letter-routing-key": settings.queue("events")})
    finally:
        conn.close()


def test_a_queue_made_with_other_arguments_is_kept_with_a_warning_and_the_channel_goes_on(
        dealer_env: dict[str, str], amqp_url: str, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    conn = broker.connect(amqp_url)
    try:
        broker.declare_consumer_queues(broker.raw_channel(conn), load_settings("probe"), ["probe.#"])
        monkeypatch.setenv("DEALER_DELIVERY_LIMIT", "20")  # an upgrade that adds x-delivery-limit
        with caplog.at_level(logging.WARNING, logger="dealer.broker"):
            channel = broker.declare_consumer_queues(broker.raw_channel(conn), load_settings("probe"), ["probe.#"])
        assert channel.is_open
        channel.queue_bind(load_settings("probe").queue("events"), load_settings("probe").exchange,
                           f"probe.{uuid.uuid4().hex[:6]}")  # the returned channel works on
        warned = [r.getMessage() for r in caplog.records if "exists with other arguments" in r.getMessage()]
        assert len(warned) == 1 and "probe.events" in warned[0] and "x-delivery-limit" in warned[0]
    finally:
        conn.close()

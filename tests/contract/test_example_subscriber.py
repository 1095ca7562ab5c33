"""docs/examples/subscriber.py works as documented against the real broker."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import amqp
import pytest

from dealer_testing import wait_for
from shared import broker
from shared.config import load_settings
from shared.envelope import make_event

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "subscriber.py"


def event(routing_key: str, subject: str, data: dict[str, Any]) -> dict[str, Any]:
    return make_event(routing_key.split(".")[0], routing_key, subject, data)


def publish(events: list[dict[str, Any]]) -> None:
    settings = load_settings("leads")
    conn = broker.connect(settings.amqp_url)
    try:
        channel = broker.raw_channel(conn)
        broker.declare_exchange(channel, settings)
        for e in events:
            key = e["type"].removeprefix("dealer.").rsplit(".", 1)[0]
            channel.basic_publish(amqp.Message(json.dumps(e).encode(), **broker.message_properties(e)),
                                  exchange=settings.exchange, routing_key=key)
    finally:
        conn.close()


def queue_depth(name: str) -> int | None:
    """Messages waiting in a queue, or None when it does not exist."""
    conn = broker.connect(load_settings("leads").amqp_url)
    try:
        return int(broker.raw_channel(conn).queue_declare(name, passive=True).message_count)
    except amqp.exceptions.NotFound:
        return None
    finally:
        conn.close()


@pytest.fixture
def queue_name(dealer_env: dict[str, str]) -> Any:
    name = f"{dealer_env['DEALER_NAMESPACE']}crm.dealer-events"
    yield name
    conn = broker.connect(dealer_env["AMQP_URL"])
    try:
        for queue in (name, f"{name}.dead"):
            channel = broker.raw_channel(conn)
            channel.queue_delete(queue)
            channel.close()
    finally:
        conn.close()


def test_the_example_subscriber_gets_its_keys_once_each_and_acks_them(queue_name: str, tmp_path: Path) -> None:
    settings = load_settings("leads")
    publish([])  # the exchange exists before the subscriber binds to it
    log = tmp_path / "subscriber.log"
    with open(log, "w") as stderr:
        process = subprocess.Popen(
            [sys.executable, str(EXAMPLE), "--queue", queue_name, "--exchange", settings.exchange,
             "--bind", "orders.order.placed", "--bind", "leads.lead.*", "--state", str(tmp_path / "seen.db"),
             "--max-messages", "2"], stdout=subprocess.PIPE, stderr=stderr, text=True)
    try:
        wait_for(lambda: "listening on" in log.read_text(), timeout=30, message="the subscriber to bind its queue")
        placed = event("orders.order.placed", "o1", {"order_id": "o1", "lead_id": "l1"})
        publish([
            event("inventory.vehicle.received", "v1", {"vin": "LSVAU2180N2183294"}),  # not bound: never seen
            placed,
            placed,  # a redelivery of the same event: skipped
            event("leads.lead.created", "l2", {"lead_id": "l2"}),
        ])
        out, _ = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, log.read_text()
    seen = [json.loads(line) for line in out.splitlines()]
    assert [(e["type"], e["subject"]) for e in seen] == [
        ("dealer.orders.order.placed.v1", "o1"), ("dealer.leads.lead.created.v1", "l2")]
    assert queue_depth(queue_name) == 0, "every message was acked"
    assert queue_depth(f"{queue_name}.dead") == 0


def test_max_messages_handles_exactly_that_many_and_leaves_the_rest_queued(queue_name: str, tmp_path: Path) -> None:
    settings = load_settings("leads")
    publish([])
    log = tmp_path / "subscriber.log"
    with open(log, "w") as stderr:
        process = subprocess.Popen(
            [sys.executable, str(EXAMPLE), "--queue", queue_name, "--exchange", settings.exchange,
             "--bind", "leads.lead.created", "--state", str(tmp_path / "seen.db"), "--max-messages", "3"],
            stdout=subprocess.PIPE, stderr=stderr, text=True)
    try:
        wait_for(lambda: "listening on" in log.read_text(), timeout=30, message="the subscriber to bind its queue")
        publish([event("leads.lead.created", f"l{n}", {"lead_id": f"l{n}"}) for n in range(5)])
        out, _ = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, log.read_text()
    assert [json.loads(line)["subject"] for line in out.splitlines()] == ["l0", "l1", "l2"]
    assert queue_depth(queue_name) == 2, "the two not handled wait for the next run"

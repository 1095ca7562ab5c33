"""Messages no one should have sent (issue 11): malformed envelopes on ``orders.order.placed`` mid-stream.

Before the fix, seven such messages killed the consumer threads of inventory, leads and reporting (e.g.
``TypeError: unhashable type: 'dict'`` for an ``id`` that is an object). Now every consumer of the key
parks each one in its dead letters at once, with the reason, applies everything around them, and lives on.
"""
from __future__ import annotations

import json
import subprocess
import sys
import time
from typing import Any

import pytest

from dealer_testing import wait_for
from faultkit.outcome import conclude, write_result
from faultkit.stream import Plan
from shared import dlq
from shared.config import load_settings
from shared.envelope import make_event
from shared.publisher import ConfirmingPublisher, Outgoing

pytestmark = [pytest.mark.faults, pytest.mark.timeout(600)]
CONSUMERS_OF_PLACED = ("inventory", "leads", "reporting")  # every running service bound to orders.order.placed
MARKER, PHONE = "envelope-no-one-should-send", "19912340000"  # in every body: never in a log, a listing
PLAN = Plan()  # the standard stream of the fault suite: over 2,000 actions


def envelope(**changes: Any) -> dict[str, Any]:
    """An ``orders.order.placed`` envelope for an order no one placed, with fields replaced (None removes)."""
    event = make_event("orders", "orders.order.placed", MARKER, {"order_id": MARKER, "phone": PHONE})
    event.update(changes)
    return {k: v for k, v in event.items() if v is not None}


POISONS: list[tuple[str, bytes, dict[str, Any] | None, str]] = [  # kind, body, headers, the reason parked
    ("body not JSON", f"{{{MARKER} {PHONE}".encode(), None, "body is not JSON"),
    ("a JSON array", json.dumps([envelope()]).encode(), None, "envelope is not a JSON object"),
    ("id an object", json.dumps(envelope(id={"phone": PHONE})).encode(), None, "id is not a non-empty string"),
    ("source a number", json.dumps(envelope(source=42)).encode(), None, "source is not a non-empty string"),
    ("type not dealer.<...>.vN", json.dumps(envelope(type="orders.order.placed")).encode(), None,
     "type is not of the form dealer.<service>.<entity>.<verb>.v<N>"),
    ("data a string", json.dumps(envelope(data=PHONE)).encode(), None, "data is not an object"),
    ("time a number", json.dumps(envelope(time=1700000000)).encode(), None, "time is not a string"),
    ("specversion a number", json.dumps(envelope(specversion=1.0)).encode(), None,
     "specversion is not the string '1.0'"),
    ("x-attempt text", json.dumps(envelope()).encode(), {"x-attempt": "two"}, "x-attempt header is not an integer"),
    ("x-attempt absurd", json.dumps(envelope()).encode(), {"x-attempt": 10**15},
     "x-attempt header is not between 1 and 100"),
    ("JSON nested too deep", b"[" * 100_000, None, "body is not JSON"),
]


def publish_poison(body: bytes, headers: dict[str, Any] | None) -> None:
    """Publish one message on the events exchange with the key ``orders.order.placed``, as anyone could."""
    settings = load_settings("inventory")
    properties: dict[str, Any] = {"delivery_mode": 2, "content_type": "application/json"}
    if headers is not None:
        properties["application_headers"] = headers
    publisher = ConfirmingPublisher(settings.amqp_url)
    try:
        assert publisher.publish([Outgoing(settings.exchange, "orders.order.placed", body, properties)]) == [True]
    finally:
        publisher.close()


def parked_reasons(name: str) -> list[tuple[int, str]]:
    """(attempts, reason) of every dead letter of a service."""
    return sorted((d.attempts, d.error) for d in dlq.list_dead_letters(load_settings(name)))


def dlq_list(platform, name: str) -> str:
    """``dealer dlq list <name>`` as ops run it."""
    return subprocess.run([sys.executable, "-m", "dealer_cli", "dlq", "list", name], env=platform.services[name].env,
                           capture_output=True, text=True, timeout=120, check=True).stdout


def test_malformed_envelopes_are_parked_at_once_while_the_stream_flows_and_every_consumer_lives(platform) -> None:
    started = time.monotonic()
    platform.start()
    stream = platform.stream(PLAN).start()
    for number, (_, body, headers, _) in enumerate(POISONS):  # spread over 10% .. 75% of the stream
        stream.wait_progress(0.1 + 0.65 * number / (len(POISONS) - 1))
        publish_poison(body, headers)
    last_published = time.monotonic()
    expected = sorted((1, reason) for *_, reason in POISONS)
    for name in CONSUMERS_OF_PLACED:
        wait_for(lambda n=name: parked_reasons(n) == expected, timeout=60, interval=0.5,
                 message=f"every malformed message in {name}'s dead letters")
    parked_in = time.monotonic() - last_published

    ledger = stream.join()
    figures = conclude(platform, ledger)  # 0 lost, 0 applied twice, reporting's funnel equal to the actions
    alive = {name: process.poll() is None for name, process in platform.workers.items()}
    logs = {name: platform.worker_log(name) for name in platform.services}
    listed = dlq_list(platform, "inventory")
    write_result("malformed_envelopes", {
        "title": "Malformed envelopes on orders.order.placed",
        "injected": f"{len(POISONS)} messages no one should have sent ({', '.join(k for k, *_ in POISONS)}), "
                    "published to `dealer.events` with the key `orders.order.placed` between 10% and 75% of a "
                    f"stream of {PLAN.actions} planned actions",
        "command": "python -m pytest -m faults tests/faults/test_malformed_envelopes.py",
        **figures, "time_to_recover_s": round(parked_in, 1),
        "recover_means": "from the last malformed message published until every consumer of the key had parked "
                         "it; the stream was never held",
        "dead_letters": {name: len(parked_reasons(name)) for name in platform.services},
        "workers_alive_after": alive, "dlq_list": listed.strip(),
        "stream_seconds": round(stream.finished - stream.started, 1),
        "wall_seconds": round(time.monotonic() - started, 1)})

    assert all(alive.values()), f"a worker died: {alive}"
    assert parked_reasons("orders") == [], "orders does not consume orders.order.placed"
    for name, text in logs.items():
        assert "worker thread died" not in text, f"{name}: a consumer thread died"
        assert MARKER not in text and PHONE not in text, f"{name}'s log echoed a malformed body"
    assert MARKER not in listed and PHONE not in listed and "body is not JSON" in listed

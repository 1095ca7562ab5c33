"""SIGTERM stops a worker and a gunicorn web cleanly: no message lost, no in-flight request cut."""
from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from contextlib import closing
from pathlib import Path
from typing import Any

import amqp
import requests

from dealer_testing import free_port, wait_for
from shared import broker
from shared.config import load_settings
from shared.envelope import make_event

ROOT = Path(__file__).resolve().parents[2]
BACKLOG = 1500


def publish_orders_placed(count: int) -> set[str]:
    """A backlog of ``orders.order.placed`` events on the leads queue; returns their ids."""
    settings = load_settings("leads")
    conn = broker.connect(settings.amqp_url)
    ids = set()
    try:
        channel = broker.raw_channel(conn)
        broker.declare_consumer_queues(channel, settings, ["orders.order.placed", "orders.order.cancelled"])
        for n in range(count):
            event = make_event("orders", "orders.order.placed", f"o{n}", {"order_id": f"o{n}", "lead_id": f"l{n}"})
            ids.add(event["id"])
            channel.basic_publish(amqp.Message(json.dumps(event).encode(), **broker.message_properties(event)),
                                  exchange=settings.exchange, routing_key="orders.order.placed")
        channel.close()
    finally:
        conn.close()
    return ids


def applied_ids(database: Path) -> set[str]:
    """The event ids the leads service recorded as applied (its inbox)."""
    with closing(sqlite3.connect(database, timeout=30)) as conn:
        return {row[0] for row in conn.execute("SELECT event_id FROM processed_events")}


def queued_ids() -> list[str]:
    """Take every message left on the leads queues (main and back-off) and return the event ids."""
    settings = load_settings("leads")
    conn = broker.connect(settings.amqp_url)
    found = []
    try:
        channel = broker.raw_channel(conn)
        for queue in broker.queue_names(settings):
            while (message := channel.basic_get(queue, no_ack=True)) is not None:
                found.append(json.loads(message.body)["id"])
    finally:
        conn.close()
    return found


def test_sigterm_stops_the_worker_quickly_and_every_message_is_applied_or_back_in_the_queue(
        start_service: Any, tmp_path: Path) -> None:
    heartbeat = tmp_path / "worker-alive"
    running = start_service("leads", worker=False, extra_env={
        "DEALER_PREFETCH": "20", "DEALER_WORKER_HEARTBEAT": str(heartbeat)})  # small batches: stops mid-backlog
    published = publish_orders_placed(BACKLOG)
    database = tmp_path / "leads.db"
    worker = running.start_worker()
    wait_for(lambda: len(applied_ids(database)) > 0, timeout=60, interval=0.05, message="the worker to apply events")
    wait_for(lambda: heartbeat.exists() and time.time() - heartbeat.stat().st_mtime < 5, timeout=10,
             message="a working worker to keep its heartbeat fresh")
    worker.send_signal(signal.SIGTERM)
    started = time.monotonic()
    assert worker.wait(timeout=15) == 0
    assert time.monotonic() - started < 10
    applied, queued = applied_ids(database), []

    def accounted_for() -> bool:
        # The broker puts a closed channel's unacked messages back a moment after the close: keep taking.
        queued.extend(queued_ids())
        return applied | set(queued) == published

    wait_for(accounted_for, timeout=10, interval=0.2, message="every message applied or back in its queue (none lost)")
    assert queued, f"the backlog of {BACKLOG} was consumed before SIGTERM: the test proves nothing"
    assert not applied & set(queued), "an applied message was left unacked"
    assert len(queued) == len(set(queued))


SLOW_APP = '''
import os, time

def app(environ, start_response):
    """Answers /slow after a pause, telling the test when the request is in hand."""
    if environ["PATH_INFO"] == "/slow":
        open(os.environ["IN_FLIGHT_MARKER"], "w").close()
        time.sleep(2.5)
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"finished"]
'''


def test_sigterm_lets_gunicorn_finish_the_request_in_flight_then_exit(tmp_path: Path) -> None:
    (tmp_path / "slowapp.py").write_text(SLOW_APP)
    marker, port = tmp_path / "in-flight", free_port()
    env = {"PATH": "/usr/bin:/bin", "IN_FLIGHT_MARKER": str(marker), "PYTHONPATH": str(ROOT),
           "WEB_CONCURRENCY": "1"}
    with open(tmp_path / "gunicorn.log", "wb") as log:
        server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", str(ROOT / "deploy" / "gunicorn.conf.py"),
                                   "--bind", f"127.0.0.1:{port}", "--chdir", str(tmp_path), "slowapp:app"],
                                  env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_for(lambda: _answers(f"http://127.0.0.1:{port}/"), timeout=30, message="gunicorn to listen")
        result: dict[str, Any] = {}
        caller = threading.Thread(target=lambda: result.update(
            response=requests.get(f"http://127.0.0.1:{port}/slow", timeout=30)))
        caller.start()
        wait_for(marker.exists, timeout=10, message="the slow request to be in hand")
        server.send_signal(signal.SIGTERM)
        caller.join(timeout=30)
        assert result["response"].status_code == 200 and result["response"].text == "finished"
        assert server.wait(timeout=30) == 0
        assert not _answers(f"http://127.0.0.1:{port}/"), "a stopped server takes no new request"
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()


def _answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=1).status_code == 200
    except requests.RequestException:
        return False

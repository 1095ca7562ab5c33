"""Subscribe to the dealership's events: copy this file, change ``handle``, run it.

    pip install kombu
    AMQP_URL=amqp://crm:secret@dealer-host:5672/ python subscriber.py \
        --queue crm.dealer-events --bind orders.order.placed --bind 'after_sales.#'

It declares its own durable queue (a quorum queue, with a dead-letter queue
beside it), binds it to the routing keys given, and acks each message only after
``handle`` and the note that the event was handled are committed together, so a
crash at any point means a redelivery, never a loss; a redelivered event is
recognised by its ``source`` + ``id`` and skipped. See docs/subscribing.md.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sqlite3
from typing import Any

from kombu import Connection, Exchange, Queue, binding
from kombu.message import Message
from kombu.mixins import ConsumerMixin
from kombu.serialization import register

log = logging.getLogger("subscriber")
# The platform publishes CloudEvents in structured mode: content type application/cloudevents+json, a JSON body.
register("cloudevents", json.dumps, json.loads, content_type="application/cloudevents+json", content_encoding="utf-8")
ACCEPT = ["cloudevents", "json"]  # plain application/json too: other publishers on the exchange may send it


def handle(db: sqlite3.Connection, event: dict[str, Any]) -> None:
    """Your work for one event, in the open transaction ``db`` (replace this)."""
    print(json.dumps({"type": event["type"], "subject": event["subject"], "data": event["data"]},
                     ensure_ascii=False), flush=True)


class Subscriber(ConsumerMixin):
    """Consumes one queue with manual acks; each event is handled once per ``source`` + ``id``."""

    def __init__(self, connection: Connection, queue: Queue, db: sqlite3.Connection, max_messages: int = 0) -> None:
        self.connection, self.queue, self.db = connection, queue, db
        self.max_messages, self.handled = max_messages, 0

    def get_consumers(self, consumer_class: Any, channel: Any) -> list[Any]:
        prefetch = min(50, self.max_messages) if self.max_messages else 50
        return [consumer_class(queues=[self.queue], callbacks=[self.on_message], accept=ACCEPT,
                               prefetch_count=prefetch)]

    def on_consume_ready(self, connection: Any, channel: Any, consumers: Any, **kwargs: Any) -> None:
        log.info("listening on %s", self.queue.name)

    def on_decode_error(self, message: Message, exc: Exception) -> None:
        log.error("not a JSON event (%s); dead-lettered", exc)
        message.reject(requeue=False)

    def on_message(self, event: dict[str, Any], message: Message) -> None:
        if self.max_messages and self.handled >= self.max_messages:
            message.requeue()  # already delivered with the last batch: left for the next run, not handled
            return
        try:
            with self.db:  # one transaction: the dedupe note and your work commit together
                first = self.db.execute("INSERT OR IGNORE INTO handled (source, id) VALUES (?, ?)",
                                        (event["source"], event["id"])).rowcount == 1
                if first:
                    handle(self.db, event)
        except Exception:  # noqa: BLE001 - park it in <queue>.dead; look at it, fix, and move it back
            log.exception("cannot handle event %s; dead-lettered", event.get("id"))
            message.reject(requeue=False)
            return
        message.ack()  # only now: a crash before this line redelivers the event, and the note skips it
        if first:
            self.handled += 1
            if self.max_messages and self.handled >= self.max_messages:
                self.should_stop = True


def open_state(path: str) -> sqlite3.Connection:
    """The subscriber's own database, holding which events it has handled."""
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE IF NOT EXISTS handled (source TEXT, id TEXT, PRIMARY KEY (source, id))")
    return db


def declare(connection: Connection, exchange_name: str, queue_name: str, keys: list[str]) -> Queue:
    """This subscriber's quorum queue bound to ``keys``, and its dead-letter queue."""
    exchange = Exchange(exchange_name, type="topic", durable=True)
    dead = Queue(f"{queue_name}.dead", Exchange(""), routing_key=f"{queue_name}.dead", durable=True,
                 queue_arguments={"x-queue-type": "quorum"})
    dead.declare(channel=connection.default_channel)
    queue = Queue(queue_name, bindings=[binding(exchange, routing_key=key) for key in keys], durable=True,
                  queue_arguments={"x-queue-type": "quorum", "x-dead-letter-exchange": "",
                                   "x-dead-letter-routing-key": f"{queue_name}.dead"})
    queue.declare(channel=connection.default_channel)
    return queue


def main() -> None:
    parser = argparse.ArgumentParser(description="Subscribe to dealer events.")
    parser.add_argument("--queue", required=True, help="your queue's name, e.g. crm.dealer-events")
    parser.add_argument("--bind", action="append", required=True, help="a routing key, wildcards * and #")
    parser.add_argument("--exchange", default="dealer.events")
    parser.add_argument("--state", default="subscriber.db", help="SQLite file of the handled events")
    parser.add_argument("--max-messages", type=int, default=0, help="stop after handling this many (0: never)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    db = open_state(args.state)
    with Connection(os.environ.get("AMQP_URL", "amqp://guest:guest@localhost:5672/"), heartbeat=30) as conn:
        subscriber = Subscriber(conn, declare(conn, args.exchange, args.queue, args.bind), db, args.max_messages)
        signal.signal(signal.SIGTERM, lambda *_: setattr(subscriber, "should_stop", True))
        subscriber.run()
    db.close()


if __name__ == "__main__":
    main()

"""The idempotent consumer: applies events in batches, acks only after commit.

Each batch is applied in one transaction; each event inside it in a savepoint,
so one bad event does not spoil the others (a service's batch handler may apply
the whole batch at once instead; if it fails, the batch is applied event by
event as before). An event already in the inbox is
skipped. Events whose handler raised go to a back-off queue (then, after the
last attempt, to the dead letters), published with confirms *before* the batch
is acked, so a crash at any point redelivers rather than loses.
"""
from __future__ import annotations

import contextlib
import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import amqp
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from shared import broker
from shared.config import Settings
from shared.envelope import check_envelope, routing_key_of, set_correlation_id
from shared.faults import failpoint
from shared.inbox import already_processed, mark_all_processed, mark_processed
from shared.outbox import utcnow
from shared.publisher import ConfirmingPublisher, Outgoing

log = logging.getLogger("dealer.consumer")
Handler = Callable[[Session, dict[str, Any]], None]
BatchHandler = Callable[[Session, list[dict[str, Any]]], None]


@dataclass
class Delivery:
    """One received message, decoded when possible."""

    tag: int
    body: bytes
    headers: dict[str, Any]
    envelope: dict[str, Any] | None
    problem: str | None


class EventConsumer:
    """Consumes this service's queue and applies each event once."""

    def __init__(self, settings: Settings, sessions: sessionmaker[Session], handlers: dict[str, Handler],
                 bindings: list[str] | None = None, batch_size: int = 500, batch_wait: float = 0.005,
                 batch_handler: BatchHandler | None = None) -> None:
        self.settings = settings
        self.sessions = sessions
        self.handlers = handlers
        self.batch_handler = batch_handler
        self.bindings = bindings if bindings is not None else sorted(handlers)
        # Half the prefetch at most: while one batch commits, the broker already sends the next.
        self.batch_size = max(1, min(batch_size, settings.prefetch // 2))
        self.batch_wait = batch_wait
        self.publisher = ConfirmingPublisher(settings.amqp_url)
        self._pending: list[Delivery] = []
        self.applied = 0
        self.consuming = threading.Event()  # set while subscribed to the queue

    def run(self, stop: threading.Event) -> None:
        """Consume until ``stop`` is set, reconnecting with back-off when the broker goes."""
        delay = 0.5
        while not stop.is_set():
            try:
                self._consume(stop)
                delay = 0.5
            except (TimeoutError, OSError, amqp.exceptions.AMQPError) as exc:
                log.warning("consumer lost the broker: %s", exc.__class__.__name__)
                self.publisher.close()
                stop.wait(delay)
                delay = min(delay * 2, 10.0)

    def _consume(self, stop: threading.Event) -> None:
        conn = broker.connect(self.settings.amqp_url)
        try:
            channel = broker.raw_channel(conn)
            broker.declare_consumer_queues(channel, self.settings, self.bindings)
            channel.basic_qos(0, self.settings.prefetch, False)
            channel.basic_consume(self.settings.queue("events"), callback=self._receive)
            self.consuming.set()
            last_beat = time.monotonic()
            while not stop.is_set():
                try:
                    conn.drain_events(timeout=self.batch_wait if self._pending else 0.5)
                    if len(self._pending) < self.batch_size:
                        continue
                except TimeoutError:
                    pass
                if self._pending:
                    self._flush(channel)
                if time.monotonic() - last_beat > 5:
                    conn.heartbeat_check()
                    last_beat = time.monotonic()
            if self._pending:
                self._flush(channel)
        finally:
            self.consuming.clear()
            self._pending = []  # unacked messages go back to the queue with the channel
            with contextlib.suppress(Exception):  # the connection may already be dead
                conn.close()

    def _receive(self, message: amqp.Message) -> None:
        headers = dict(message.properties.get("application_headers") or {})
        try:
            envelope = json.loads(message.body)
            problems = check_envelope(envelope)
        except (ValueError, UnicodeDecodeError):
            envelope, problems = None, ["body is not JSON"]
        # py-amqp hands over text, not bytes, when the publisher set a content_encoding (kombu does).
        body = message.body.encode() if isinstance(message.body, str) else bytes(message.body)
        self._pending.append(Delivery(message.delivery_tag, body, headers,
                                      envelope if not problems else None, "; ".join(problems) or None))

    # -- one batch ------------------------------------------------------------------
    def _flush(self, channel: amqp.Channel) -> None:
        batch, self._pending = self._pending, []
        try:
            failures = self._apply(batch)
        except DBAPIError as exc:
            log.warning("database unavailable, batch returned to the queue: %s", exc.__class__.__name__)
            for delivery in batch:  # py-amqp speaks no basic.nack: each goes back to the queue by a reject
                channel.basic_reject(delivery.tag, requeue=True)
            time.sleep(1.0)
            return
        failpoint("consumer.after_commit")
        if failures:
            self._send_back(failures)
        channel.basic_ack(batch[-1].tag, multiple=True)

    def _apply(self, batch: list[Delivery]) -> list[tuple[Delivery, str]]:
        failures = [(d, d.problem or "") for d in batch if d.envelope is None]
        usable = [d for d in batch if d.envelope is not None]
        skipped = 0
        with self.sessions() as session, session.begin():
            seen = already_processed(session, [_key(d) for d in usable])
            fresh = []
            for delivery in usable:
                if _key(delivery) in seen:
                    skipped += 1
                    continue
                seen.add(_key(delivery))
                fresh.append(delivery)
            if not self._apply_all(session, fresh):
                for delivery in fresh:
                    error = self._apply_one(session, delivery)
                    if error:
                        failures.append((delivery, error))
        if skipped:  # redelivered or republished: counted, so a crash's duplicates can be seen dropped
            log.info("skipped %s event(s) already applied", skipped, extra={"skipped": skipped})
        return failures

    def _apply_all(self, session: Session, batch: list[Delivery]) -> bool:
        """The batch handler on the whole batch in one savepoint; False (nothing kept) when it failed."""
        if self.batch_handler is None or not batch:
            return False
        envelopes = [d.envelope for d in batch if d.envelope is not None]
        try:
            with session.begin_nested():
                self.batch_handler(session, envelopes)
                mark_all_processed(session, envelopes)
        except DBAPIError as exc:
            if exc.connection_invalidated:
                raise
            log.info("batch of %s applied event by event: %s", len(batch), _describe(exc))
            return False
        except Exception as exc:  # noqa: BLE001 - the per-event path finds which event fails
            log.info("batch of %s applied event by event: %s", len(batch), _describe(exc))
            return False
        self.applied += len(batch)
        return True

    def _apply_one(self, session: Session, delivery: Delivery) -> str | None:
        envelope = delivery.envelope
        assert envelope is not None
        set_correlation_id(envelope.get("correlationid"))
        handler = self.handlers.get(routing_key_of(envelope["type"])) or self.handlers.get("#")
        try:
            with session.begin_nested():
                if handler is not None:
                    handler(session, envelope)
                mark_processed(session, envelope["source"], envelope["id"], envelope["type"])
        except DBAPIError as exc:
            if exc.connection_invalidated:
                raise
            return _describe(exc)
        except Exception as exc:  # noqa: BLE001 - any handler failure is this event's failure
            return _describe(exc)
        finally:
            set_correlation_id(None)
        self.applied += 1
        return None

    def _send_back(self, failures: list[tuple[Delivery, str]]) -> None:
        """Republish failed events to a back-off queue or the dead letters, with confirms."""
        delays = broker.retry_delays_ms()
        outgoing = []
        for delivery, error in failures:
            attempt = int(delivery.headers.get("x-attempt", 1))
            retry = delivery.envelope is not None and attempt <= len(delays)
            queue = broker.retry_queue(self.settings, attempt) if retry else self.settings.queue("dead")
            if not retry:
                log.error("event dead-lettered after %s attempts: %s", attempt, error,
                          extra={"event_id": (delivery.envelope or {}).get("id")})
            headers = {**delivery.headers, "x-attempt": attempt + 1, "x-last-error": error[:500],
                       "x-failed-at": utcnow().isoformat()}
            outgoing.append(Outgoing("", queue, delivery.body, {"delivery_mode": 2,
                            "content_type": "application/json", "application_headers": headers}))
        if not all(self.publisher.publish(outgoing)):
            raise OSError("broker refused a retry message")


def _key(delivery: Delivery) -> tuple[str, str]:
    assert delivery.envelope is not None
    return delivery.envelope["source"], delivery.envelope["id"]


def _describe(exc: Exception) -> str:
    return f"{exc.__class__.__name__}: {exc}"

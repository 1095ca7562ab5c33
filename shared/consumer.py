"""The idempotent consumer: applies events in batches, acks only after commit.

Each batch is applied in one transaction; each event inside it in a savepoint,
so one bad event does not spoil the others (a service's batch handler may apply
the whole batch at once instead; if it fails, the batch is applied event by
event as before). An event already in the inbox is skipped. A batch whose
transaction fails as a whole (its commit, the inbox) is applied in halves until
the event that spoils it is alone, so one bad event never holds back good ones;
only a database that is gone sends the batch back to the queue.

Events whose handler raised (anything) go to a back-off queue (then, after the
last attempt, to the dead letters); a message that can never be applied (not an
event, or malformed headers) goes to the dead letters at once. Both are published
with confirms, mandatory, *before* the batch is acked, so a crash or an
unroutable publish at any point redelivers rather than loses. No message, however
malformed, stops the consumer's thread.
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
from amqp.serialization import dumps as amqp_dumps
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError, StatementError
from sqlalchemy.orm import Session, sessionmaker

from shared import broker
from shared.clock import utcnow
from shared.config import Settings
from shared.envelope import check_envelope, routing_key_of, set_correlation_id
from shared.faults import failpoint
from shared.inbox import already_processed, mark_all_processed, mark_processed
from shared.privacy import mask_text
from shared.publisher import ConfirmingPublisher, Outgoing

log = logging.getLogger("dealer.consumer")
Handler = Callable[[Session, dict[str, Any]], None]
BatchHandler = Callable[[Session, list[dict[str, Any]]], None]
MAX_ATTEMPT = 100  # an x-attempt header beyond any back-off schedule was not written by a consumer
MAX_ERROR = 500  # characters of the reason kept in x-last-error


@dataclass
class Delivery:
    """One received message, decoded when possible."""

    tag: int
    body: bytes
    headers: dict[str, Any]
    envelope: dict[str, Any] | None
    problem: str | None
    attempt: int = 1


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
        """Consume until ``stop`` is set, reconnecting with back-off when the broker goes.

        Anything else that escapes a batch is logged and treated the same way: the unacked batch
        returns to the queue with the connection, and the thread lives on.
        """
        delay = 0.5
        while not stop.is_set():
            try:
                self._consume(stop)
                delay = 0.5
            except (TimeoutError, OSError, amqp.exceptions.AMQPError) as exc:
                log.warning("consumer lost the broker: %s", exc.__class__.__name__)
            except Exception as exc:  # noqa: BLE001 - the consumer thread must outlive any bug or message
                log.error("consumer batch failed, reconnecting: %s", exc.__class__.__name__, exc_info=True)
            else:
                continue
            self.publisher.close()
            stop.wait(delay)
            delay = min(delay * 2, 10.0)
    def _consume(self, stop: threading.Event) -> None:
        conn = broker.connect(self.settings.amqp_url)
        try:
            channel = broker.raw_channel(conn)
            channel = broker.declare_consumer_queues(channel, self.settings, self.bindings)
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
                    self.publisher.keepalive()  # the retry publisher idles between failures: keep it alive too
                    last_beat = time.monotonic()
            if self._pending:
                self._flush(channel)
        finally:
            self.consuming.clear()
            self._pending = []  # unacked messages go back to the queue with the channel
            with contextlib.suppress(Exception):  # the connection may already be dead
                conn.close()

    def _receive(self, message: amqp.Message) -> None:
        """Queue the message for the next batch; a message that cannot even be read is still queued, to park."""
        try:
            delivery = _read(message)
        except Exception as exc:  # noqa: BLE001 - whatever a message holds, the callback must not raise
            delivery = Delivery(message.delivery_tag, _raw_body(message), {}, None,
                                f"unreadable message: {exc.__class__.__name__}")
        self._pending.append(delivery)

    # -- one batch ------------------------------------------------------------------
    def _flush(self, channel: amqp.Channel) -> None:
        batch, self._pending = self._pending, []
        try:
            failures = self._apply_split(batch)
        except DBAPIError as exc:  # only a database that is gone gets here
            log.warning("database unavailable, batch returned to the queue: %s", exc.__class__.__name__)
            for delivery in batch:  # py-amqp speaks no basic.nack: each goes back to the queue by a reject
                channel.basic_reject(delivery.tag, requeue=True)
            time.sleep(1.0)
            return
        failpoint("consumer.after_commit")
        if failures:
            self._send_back(failures)
        channel.basic_ack(batch[-1].tag, multiple=True)

    def _apply_split(self, batch: list[Delivery]) -> list[tuple[Delivery, str]]:
        """Apply the batch; when its transaction fails as a whole, apply each half on its own (bisection).

        Each half commits by itself, so the good events are kept and the event that spoils the
        transaction ends up alone, as a failed event. A lost database is raised: no half could succeed.
        """
        try:
            return self._apply(batch)
        except Exception as exc:  # noqa: BLE001 - any whole-batch failure but a lost database is bisected
            if _database_lost(exc):
                raise
            if len(batch) == 1:
                return [(batch[0], _describe(exc))]
            log.warning("batch of %s failed as a whole, applying it in halves: %s", len(batch), _describe(exc))
        middle = len(batch) // 2
        return self._apply_split(batch[:middle]) + self._apply_split(batch[middle:])

    def _apply(self, batch: list[Delivery]) -> list[tuple[Delivery, str]]:
        failures = [(d, d.problem or "") for d in batch if d.envelope is None]
        usable = [d for d in batch if d.envelope is not None]
        skipped = applied = 0
        with self.sessions() as session, session.begin():
            seen = already_processed(session, [_key(d) for d in usable])
            fresh = []
            for delivery in usable:
                if _key(delivery) in seen:
                    skipped += 1
                    continue
                seen.add(_key(delivery))
                fresh.append(delivery)
            if self._apply_all(session, fresh):
                applied = len(fresh)
            else:
                for delivery in fresh:
                    error = self._apply_one(session, delivery)
                    if error and _applied_meanwhile(session, delivery):
                        skipped += 1  # a competing consumer got it too (a redelivery) and committed first
                    elif error:
                        failures.append((delivery, error))
                    else:
                        applied += 1
        self.applied += applied  # counted once committed: a batch that failed on commit applied nothing
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
        except Exception as exc:  # noqa: BLE001 - the per-event path finds which event fails
            if isinstance(exc, DBAPIError) and exc.connection_invalidated:
                raise
            log.info("batch of %s applied event by event: %s", len(batch), _describe(exc))
            return False
        return True

    def _apply_one(self, session: Session, delivery: Delivery) -> str | None:
        """Apply one event in a savepoint; the reason it failed (any exception), or None."""
        envelope = delivery.envelope
        assert envelope is not None
        set_correlation_id((envelope.get("correlationid") or "")[:64] or None)
        try:
            handler = self.handlers.get(routing_key_of(envelope["type"])) or self.handlers.get("#")
            with session.begin_nested():
                if handler is not None:
                    handler(session, envelope)
                mark_processed(session, envelope["source"], envelope["id"], envelope["type"])
        except Exception as exc:  # noqa: BLE001 - any handler failure is this event's failure
            if isinstance(exc, DBAPIError) and exc.connection_invalidated:
                raise
            return _describe(exc)
        finally:
            set_correlation_id(None)
        return None

    def _send_back(self, failures: list[tuple[Delivery, str]]) -> None:
        """Republish failed events to a back-off queue or the dead letters, with confirms, mandatory.

        A publish the broker did not confirm or returned unroutable raises: the batch is not acked,
        so it comes back from the queue rather than being lost.
        """
        delays = broker.retry_delays_ms()
        outgoing = [self._returning(delivery, error, delays) for delivery, error in failures]
        taken = self.publisher.publish(outgoing, mandatory=True)
        if not all(taken):
            log.warning("the broker did not take %s of %s retries or dead letters (unroutable or refused); "
                        "the batch returns to the queue", taken.count(False), len(taken))
            raise OSError("the broker did not take a retry or dead letter")

    def _returning(self, delivery: Delivery, error: str, delays: tuple[int, ...]) -> Outgoing:
        """The message that sends a failed delivery to its next back-off queue, or to the dead letters."""
        attempt, reason = delivery.attempt, mask_text(error)[:MAX_ERROR]
        retry = delivery.envelope is not None and attempt <= len(delays)
        queue = broker.retry_queue(self.settings, attempt) if retry else self.settings.queue("dead")
        event_id = (delivery.envelope or {}).get("id")
        if delivery.envelope is None:  # the reason names what is wrong; the body is never logged
            log.error("malformed message dead-lettered at once: %s", reason)
        elif not retry:
            log.error("event dead-lettered after %s attempts: %s", attempt, reason, extra={"event_id": event_id})
        else:
            log.warning("event failed (attempt %s), retried after back-off: %s", attempt, reason,
                        extra={"event_id": event_id})
        headers = {**_portable(delivery.headers), "x-attempt": attempt + 1, "x-last-error": reason,
                   "x-failed-at": utcnow().isoformat()}
        return Outgoing("", queue, delivery.body, {"delivery_mode": 2, "content_type": broker.EVENT_CONTENT_TYPE,
                                                   "application_headers": headers})


def _read(message: amqp.Message) -> Delivery:
    """Decode a message into a delivery; what makes it unusable goes into ``problem``."""
    body = _raw_body(message)
    raw_headers = message.properties.get("application_headers")
    headers = raw_headers if isinstance(raw_headers, dict) else {}
    problems = [] if isinstance(raw_headers, dict) or raw_headers is None else ["headers are not a table"]
    attempt, attempt_problem = _attempt_of(headers)
    problems += [attempt_problem] if attempt_problem else []
    try:
        envelope = json.loads(body)
    except (ValueError, RecursionError):  # RecursionError: JSON nested deeper than the parser recurses
        envelope, problems = None, [*problems, "body is not JSON"]
    else:
        problems += check_envelope(envelope)
    return Delivery(message.delivery_tag, body, headers, None if problems else envelope,
                    "; ".join(problems) or None, attempt)


def _raw_body(message: amqp.Message) -> bytes:
    """The body as bytes: py-amqp hands over text, not bytes, when the publisher set a content_encoding."""
    body = message.body
    if isinstance(body, str):
        return body.encode("utf-8", "surrogatepass")
    return bytes(body) if isinstance(body, bytes | bytearray | memoryview) else b""


def _attempt_of(headers: dict[Any, Any]) -> tuple[int, str | None]:
    """Which attempt this delivery is (1 when the header is absent), or why its x-attempt header is wrong."""
    value = headers.get("x-attempt", 1)
    if isinstance(value, bool) or not isinstance(value, int):
        return 1, "x-attempt header is not an integer"
    if not 1 <= value <= MAX_ATTEMPT:
        return 1, f"x-attempt header is not between 1 and {MAX_ATTEMPT}"
    return value, None


def _portable(headers: dict[Any, Any]) -> dict[Any, Any]:
    """The headers that can be published again (a decoded header may not encode: an out-of-range integer)."""
    kept = {}
    for key, value in headers.items():
        with contextlib.suppress(Exception):  # py-amqp raises struct.error, FrameSyntaxError, ...
            amqp_dumps("F", [{key: value}])
            kept[key] = value
    return kept


def _database_lost(exc: Exception) -> bool:
    """The database is gone or refusing work (its connection dropped, the server down, a lock held):
    nothing in the batch could succeed now, so the batch waits in the queue instead of being bisected."""
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    return isinstance(exc, OperationalError | InterfaceError)


def _applied_meanwhile(session: Session, delivery: Delivery) -> bool:
    """The event is in the inbox now: another consumer of the queue applied it while this one tried.

    With replicas, a message unacked when a connection drops is redelivered to another worker while
    the first may still be committing it; the second one's inbox insert then waits for that commit
    and fails on the key. That is a duplicate dropped, not a failure to retry.
    """
    return _key(delivery) in already_processed(session, [_key(delivery)])


def _key(delivery: Delivery) -> tuple[str, str]:
    assert delivery.envelope is not None
    return delivery.envelope["source"], delivery.envelope["id"]


def _describe(exc: BaseException) -> str:
    """The exception as a reason, masked; for SQL errors the driver's message, without the statement
    and parameters SQLAlchemy appends (they may echo the event's data)."""
    detail = exc.orig if isinstance(exc, StatementError) and exc.orig is not None else exc
    return mask_text(f"{exc.__class__.__name__}: {detail}")

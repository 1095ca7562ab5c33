"""JSON log lines carrying the service name and the correlation id, with personal data masked.

Masking happens on the finished line, not on the message alone: a phone or an ID number can reach a
log through a traceback (a database error quoting the row), a stack, an ``extra`` field, or a value
some library put there. Whatever part of the line holds it, the formatter masks it (``mask_text``).
"""
from __future__ import annotations

import json
import logging
import os
import sys
import threading
from types import TracebackType
from typing import Any

from pythonjsonlogger.json import JsonFormatter

from shared.envelope import current_correlation_id
from shared.privacy import MaskingFilter, mask_text

LINE_FIELDS = "{asctime}{levelname}{name}{message}{service}{correlation_id}"
RENAMED = {"asctime": "time", "levelname": "level", "name": "logger"}


class ContextFilter(logging.Filter):
    """Stamps each record with the service and the correlation id in force."""

    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def filter(self, record: logging.LogRecord) -> bool:
        record.service = self.service
        record.correlation_id = current_correlation_id()
        return True


def scrub(value: Any) -> Any:
    """A JSON value with every phone and ID number masked: strings, keys, and numbers that spell one."""
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, dict):
        return {mask_text(str(key)): scrub(item) for key, item in value.items()}
    if isinstance(value, list):
        return [scrub(item) for item in value]
    if isinstance(value, bool) or value is None:
        return value
    text = str(value)
    masked = mask_text(text)
    return value if masked == text else masked  # 13812345678 logged as a number becomes a masked string


class MaskingJsonFormatter(JsonFormatter):
    """A JSON line in which no field (message, exc_info, stack_info, any extra) holds a full number.

    Most lines hold none and pass after one scan; a line that does is parsed back, scrubbed value by
    value and serialised again, so it stays valid JSON for the log collector.
    """

    def jsonify_log_record(self, log_data: Any) -> str:
        line = super().jsonify_log_record(log_data)
        if mask_text(line) == line:
            return line
        cleaned = super().jsonify_log_record(scrub(json.loads(line)))
        return cleaned if mask_text(cleaned) == cleaned else mask_text(cleaned)


class MaskingTextFormatter(logging.Formatter):
    """A plain-text formatter (gunicorn's own lines) whose finished line, traceback included, is masked."""

    def format(self, record: logging.LogRecord) -> str:
        return mask_text(super().format(record))


def json_formatter() -> MaskingJsonFormatter:
    """The formatter of every JSON log line of the platform."""
    return MaskingJsonFormatter(LINE_FIELDS, style="{", rename_fields=dict(RENAMED))


def _log_uncaught(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    logging.getLogger("dealer.uncaught").critical("uncaught exception", exc_info=(exc_type, exc, tb))


def _log_uncaught_in_thread(args: threading.ExceptHookArgs) -> None:
    if args.exc_type is SystemExit:
        return
    thread = args.thread.name if args.thread is not None else "?"
    logging.getLogger("dealer.uncaught").critical(
        "uncaught exception in thread %s", thread,
        exc_info=(args.exc_type, args.exc_value, args.exc_traceback))  # type: ignore[arg-type]


def configure_logging(service: str, level: str | None = None) -> None:
    """Send JSON lines to stderr for this process (idempotent).

    Uncaught exceptions (main thread or any other) go through the same masked handler instead of
    Python printing their raw traceback to stderr, where a phone in an error message would survive.
    """
    root = logging.getLogger()
    if getattr(root, "_dealer_configured", None) == service:
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(json_formatter())
    handler.addFilter(ContextFilter(service))
    handler.addFilter(MaskingFilter())
    root.handlers = [handler]
    root.setLevel(level or os.environ.get("DEALER_LOG_LEVEL", "INFO"))
    for noisy in ("amqp", "kombu", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    if sys.excepthook is sys.__excepthook__:  # never displace a hook someone installed (a test runner's)
        sys.excepthook = _log_uncaught
    if threading.excepthook is threading.__excepthook__:
        threading.excepthook = _log_uncaught_in_thread
    root._dealer_configured = service  # type: ignore[attr-defined]

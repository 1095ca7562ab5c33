"""JSON log lines carrying the service name and the correlation id, with personal data masked."""
from __future__ import annotations

import logging
import os
import sys

from pythonjsonlogger.json import JsonFormatter

from shared.envelope import current_correlation_id
from shared.privacy import MaskingFilter


class ContextFilter(logging.Filter):
    """Stamps each record with the service and the correlation id in force."""

    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def filter(self, record: logging.LogRecord) -> bool:
        record.service = self.service
        record.correlation_id = current_correlation_id()
        return True


def configure_logging(service: str, level: str | None = None) -> None:
    """Send JSON lines to stderr for this process (idempotent)."""
    root = logging.getLogger()
    if getattr(root, "_dealer_configured", None) == service:
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter(
        "{asctime}{levelname}{name}{message}{service}{correlation_id}", style="{",
        rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
    ))
    handler.addFilter(ContextFilter(service))
    handler.addFilter(MaskingFilter())
    root.handlers = [handler]
    root.setLevel(level or os.environ.get("DEALER_LOG_LEVEL", "INFO"))
    for noisy in ("amqp", "kombu", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    root._dealer_configured = service  # type: ignore[attr-defined]

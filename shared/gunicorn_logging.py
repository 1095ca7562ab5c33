"""gunicorn's own log lines (its error log, and its access log when one is turned on), masked.

gunicorn writes its lines through its own handlers, not the service's JSON handler: a request line
with ``?phone=13812345678`` in its access log, or "Error handling request /x?phone=..." with a
traceback in its error log, would carry the full number. This logger class keeps gunicorn's formats
and masks each finished line (``shared.logs.MaskingTextFormatter``).
"""
from __future__ import annotations

from typing import Any

from gunicorn.glogging import Logger

from shared.logs import MaskingTextFormatter


class MaskingLogger(Logger):
    """gunicorn's Logger whose every handler's formatter masks phones and ID numbers."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                current = handler.formatter
                if isinstance(current, MaskingTextFormatter):
                    continue
                fmt = current._fmt if current is not None else None  # noqa: SLF001 - keep gunicorn's format
                datefmt = current.datefmt if current is not None else None
                handler.setFormatter(MaskingTextFormatter(fmt, datefmt))

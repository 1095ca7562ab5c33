"""The reports managers read: each a function of a session and its parameters, returning plain data.

Each report's module also lays it out as one table (``Table``: a header row, then rows), which the
API answers as CSV on ``?format=csv`` or ``Accept: text/csv``.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

Table = tuple[list[str], Iterable[Iterable[Any]]]

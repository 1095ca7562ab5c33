"""CSV downloads that are safe to open in a spreadsheet: the one writer every CSV route uses.

A cell whose text starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read by
Excel, WPS and LibreOffice as a formula (OWASP "CSV Injection"): a consultant id, a car colour or
a lead's name typed as ``=HYPERLINK(...)`` would run when a manager opens the report. Such a
cell is written with a leading single quote, which spreadsheets show as text. Numbers stay
numbers: ints, floats and Decimals, and text that reads as a plain number (a money amount like
``-1200.00``, a rate like ``+0.5``), are written unchanged, since a number runs nothing.
"""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from flask import Response

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")


def safe_cell(value: Any) -> Any:
    """``value`` as a CSV cell no spreadsheet runs: numbers as they are, formula-like text quoted."""
    if value is None:
        return ""
    if isinstance(value, (int, float, Decimal)):  # bool is an int: True/False, harmless
        return value
    text = str(value)
    if text.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def csv_text(header: Sequence[Any], rows: Iterable[Iterable[Any]]) -> str:
    """A header row and the rows as CSV text (CRLF line ends), every cell through ``safe_cell``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([safe_cell(cell) for cell in header])
    writer.writerows([safe_cell(cell) for cell in row] for row in rows)
    return buffer.getvalue()


def csv_response(header: Sequence[Any], rows: Iterable[Iterable[Any]], filename: str) -> Response:
    """A CSV download (``<filename>.csv``) of one table."""
    return Response(csv_text(header, rows), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}.csv"'})

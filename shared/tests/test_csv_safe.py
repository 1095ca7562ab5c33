"""CSV cells no spreadsheet runs: formula-like text quoted, numbers (and money strings) left as numbers."""
from __future__ import annotations

from decimal import Decimal

import pytest

from shared.web.csv_safe import csv_text, safe_cell


@pytest.mark.parametrize(("cell", "written"), [
    ("=1+2", "'=1+2"),
    ("+86 138", "'+86 138"),
    ("-2+3", "'-2+3"),
    ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
    ("\t=1+2", "'\t=1+2"),
    ("\r=1+2", "'\r=1+2"),
    ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
    ("-", "'-"),
])
def test_text_starting_like_a_formula_gets_a_leading_single_quote(cell: str, written: str) -> None:
    assert safe_cell(cell) == written


@pytest.mark.parametrize("cell", [
    "-1200.00", "+0.5", "189900.00", "-3", ".5", 0, -1, 1.25, -0.5, Decimal("-1200.00"), True,
])
def test_numbers_and_money_strings_stay_numbers(cell: object) -> None:
    assert safe_cell(cell) == cell


@pytest.mark.parametrize(("cell", "written"), [
    ("Aurora", "Aurora"), ("c1", "c1"), ("a=b", "a=b"), ("", ""), (None, ""), ("2026-10-14", "2026-10-14"),
])
def test_ordinary_text_is_written_as_it_is(cell: object, written: str) -> None:
    assert safe_cell(cell) == written


def test_every_cell_of_a_table_header_included_goes_through_the_guard() -> None:
    text = csv_text(["=name", "revenue"], [["=HYPERLINK(\"http://evil.example\",\"x\")", "-1200.00"], ["c1", 3]])
    assert text.split("\r\n") == [
        "'=name,revenue",
        '"\'=HYPERLINK(""http://evil.example"",""x"")",-1200.00',
        "c1,3",
        "",
    ]

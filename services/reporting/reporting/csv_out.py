"""Reports as CSV (``?format=csv`` or ``Accept: text/csv``): one table each, with a header row.

Every table is written by ``shared.web.csv_safe``, which keeps formula-like text cells from running
when the file is opened in a spreadsheet (CSV injection); numbers stay numbers.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import Response

from reporting.kpi import AGEING_BUCKETS, FUNNEL_STAGES, share
from reporting.reports.consultants import COLUMNS
from reporting.reports.stock import STATUSES
from shared.web import csv_safe

Table = tuple[list[str], Iterable[Iterable[Any]]]


def funnel_table(report: dict[str, Any]) -> Table:
    """One row per stage and per rate; rates carry their numerator and denominator."""
    rows: list[list[Any]] = [[stage, report[stage], "", ""] for stage in FUNNEL_STAGES]
    rows += [[name, value, report["rate_details"][name]["numerator"], report["rate_details"][name]["denominator"]]
             for name, value in report["rates"].items()]
    return ["metric", "value", "numerator", "denominator"], rows


def sales_table(report: dict[str, Any]) -> Table:
    """The total first, then one row per model, colour, consultant, source and day."""
    rows: list[list[Any]] = [["total", "", report["units"], report["revenue"], 1.0 if report["units"] else 0.0]]
    for dimension, section, key in (("model", "by_model", "model"), ("color", "by_color", "color"),
                                    ("consultant", "by_consultant", "consultant_id"),
                                    ("source", "by_source", "source")):
        for item in report[section]:
            rows.append([dimension, item[key], item["units"], item["revenue"],
                         share(item["units"], report["units"])])
    rows += [["day", item["date"], item["units"], item["revenue"], ""] for item in report.get("by_day", [])]
    return ["dimension", "value", "units", "revenue", "share"], rows


def daily_table(report: dict[str, Any]) -> Table:
    """One row per day."""
    return ["date", "units", "revenue"], [[i["date"], i["units"], i["revenue"]] for i in report["items"]]


def consultants_table(report: dict[str, Any]) -> Table:
    """One row per consultant, ranked."""
    header = ["rank", "consultant_id", *COLUMNS, "target", "completion"]
    return header, [[row[name] if row[name] is not None else "" for name in header] for row in report["items"]]


def stock_table(report: dict[str, Any]) -> Table:
    """One row per model/trim/colour: status counts and ageing buckets."""
    header = ["model", "trim", "color", "on_hand", *STATUSES, *[f"age_{b}" for b in AGEING_BUCKETS], "oldest_days"]
    rows = [[i["model"], i["trim"], i["color"], i["on_hand"], *[i[s] for s in STATUSES],
             *[i["ageing"][b] for b in AGEING_BUCKETS], i["oldest_days"]] for i in report["items"]]
    return header, rows


def after_sales_table(report: dict[str, Any]) -> Table:
    """One row per figure."""
    complaints = report["complaints"]
    rows = [["csi", report["csi"] if report["csi"] is not None else ""],
            ["return_visits", report["csi_details"]["return_visits"]],
            *[[f"complaints_{name}", value if value is not None else ""] for name, value in complaints.items()],
            ["reminders_due", report["reminders_due"]]]
    return ["metric", "value"], rows


def csv_response(table: Table, filename: str) -> Response:
    """A CSV download of one table, its cells made safe for spreadsheets."""
    header, rows = table
    return csv_safe.csv_response(header, rows, filename)

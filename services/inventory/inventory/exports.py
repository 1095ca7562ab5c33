"""The inventory's CSV downloads (``?format=csv``): the rows of the car list and of the stock report.

Pure: the routes hand the figures in and send the table through ``shared.web.csv_safe``, which
quotes any cell a spreadsheet would run as a formula (a colour typed as ``=HYPERLINK(...)``).
Times go out as store dates (DEALER_TZ), the way the yard's paper lists show them.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, tzinfo
from typing import Any

from inventory.domain import VehicleStatus
from inventory.stock import BUCKETS, local_day
from shared.business_time import aware

Table = tuple[list[str], list[list[Any]]]
VEHICLE_COLUMNS = ["vin", "model", "trim", "color", "kind", "model_class", "status", "location", "arrived_on",
                   "stock_age_days", "msrp", "cost", "reserved_for_order_id", "delivered_on", "key_holder"]
STATUS_COLUMNS = [status.value for status in VehicleStatus]


def _day(moment: datetime | None, zone: tzinfo) -> str:
    return local_day(aware(moment), zone).isoformat() if moment is not None else ""


def vehicle_table(cars: Iterable[dict[str, Any]], zone: tzinfo) -> Table:
    """One row per car, as ``api.present`` shows it (money as decimal strings)."""
    rows = [[car["vin"], car["model"], car["trim"], car["color"], car["kind"], car["model_class"], car["status"],
             car["location"], _day(car["arrived_at"], zone), car["stock_age_days"], f"{car['msrp']:.2f}",
             f"{car['cost']:.2f}", car["reserved_for_order_id"], _day(car["delivered_at"], zone), car["key_holder"]]
            for car in cars]
    return VEHICLE_COLUMNS, rows


def stock_table(report: dict[str, Any]) -> Table:
    """One row per report line, then one ``total`` row per kind: on hand, each status, each age band."""
    header = ["kind", "model", "trim", "color", "on_hand", *STATUS_COLUMNS, *(f"age_{b}" for b in BUCKETS)]
    rows = [_stock_row(line["kind"], line["model"], line["trim"], line["color"], line) for line in report["items"]]
    rows += [_stock_row(kind, "total", "", "", figures) for kind, figures in report["by_kind"].items()]
    return header, rows


def _stock_row(kind: str, model: str, trim: str, color: str, figures: dict[str, Any]) -> list[Any]:
    return [kind, model, trim, color, figures["on_hand"], *(figures["by_status"][s] for s in STATUS_COLUMNS),
            *(figures["ageing"][b] for b in BUCKETS)]

"""Sales (交车): units and revenue by day, model, colour, consultant (with the name from the staff directory)
and lead source; model mix.

Each breakdown is one GROUP BY over the range's deliveries (a month is a few thousand rows); the lead
source is looked up per delivery by the lead's key, not by joining every lead there is.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.orm import Session

from reporting.dates import days_between
from reporting.domain import share
from reporting.models import LeadFact, SaleFact
from reporting.reports import Table
from reporting.reports.consultants import staff_names
from reporting.reports.paperwork import paperwork_figures, paperwork_rows

NO_LEAD = "none"  # an order placed without a lead
UNKNOWN = "unknown"  # a lead reporting has not heard of
CENT = Decimal("0.01")

_lead_source = select(LeadFact.source).where(LeadFact.lead_id == SaleFact.lead_id).scalar_subquery()
SOURCE = case((func.coalesce(SaleFact.lead_id, "") == "", NO_LEAD),
              else_=func.coalesce(func.nullif(_lead_source, ""), UNKNOWN))
BREAKDOWNS: dict[str, tuple[str, ColumnElement[Any]]] = {  # report field: (item key, what it groups by)
    "by_model": ("model", SaleFact.model), "by_color": ("color", SaleFact.color),
    "by_consultant": ("consultant_id", SaleFact.consultant_id), "by_source": ("source", SOURCE)}


def _totals(session: Session, value: ColumnElement[Any], first: date, last: date,
            consultant: str | None) -> dict[Any, tuple[int, Decimal]]:
    """Units and revenue per value of one dimension over the range's deliveries."""
    per_sale = (select(value.label("value"), SaleFact.price).where(SaleFact.day.between(first, last))
                .where(*([SaleFact.consultant_id == consultant] if consultant is not None else [])).subquery())
    rows = session.execute(select(per_sale.c.value, func.count(), func.sum(per_sale.c.price))
                           .group_by(per_sale.c.value)).all()
    return {name: (int(units), Decimal(revenue or 0).quantize(CENT)) for name, units, revenue in rows}


def _breakdown(key: str, totals: dict[Any, tuple[int, Decimal]]) -> list[dict[str, Any]]:
    """Units and revenue per value of a dimension, most units first."""
    return [{key: name, "units": totals[name][0], "revenue": totals[name][1]}
            for name in sorted(totals, key=lambda n: (-totals[n][0], n))]


def sales(session: Session, first: date, last: date, consultant: str | None = None) -> dict[str, Any]:
    """The sales report for a range: totals, breakdowns and the model mix (车型销售比例)."""
    by_day = _totals(session, SaleFact.day, first, last, consultant)
    total = sum(units for units, _ in by_day.values())
    breakdowns = {field: _breakdown(key, _totals(session, column, first, last, consultant))
                  for field, (key, column) in BREAKDOWNS.items()}
    names = staff_names(session, (item["consultant_id"] for item in breakdowns["by_consultant"]))
    for item in breakdowns["by_consultant"]:
        item["name"] = names.get(item["consultant_id"])
    return {
        "from": first, "to": last, "units": total,
        "revenue": sum((revenue for _, revenue in by_day.values()), Decimal("0.00")), **breakdowns,
        "model_mix": [{"model": m["model"], "units": m["units"], "share": share(m["units"], total)}
                      for m in breakdowns["by_model"]],
        "by_day": _daily_series(by_day, first, last), **paperwork_figures(session, first, last, consultant),
    }


def _daily_series(by_day: dict[Any, tuple[int, Decimal]], first: date, last: date) -> list[dict[str, Any]]:
    """Units and revenue for every day of the range, zero where nothing was delivered."""
    return [{"date": day, "units": by_day.get(day, (0, None))[0], "revenue": by_day.get(day, (0, Decimal("0.00")))[1]}
            for day in days_between(first, last)]


def sales_daily(session: Session, first: date, last: date, consultant: str | None = None) -> dict[str, Any]:
    """The sales trend: one point per day (the dashboard's last 30 days)."""
    return {"from": first, "to": last,
            "items": _daily_series(_totals(session, SaleFact.day, first, last, consultant), first, last)}


def sales_table(report: dict[str, Any]) -> Table:
    """The total first, then one row per model, colour, consultant, source and day."""
    rows: list[list[Any]] = [["total", "", report["units"], report["revenue"], 1.0 if report["units"] else 0.0, ""]]
    for dimension, section, key in (("model", "by_model", "model"), ("color", "by_color", "color"),
                                    ("consultant", "by_consultant", "consultant_id"),
                                    ("source", "by_source", "source")):
        for item in report[section]:
            rows.append([dimension, item[key], item["units"], item["revenue"],
                         share(item["units"], report["units"]), item.get("name") or ""])
    rows += paperwork_rows(report)  # net of VAT, VAT, penetration
    rows += [["day", item["date"], item["units"], item["revenue"], "", ""] for item in report.get("by_day", [])]
    return ["dimension", "value", "units", "revenue", "share", "name"], rows


def daily_table(report: dict[str, Any]) -> Table:
    """One row per day."""
    return ["date", "units", "revenue"], [[i["date"], i["units"], i["revenue"]] for i in report["items"]]

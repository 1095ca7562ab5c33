"""Sales (交车): units and revenue by day, model, colour, consultant and lead source; model mix."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from reporting.clock import days_between
from reporting.kpi import share
from reporting.models import LeadFact, SaleFact

NO_LEAD = "none"  # an order placed without a lead
UNKNOWN = "unknown"  # a lead reporting has not heard of


def _sales(session: Session, first: date, last: date, consultant: str | None) -> list[Any]:
    query = (select(SaleFact.day, SaleFact.model, SaleFact.color, SaleFact.consultant_id, SaleFact.price,
                    SaleFact.lead_id, LeadFact.source)
             .outerjoin(LeadFact, LeadFact.lead_id == SaleFact.lead_id)
             .where(SaleFact.day.between(first, last)))
    if consultant is not None:
        query = query.where(SaleFact.consultant_id == consultant)
    return list(session.execute(query).all())


def _source(row: Any) -> str:
    if not row.lead_id:
        return NO_LEAD
    return str(row.source or UNKNOWN)


def _group(rows: Iterable[Any], key: str, value: Any) -> list[dict[str, Any]]:
    """Units and revenue per value of a dimension, most units first."""
    units: dict[str, int] = defaultdict(int)
    revenue: dict[str, Decimal] = defaultdict(Decimal)
    for row in rows:
        name = value(row)
        units[name] += 1
        revenue[name] += row.price
    return [{key: name, "units": units[name], "revenue": revenue[name]}
            for name in sorted(units, key=lambda n: (-units[n], n))]


def sales(session: Session, first: date, last: date, consultant: str | None = None) -> dict[str, Any]:
    """The sales report for a range: totals, breakdowns and the model mix (车型销售比例)."""
    rows = _sales(session, first, last, consultant)
    total = len(rows)
    by_model = _group(rows, "model", lambda r: r.model)
    return {
        "from": first, "to": last, "units": total, "revenue": sum((r.price for r in rows), Decimal("0.00")),
        "by_model": by_model,
        "by_color": _group(rows, "color", lambda r: r.color),
        "by_consultant": _group(rows, "consultant_id", lambda r: r.consultant_id),
        "by_source": _group(rows, "source", _source),
        "model_mix": [{"model": m["model"], "units": m["units"], "share": share(m["units"], total)} for m in by_model],
        "by_day": daily_series(rows, first, last),
    }


def daily_series(rows: Iterable[Any], first: date, last: date) -> list[dict[str, Any]]:
    """Units and revenue for every day of the range, zero where nothing was delivered."""
    units: dict[date, int] = defaultdict(int)
    revenue: dict[date, Decimal] = defaultdict(Decimal)
    for row in rows:
        units[row.day] += 1
        revenue[row.day] += row.price
    return [{"date": day, "units": units[day], "revenue": revenue.get(day, Decimal("0.00"))}
            for day in days_between(first, last)]


def sales_daily(session: Session, first: date, last: date, consultant: str | None = None) -> dict[str, Any]:
    """The sales trend: one point per day (the dashboard's last 30 days)."""
    query = (select(SaleFact.day, func.count(), func.sum(SaleFact.price)).where(SaleFact.day.between(first, last))
             .group_by(SaleFact.day))
    if consultant is not None:
        query = query.where(SaleFact.consultant_id == consultant)
    found = {day: (int(n), Decimal(total or 0)) for day, n, total in session.execute(query).all()}
    items = [{"date": day, "units": found.get(day, (0, Decimal(0)))[0],
              "revenue": found.get(day, (0, Decimal("0.00")))[1]} for day in days_between(first, last)]
    return {"from": first, "to": last, "items": items}

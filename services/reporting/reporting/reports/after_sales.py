"""After-sales: CSI, complaints opened / resolved / escalated / open, time to resolve, reminders due."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from reporting.dates import aware
from reporting.models import CarDueFact, ComplaintFact, DailyCount
from reporting.reports import Table
from reporting.reports.care import care_figures, care_rows

REMINDER_LIST_LIMIT = 200


def _counted(session: Session, metric: str, first: date, last: date) -> int:
    found = session.scalar(select(func.sum(DailyCount.value))
                           .where(DailyCount.metric == metric, DailyCount.day.between(first, last)))
    return int(found or 0)


def _complaints(session: Session, first: date, last: date) -> dict[str, Any]:
    def number(*where: Any) -> int:
        return int(session.scalar(select(func.count()).select_from(ComplaintFact).where(*where)) or 0)

    resolved = session.execute(select(ComplaintFact.opened_at, ComplaintFact.resolved_at)
                               .where(ComplaintFact.resolved_day.between(first, last),
                                      ComplaintFact.opened_at.is_not(None))).all()
    hours = [(aware(done) - aware(opened)).total_seconds() / 3600 for opened, done in resolved]
    return {
        "opened": number(ComplaintFact.opened_day.between(first, last)),
        "resolved": number(ComplaintFact.resolved_day.between(first, last)),
        "escalated": number(ComplaintFact.escalated_day.between(first, last)),
        "open_now": number(ComplaintFact.opened_at.is_not(None), ComplaintFact.resolved_at.is_(None)),
        "mean_hours_to_resolve": round(sum(hours) / len(hours), 2) if hours else None,
    }


def _reminders(session: Session, today: date, window_days: int) -> dict[str, Any]:
    due_by = today + timedelta(days=window_days)
    where = (CarDueFact.next_due_on.is_not(None), CarDueFact.next_due_on <= due_by)
    total = int(session.scalar(select(func.count()).select_from(CarDueFact).where(*where)) or 0)
    cars = session.scalars(select(CarDueFact).where(*where).order_by(CarDueFact.next_due_on, CarDueFact.vin)
                           .limit(REMINDER_LIST_LIMIT))
    return {"window_days": window_days, "due_by": due_by, "reminders_due": total,
            "reminders": [{"vin": c.vin, "customer_id": c.customer_id, "model": c.model,
                           "next_due_on": c.next_due_on} for c in cars]}


def after_sales(session: Session, first: date, last: date, today: date, window_days: int) -> dict[str, Any]:
    """The after-sales report for a range, with reminders due by today + the window."""
    visits = _counted(session, "return_visits", first, last)
    points = _counted(session, "satisfaction_points", first, last)
    return {
        "from": first, "to": last,
        "csi": round(points / visits, 2) if visits else None,
        "csi_details": {"return_visits": visits, "satisfaction_points": points},
        "complaints": _complaints(session, first, last),
        **_reminders(session, today, window_days), **care_figures(session, first, last),
    }


def after_sales_table(report: dict[str, Any]) -> Table:
    """One row per figure."""
    complaints = report["complaints"]
    rows = [["csi", report["csi"] if report["csi"] is not None else ""],
            ["return_visits", report["csi_details"]["return_visits"]],
            *[[f"complaints_{name}", value if value is not None else ""] for name, value in complaints.items()],
            ["reminders_due", report["reminders_due"]], *care_rows(report)]
    return ["metric", "value"], rows

"""The after-sales report's figures for every car: reminder calls, service appointments, the questionnaire's CSI
and NPS (per month and per consultant who sold the car), customer files by source, notices and grades.

Everything counts in the range by its store-local day: a call on the day it was made, an appointment on the day
it was booked (kept, missed and cancelled are of those, as 邀约到店率 counts), a questionnaire on the day it was
completed, a file on the day it was opened, a notice on the day it was sent. Grades are as they stand now.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from reporting.department_rules import CALL_OUTCOMES, CUSTOMER_SOURCES, GRADES, Satisfaction
from reporting.domain import Rate
from reporting.models import CustomerFact, NoticeFact, QuestionnaireFact, ReminderCallFact, ServiceAppointmentFact
from reporting.reports.consultants import staff_names


def _counted(session: Session, column: Any, day: Any, first: date, last: date) -> dict[Any, int]:
    rows = session.execute(select(column, func.count()).where(day.between(first, last)).group_by(column))
    return {value: int(n) for value, n in rows}


def _reminder_calls(session: Session, first: date, last: date) -> dict[str, int]:
    found = _counted(session, ReminderCallFact.outcome, ReminderCallFact.day, first, last)
    return {"calls": sum(found.get(outcome, 0) for outcome in CALL_OUTCOMES),
            **{outcome: found.get(outcome, 0) for outcome in CALL_OUTCOMES}}


def _appointments(session: Session, first: date, last: date) -> dict[str, Any]:
    made = session.execute(select(ServiceAppointmentFact.kept, ServiceAppointmentFact.missed,
                                  ServiceAppointmentFact.cancelled)
                           .where(ServiceAppointmentFact.booked_day.between(first, last))).all()
    kept = sum(1 for row in made if row.kept)
    missed = sum(1 for row in made if row.missed and not row.kept)
    cancelled = sum(1 for row in made if row.cancelled and not (row.kept or row.missed))
    rate = Rate(kept, len(made))
    return {"made": len(made), "kept": kept, "missed": missed, "cancelled": cancelled,
            "pending": len(made) - kept - missed - cancelled, "keep_rate": rate.value,
            "keep_rate_details": rate.details()}


def _satisfaction(session: Session, first: date, last: date) -> dict[str, Any]:
    rows = session.execute(select(QuestionnaireFact).where(QuestionnaireFact.day.between(first, last))).scalars()
    overall, months, consultants = Satisfaction(), dict[str, Satisfaction](), dict[str, Satisfaction]()
    for row in rows:
        scales, recommend = (row.sales_process, row.delivery, row.facility), row.recommend
        overall.add(scales, recommend)
        months.setdefault(row.day.strftime("%Y-%m"), Satisfaction()).add(scales, recommend)
        if row.consultant_id:
            consultants.setdefault(row.consultant_id, Satisfaction()).add(scales, recommend)
    names = staff_names(session, consultants)
    return {**overall.figures(),
            "by_month": [{"month": month, **months[month].figures()} for month in sorted(months)],
            "by_consultant": [{"consultant_id": staff_id, "name": names.get(staff_id),
                               **consultants[staff_id].figures()} for staff_id in sorted(consultants)]}


def _customers(session: Session, first: date, last: date) -> dict[str, int]:
    found = _counted(session, CustomerFact.source, CustomerFact.filed_day, first, last)
    return {source: found.get(source, 0) for source in CUSTOMER_SOURCES}


def _notices(session: Session, first: date, last: date) -> dict[str, int]:
    sent, recipients = session.execute(select(func.count(), func.coalesce(func.sum(NoticeFact.recipients), 0))
                                       .where(NoticeFact.sent_day.between(first, last))).one()
    return {"sent": int(sent), "recipients": int(recipients)}


def _grades(session: Session) -> dict[str, int]:
    found = dict(session.execute(select(CustomerFact.grade, func.count()).group_by(CustomerFact.grade)).all())
    return {grade: int(found.get(grade, 0)) for grade in GRADES}


def care_figures(session: Session, first: date, last: date) -> dict[str, Any]:
    """The range's reminder calls, appointments, questionnaire, files and notices; the grades now."""
    return {"reminder_calls": _reminder_calls(session, first, last),
            "service_appointments": _appointments(session, first, last),
            "questionnaire": _satisfaction(session, first, last),
            "customers_filed": _customers(session, first, last), "notices": _notices(session, first, last),
            "grades": _grades(session)}


def _satisfaction_rows(label: str, figures: dict[str, Any]) -> Iterable[list[Any]]:
    nps = figures["nps_details"]
    yield [f"csi{label}", "" if figures["csi"] is None else figures["csi"]]
    yield [f"nps{label}", "" if figures["nps"] is None else figures["nps"]]
    yield from ([f"{name}{label}", nps[name]] for name in ("promoters", "passives", "detractors", "responses"))


def care_rows(report: dict[str, Any]) -> list[list[Any]]:
    """CSV rows, one per figure: ``section_name`` and its value; per month and consultant after a space."""
    rows = [[f"{section}_{name}", value] for section in ("reminder_calls", "service_appointments", "customers_filed",
                                                          "notices", "grades")
            for name, value in report[section].items() if not isinstance(value, dict)]
    questionnaire = report["questionnaire"]
    rows += [["questionnaires", questionnaire["questionnaires"]], *_satisfaction_rows("_questionnaire", questionnaire)]
    for item in questionnaire["by_month"]:
        rows += _satisfaction_rows(f" month {item['month']}", item)
    for item in questionnaire["by_consultant"]:
        rows += _satisfaction_rows(f" consultant {item['consultant_id']}", item)
    return rows

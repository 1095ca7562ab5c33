"""After-sales for every car (售后): reminder calls, service appointments, questionnaires, customer files, notices.

One row per call, appointment, questionnaire, customer and notice, keyed by what it is: a redelivery finds
its row as it left it, and whichever of an appointment's events comes first creates the row the others
complete. A customer's grade is the one given on the latest day (the event's time between equal days).
"""
from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from reporting.dates import aware, local_day, parse_date, parse_time
from reporting.department_rules import (
    CALL_OUTCOMES,
    CUSTOMER_SOURCES,
    GRADES,
    SCALES,
    is_recommend_answer,
    is_scale_answer,
)
from reporting.models import CustomerFact, NoticeFact, QuestionnaireFact, ReminderCallFact, ServiceAppointmentFact
from reporting.projections.common import Projector, business_day, business_time, text
from reporting.projections.facts import Facts


def reminder_called(event: dict[str, Any], facts: Facts, tz: ZoneInfo) -> None:
    """A reminder call (保养提醒) and its outcome, on the local day it was made."""
    data = event["data"]
    outcome = text(data, "outcome")
    if outcome not in CALL_OUTCOMES:
        return
    called_at = business_time(event, "called_at").astimezone(UTC)
    call = facts.row(ReminderCallFact, call_key=f"{text(data, 'reminder_id')} {called_at.isoformat()}"[:80])
    call.day, call.outcome, call.called_by = local_day(called_at, tz), outcome, text(data, "called_by") or None


def _appointment(event: dict[str, Any], facts: Facts, tz: ZoneInfo) -> ServiceAppointmentFact:
    """The appointment's row; its day comes from whichever of its events carries it first (all carry it)."""
    data = event["data"]
    appointment_id = text(data, "appointment_id", event.get("subject", ""))
    appointment = facts.row(ServiceAppointmentFact, appointment_id=appointment_id)
    scheduled_at = parse_time(data.get("scheduled_at"))
    if appointment.scheduled_day is None and scheduled_at is not None:
        appointment.scheduled_day = local_day(scheduled_at, tz)
    return appointment


def appointment_booked(event: dict[str, Any], facts: Facts, tz: ZoneInfo) -> None:
    """A service appointment (预约) made: counted on the day it was booked (the event's time)."""
    appointment = _appointment(event, facts, tz)
    appointment.booked_day = business_day(event, "booked_at", tz)
    appointment.kind = text(event["data"], "kind")[:20] or None
    scheduled_at = parse_time(event["data"].get("scheduled_at"))
    if scheduled_at is not None:  # the booking's own day wins over another event's
        appointment.scheduled_day = local_day(scheduled_at, tz)


def appointment_kept(event: dict[str, Any], facts: Facts, tz: ZoneInfo) -> None:
    """The customer came (到店)."""
    _appointment(event, facts, tz).kept = True


def appointment_missed(event: dict[str, Any], facts: Facts, tz: ZoneInfo) -> None:
    """Not kept by the end of its day (爽约)."""
    _appointment(event, facts, tz).missed = True


def appointment_cancelled(event: dict[str, Any], facts: Facts, tz: ZoneInfo) -> None:
    """Cancelled: still an appointment made, and one not kept."""
    _appointment(event, facts, tz).cancelled = True


def questionnaire_answered(event: dict[str, Any], facts: Facts, tz: ZoneInfo) -> None:
    """A return visit's questionnaire (回访问卷), for CSI and NPS; a visit before there was one counts nowhere here."""
    data = event["data"]
    answers = data.get("answers")
    if not isinstance(answers, dict) or not is_recommend_answer(answers.get("recommend")):
        return
    visit = facts.row(QuestionnaireFact, return_visit_id=text(data, "return_visit_id", event.get("subject", "")))
    visit.day = business_day(event, "completed_at", tz)
    visit.consultant_id = text(data, "consultant_id")[:64] or None
    for scale in SCALES:
        setattr(visit, scale, answers[scale] if is_scale_answer(answers.get(scale)) else None)
    visit.recommend = answers["recommend"]


def _grade(customer: CustomerFact, grade: str, on: date, at: datetime) -> None:
    """Keep the grade given on the latest day (the latest event's time between equal days)."""
    if grade not in GRADES:
        return
    if customer.graded_on is None or (on, at) >= (customer.graded_on, aware(customer.graded_at or at)):
        customer.grade, customer.graded_on, customer.graded_at = grade, on, at


def customer_filed(event: dict[str, Any], facts: Facts, tz: ZoneInfo) -> None:
    """A customer file opened (客户档案): on delivery, or for a car bought elsewhere (外购车, walk_in)."""
    data = event["data"]
    customer = facts.row(CustomerFact, customer_id=text(data, "customer_id", event.get("subject", "")))
    source = text(data, "source", "sale")  # files opened before walk-ins existed were all sales
    customer.source = source if source in CUSTOMER_SOURCES else "sale"
    customer.filed_day = business_day(event, "created_at", tz)
    _grade(customer, text(data, "grade"), customer.filed_day, business_time(event, "created_at"))


def customer_graded(event: dict[str, Any], facts: Facts, tz: ZoneInfo) -> None:
    """Regraded on what the customer spent in the last 12 months."""
    data = event["data"]
    customer = facts.row(CustomerFact, customer_id=text(data, "customer_id", event.get("subject", "")))
    graded_on = parse_date(data.get("graded_on")) or business_day(event, "graded_on", tz)
    _grade(customer, text(data, "grade"), graded_on, business_time(event, "graded_at"))


def notice_sent(event: dict[str, Any], facts: Facts, tz: ZoneInfo) -> None:
    """A notice (优惠活动通知) and how many consenting customers it reached."""
    data = event["data"]
    recipients = data.get("recipients")
    notice = facts.row(NoticeFact, notice_id=text(data, "notice_id", event.get("subject", "")))
    notice.sent_day = business_day(event, "sent_at", tz)
    notice.recipients = recipients if isinstance(recipients, int) and not isinstance(recipients, bool) else 0


PROJECTORS: dict[str, Projector] = {
    "after_sales.reminder.called": reminder_called,
    "after_sales.service_appointment.booked": appointment_booked,
    "after_sales.service_appointment.kept": appointment_kept,
    "after_sales.service_appointment.missed": appointment_missed,
    "after_sales.service_appointment.cancelled": appointment_cancelled,
    "after_sales.return_visit.completed": questionnaire_answered,
    "after_sales.customer.created": customer_filed,
    "after_sales.customer.graded": customer_graded,
    "after_sales.notice.sent": notice_sent,
}

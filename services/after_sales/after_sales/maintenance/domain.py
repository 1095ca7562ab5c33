"""Rules of maintenance plans, reminder calls and service appointments (保养计划, 保养提醒, 预约).

Pure: no Flask, SQL or broker. A car's plan is months and km, whichever comes first. The next service falls
due ``months`` after the last one (or the delivery / filing) and at its mileage plus ``km``; when two mileage
readings are known, the day the car is projected to reach the km (at the daily km driven between the last two
readings) may come earlier, and the reminder is then due on that day.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from after_sales.domain import AfterSalesPolicy, Due, add_months
from shared.domain import DomainError, InvalidInput

CALL_OUTCOMES = ("booked", "declined", "no_answer", "wrong_number")  # 已预约 / 拒绝 / 未接通 / 空号错号
REMINDER_OPEN, REMINDER_DONE = "open", "done"  # done: a service was recorded
APPOINTMENT_KINDS = ("maintenance", "repair", "warranty", "inspection")  # 保养 / 维修 / 保修 / 检测
BOOKED, KEPT, CANCELLED, MISSED = "booked", "kept", "cancelled", "missed"  # 已预约 / 已到店 / 已取消 / 爽约
MAX_PLAN_MONTHS, MAX_PLAN_KM = 36, 100_000


@dataclass(frozen=True)
class Plan:
    """A maintenance plan (保养计划): every ``months`` or every ``km``, whichever comes first."""

    months: int
    km: int


@dataclass(frozen=True)
class Reading:
    """A mileage reading (里程) on a day: a service record, or the car as filed."""

    on: date
    km: int


def check_plan(months: int, km: int) -> Plan:
    """A plan a workshop could follow: 1-36 months and 1,000-100,000 km."""
    if not 1 <= months <= MAX_PLAN_MONTHS:
        raise InvalidInput("interval_months", f"must be from 1 to {MAX_PLAN_MONTHS}")
    if not 1000 <= km <= MAX_PLAN_KM:
        raise InvalidInput("interval_km", f"must be from 1000 to {MAX_PLAN_KM}")
    return Plan(months, km)


def plan_of(months: int | None, km: int | None, policy: AfterSalesPolicy, first_service: bool) -> Plan:
    """The car's own plan; without one the store's: the first service (首保) terms, then the regular interval."""
    if months is not None and km is not None:
        return Plan(months, km)
    if first_service:
        return Plan(policy.first_service_months, policy.first_service_km)
    return Plan(policy.service_interval_months, policy.service_interval_km)


def due_after(last: Reading, plan: Plan) -> Due:
    """The next service: ``months`` after the last reading's day, at its km plus ``km``."""
    return Due(add_months(last.on, plan.months), last.km + plan.km)


def daily_km(before: Reading | None, last: Reading) -> float | None:
    """Kilometres a day between the last two readings; None when there is no earlier one or no distance."""
    if before is None or last.on <= before.on or last.km <= before.km:
        return None
    return (last.km - before.km) / (last.on - before.on).days


def remind_on(due: Due, last: Reading, per_day: float | None) -> date:
    """The day to remind: the due date, or earlier the day the projected mileage reaches the due km."""
    if per_day is None:
        return due.due_on
    projected = last.on + timedelta(days=math.ceil((due.due_km - last.km) / per_day))
    return min(due.due_on, projected)


def check_call(outcome: str, scheduled_at: datetime | None, now: datetime) -> None:
    """A booked call names when the car comes in, in the future; other outcomes book nothing."""
    if outcome == "booked" and scheduled_at is None:
        raise InvalidInput("scheduled_at", "a booked call needs the appointment's time")
    if outcome != "booked" and scheduled_at is not None:
        raise InvalidInput("scheduled_at", "only a booked call makes an appointment")
    if scheduled_at is not None:
        check_appointment_time(scheduled_at, now)


def reminder_status(outcome: str) -> str:
    """After a call: no answer stays open (call again); booked, declined, wrong number take it off the list."""
    if outcome not in CALL_OUTCOMES:
        raise InvalidInput("outcome", f"must be one of {', '.join(CALL_OUTCOMES)}")
    return REMINDER_OPEN if outcome == "no_answer" else outcome


def check_reminder_open(status: str) -> None:
    """Calls are made on open reminders only."""
    if status != REMINDER_OPEN:
        raise DomainError(f"This reminder is {status}: no further call is made on it.")


def check_appointment_time(scheduled_at: datetime, now: datetime) -> None:
    """An appointment is booked for later, within a year."""
    if scheduled_at <= now:
        raise InvalidInput("scheduled_at", "must be in the future")
    if scheduled_at > now + timedelta(days=366):
        raise InvalidInput("scheduled_at", "must be within a year")


def close_appointment(status: str, to: str) -> str:
    """A booked appointment is kept, cancelled or missed, once."""
    if status != BOOKED:
        raise DomainError(f"This appointment is already {status}.")
    return to


def missed_cutoff(now: datetime, zone: tzinfo) -> datetime:
    """Appointments before the start of today (store's day) and still booked were missed (爽约)."""
    return datetime.combine(now.astimezone(zone).date(), time.min, tzinfo=zone)

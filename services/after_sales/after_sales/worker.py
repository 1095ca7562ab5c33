"""The after-sales service as the ``dealer`` command sees it: app, tables, consumers, jobs.

Jobs run when the worker starts and then at their interval; each is idempotent (a second run changes nothing).
"""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

import after_sales.notices.models  # noqa: F401 - its tables belong to Base.metadata too
from after_sales.cases.services import escalate_overdue_complaints
from after_sales.consumers import HANDLERS
from after_sales.grades.services import regrade_everyone
from after_sales.maintenance.services import mark_missed_appointments
from after_sales.models import Base
from after_sales.policy import escalation_interval_seconds, load_policy, store_zone
from shared.clock import utcnow
from shared.service import ScheduledJob, ServiceSpec

MISSED_EVERY_SECONDS = 300.0  # a missed appointment shows as such within minutes of the store's midnight
GRADING_EVERY_SECONDS = 3600.0  # the daily grading: each file once a store day, looked for every hour


def escalate_now(session: Session) -> int:
    """The scheduled escalation, on the real clock."""
    return escalate_overdue_complaints(session, utcnow())


def mark_missed_now(session: Session) -> int:
    """Appointments not kept by the end of their local day (DEALER_TZ) are missed (爽约)."""
    return mark_missed_appointments(session, utcnow(), store_zone())


def regrade_today(session: Session) -> int:
    """Grade every file not yet graded on the store's today by its last 12 months' spend."""
    zone = store_zone()
    return regrade_everyone(session, load_policy(), datetime.now(zone).date())


SPEC = ServiceSpec(
    name="after_sales",
    app_factory="after_sales.app:create_app()",
    metadata=Base.metadata,
    migrations=Path(__file__).resolve().parent.parent / "migrations",
    handlers=HANDLERS,
    jobs=(ScheduledJob("escalate_overdue_complaints", escalation_interval_seconds(), escalate_now),
          ScheduledJob("mark_missed_service_appointments", MISSED_EVERY_SECONDS, mark_missed_now),
          ScheduledJob("grade_customers_daily", GRADING_EVERY_SECONDS, regrade_today)),
)

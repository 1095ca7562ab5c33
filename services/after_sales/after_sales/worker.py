"""The after-sales service as the ``dealer`` command sees it: app, tables, consumers, jobs."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from after_sales.cases.services import escalate_overdue_complaints
from after_sales.consumers import HANDLERS
from after_sales.models import Base
from after_sales.policy import escalation_interval_seconds
from shared.clock import utcnow
from shared.service import ScheduledJob, ServiceSpec


def escalate_now(session: Session) -> int:
    """The scheduled escalation, on the real clock."""
    return escalate_overdue_complaints(session, utcnow())


SPEC = ServiceSpec(
    name="after_sales",
    app_factory="after_sales.app:create_app()",
    metadata=Base.metadata,
    migrations=Path(__file__).resolve().parent.parent / "migrations",
    handlers=HANDLERS,
    jobs=(ScheduledJob("escalate_overdue_complaints", escalation_interval_seconds(), escalate_now),),
)

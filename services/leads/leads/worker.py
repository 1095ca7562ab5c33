"""The leads service as the ``dealer`` command sees it: app, tables, migrations, consumers, jobs."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from leads.consumers import HANDLERS
from leads.models import Base
from leads.services import mark_no_shows
from shared.business_time import store_zone
from shared.clock import utcnow
from shared.service import ScheduledJob, ServiceSpec

NO_SHOW_EVERY_SECONDS = 300.0  # a missed appointment shows as such within minutes of the store's midnight


def mark_no_shows_now(session: Session) -> int:
    """The scheduled no-show marking (爽约), on the real clock, in the store's zone (DEALER_TZ)."""
    return mark_no_shows(session, utcnow(), store_zone())

SPEC = ServiceSpec(
    name="leads",
    app_factory="leads.app:create_app()",
    metadata=Base.metadata,
    migrations=Path(__file__).resolve().parent.parent / "migrations",
    handlers=HANDLERS,
    jobs=(ScheduledJob("mark_no_show_appointments", NO_SHOW_EVERY_SECONDS, mark_no_shows_now),),
)

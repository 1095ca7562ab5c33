"""HTTP routes of meetings (晨会/夕会/周会)."""
from __future__ import annotations

from datetime import date
from typing import Any

from reporting import dates
from reporting.domain import STAFF_ROLES
from reporting.meetings import queries, services
from reporting.meetings.schemas import MeetingArgs, MeetingIn, MeetingList, MeetingOut
from reporting.pay.access import check_group_reader
from reporting.pay.domain import REPORT_READERS
from reporting.pay.template import template_of
from reporting.staff.queries import group_of
from shared.web.app import db, settings
from shared.web.auth import current_actor, require
from shared.web.blueprint import Blueprint

blp = Blueprint("meetings", __name__, url_prefix="/api/v1", description="Groups' meetings (晨会/夕会/周会)")


def _today() -> date:
    return dates.today(settings().timezone)


@blp.post("/meetings")
@blp.arguments(MeetingIn)
@blp.response(201, MeetingOut)
@require(*STAFF_ROLES)
def record_meeting(data: dict[str, Any]) -> Any:
    """Record a group's meeting: its supervisor (主管) or a sales manager; attendees must be known staff."""
    return services.record_meeting(db(), data, current_actor())


@blp.get("/meetings")
@blp.arguments(MeetingArgs, location="query")
@blp.response(200, MeetingList)
@require(*STAFF_ROLES)
def list_meetings(args: dict[str, Any]) -> Any:
    """A group's meetings of a month, and how many due slots were held on time (its supervisor, or managers)."""
    session, month = db(), args["month"] or dates.month_of(_today())
    check_group_reader(session, current_actor(), args["group_id"], REPORT_READERS)
    group_of(session, args["group_id"])
    return queries.month_meetings(session, args["group_id"], month, _today(),
                                  template_of(session, month).working_days)

"""Use cases of a group's supervisor (or a sales manager): a meeting recorded (晨会/夕会/周会), a plan written."""
from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from reporting import events
from reporting.dates import aware, store_zone
from reporting.meetings.domain import HeldMeeting, is_on_time
from reporting.meetings.queries import meeting_view
from reporting.models import Meeting, SalesGroup, WeeklyPlan
from reporting.pay.access import check_group_keeper
from reporting.staff.queries import known_staff
from shared.actors import Actor
from shared.clock import utcnow
from shared.domain import InvalidInput, NotFound
from shared.privacy import mask_text

CLOCK_SKEW = timedelta(minutes=5)  # a phone's clock a little ahead is not a meeting in the future


def _checked_group(session: Session, group_id: str, actor: Actor) -> SalesGroup:
    group = session.get(SalesGroup, group_id)
    if group is None:
        raise InvalidInput("group_id", f"no sales group {group_id}")
    check_group_keeper(actor, group)
    return group


def _check_attendees(session: Session, attendees: list[str]) -> None:
    unknown = sorted(staff_id for staff_id, known in known_staff(session, attendees).items() if known is None)
    if unknown:
        raise InvalidInput("attendees", f"not on the staff directory: {', '.join(unknown)}")


def record_meeting(session: Session, data: dict[str, Any], actor: Actor) -> dict[str, Any]:
    """Record a group's meeting; the event (``reporting.meeting.recorded``) says whether it was on time, and
    carries no minutes (free text stays in reporting, masked)."""
    group = _checked_group(session, data["group_id"], actor)
    _check_attendees(session, data["attendees"])
    now = utcnow()
    if data["held_at"] > now + CLOCK_SKEW:
        raise InvalidInput("held_at", "must not be in the future")
    local = aware(data["held_at"]).astimezone(store_zone())
    minutes = mask_text(data["minutes"].strip())
    meeting = Meeting(meeting_id=str(uuid.uuid4()), group_id=group.group_id, kind=data["kind"],
                      held_at=data["held_at"], held_day=local.date(), minutes=minutes,
                      attendees=sorted(set(data["attendees"])), recorded_by=actor.sub, recorded_at=now)
    session.add(meeting)
    session.flush()
    on_time = is_on_time(HeldMeeting(meeting.kind, local, bool(minutes)))
    events.publish(session, "reporting.meeting.recorded", meeting.meeting_id, {
        "meeting_id": meeting.meeting_id, "group_id": group.group_id, "kind": meeting.kind,
        "held_at": local.isoformat(), "has_minutes": bool(minutes), "on_time": on_time,
        "attendees": meeting.attendees, "by": actor.sub, "at": aware(now).isoformat()})
    session.commit()
    return meeting_view(meeting)


def write_weekly_plan(session: Session, week: str, group_id: str, plan: str, actor: Actor) -> dict[str, Any]:
    """The group's supervisor (or a sales manager) writes next week's plan on a week's report (周销售进度);
    a second writing replaces the first. Phone and ID numbers in it are masked before it is kept or published."""
    group = session.get(SalesGroup, group_id)
    if group is None:
        raise NotFound(f"No sales group {group_id}.")
    check_group_keeper(actor, group)
    now, text = utcnow(), mask_text(plan.strip())
    row = session.get(WeeklyPlan, (week, group_id), with_for_update=True) or WeeklyPlan(week=week, group_id=group_id)
    row.plan, row.written_by, row.written_at = text, actor.sub, now
    session.add(row)
    session.flush()
    events.publish(session, "reporting.weekly_plan.written", f"{week}/{group_id}", {
        "week": week, "group_id": group_id, "plan": text, "by": actor.sub, "at": aware(now).isoformat()})
    session.commit()
    return {"week": week, "group_id": group_id, "plan": text, "written_by": actor.sub, "written_at": now}

"""Schemas of the meetings routes (also the OpenAPI document)."""
from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from reporting.meetings.domain import MEETING_KINDS
from reporting.staff.schemas import ID_HELP, STAFF_ID
from shared.web.fields import AwareDateTime, StoreTime

MONTH_FORMAT = validate.Regexp(r"^\d{4}-\d{2}$", error="must be a month as YYYY-MM")
MAX_ATTENDEES = 100  # a bound on the body, far above a group


def staff_id(**kwargs: object) -> ma.fields.String:
    return ma.fields.String(validate=validate.Regexp(STAFF_ID, error=ID_HELP), **kwargs)  # type: ignore[arg-type]


class MeetingIn(ma.Schema):
    group_id = staff_id(required=True)
    kind = ma.fields.String(required=True, validate=validate.OneOf(MEETING_KINDS), metadata={
        "description": "morning (晨会), evening (夕会) or weekly (周会)."})
    held_at = AwareDateTime(required=True, metadata={"description": "When it began; not in the future."})
    minutes = ma.fields.String(load_default="", validate=validate.Length(max=5000), metadata={
        "description": "The minutes (会议记录); blank: the meeting does not count as on time. Phone and ID numbers "
                       "in it are masked when stored."})
    attendees = ma.fields.List(staff_id(), load_default=list, validate=validate.Length(max=MAX_ATTENDEES),
                               metadata={"description": "Staff ids on the staff directory."})


class MeetingOut(ma.Schema):
    meeting_id = ma.fields.String()
    group_id = ma.fields.String()
    kind = ma.fields.String()
    held_at = StoreTime()
    held_day = ma.fields.Date()
    minutes = ma.fields.String()
    attendees = ma.fields.List(ma.fields.String())
    on_time = ma.fields.Boolean(metadata={"description": "Held in its window (08:30–09:15, 16:30–17:15) with "
                                                          "minutes; a weekly meeting never fills a slot."})
    recorded_by = ma.fields.String()
    recorded_at = StoreTime()


class MeetingArgs(ma.Schema):
    group_id = staff_id(required=True)
    month = ma.fields.String(load_default=None, validate=MONTH_FORMAT, metadata={"description": "This month by "
                                                                                                "default."})


class MeetingList(ma.Schema):
    group_id = ma.fields.String()
    month = ma.fields.String()
    items = ma.fields.List(ma.fields.Nested(MeetingOut))
    on_time_slots = ma.fields.Integer(metadata={"description": "Due slots held on time (each counts once)."})
    slots_due = ma.fields.Integer(metadata={"description": "A morning and an evening slot per working day, up "
                                                           "to today."})

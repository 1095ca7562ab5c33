"""Schemas of the agenda and a lead's activities (also the OpenAPI document)."""
from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import validate

from shared.web.fields import StoreTime

DAY_HELP = "The store's local day (DEALER_TZ, default Asia/Shanghai); omitted: today in the store."
WHOSE_HELP = ("Whose agenda: a consultant may omit it or give their own id; a sales manager must name the "
              "consultant.")
PHONE_HELP = "In full for the lead's owner and sales managers, masked (138****5678) for anyone else."
LIMIT_HELP = ("How many of the overdue follow-ups and of the idle leads to list, the most urgent first (default 50, "
              "at most 500); follow_ups_overdue_total and idle_leads_total say how many there are.")
DEFAULT_LIMIT, MAX_LIMIT = 50, 500


class AgendaArgs(ma.Schema):
    date = ma.fields.Date(metadata={"description": DAY_HELP})
    consultant_id = ma.fields.String(validate=validate.Length(min=1, max=64), metadata={"description": WHOSE_HELP})
    limit = ma.fields.Integer(load_default=DEFAULT_LIMIT, validate=validate.Range(min=1, max=MAX_LIMIT),
                              metadata={"description": LIMIT_HELP})


class AgendaLead(ma.Schema):
    """What a consultant needs to act on one lead from the agenda."""

    lead_id = ma.fields.String()
    name = ma.fields.String()
    level = ma.fields.String()
    status = ma.fields.String()
    phone = ma.fields.String(metadata={"description": PHONE_HELP})
    last_contact_at = StoreTime()
    days_since_last_contact = ma.fields.Integer(metadata={"description": "Local days from the last contact "
                                                          "(follow-up, visit, appointment, test drive, or the "
                                                          "filing) to the agenda's date."})


class FollowUpDue(AgendaLead):
    due_at = StoreTime(metadata={"description": "When the latest follow-up said to call next."})


class AgendaAppointment(AgendaLead):
    appointment_id = ma.fields.String()
    scheduled_at = StoreTime()
    purpose = ma.fields.String()


class AsBuilt(ma.fields.List):
    """A list documented by its items' schema, answered as ``views.agenda_item`` built it (JSON-ready, times in
    the store's zone as StoreTime writes them).

    An agenda answers hundreds of items; dumping each through marshmallow again was a quarter of its time.
    """

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        return value


class AgendaOut(ma.Schema):
    date = ma.fields.Date()
    consultant_id = ma.fields.String()
    follow_ups_due = AsBuilt(ma.fields.Nested(FollowUpDue))
    follow_ups_overdue = AsBuilt(ma.fields.Nested(FollowUpDue), metadata={
        "description": "The first ``limit`` overdue follow-ups, the longest overdue first."})
    follow_ups_overdue_total = ma.fields.Integer(metadata={"description": "How many follow-ups are overdue."})
    appointments = AsBuilt(ma.fields.Nested(AgendaAppointment))
    idle_leads = AsBuilt(ma.fields.Nested(AgendaLead), metadata={
        "description": "The first ``limit`` idle leads, the longest without contact first."})
    idle_leads_total = ma.fields.Integer(metadata={"description": "How many leads are idle (7 days or more)."})


class Activity(ma.Schema):
    """One thing that happened to a lead; fields beyond kind, at and by depend on the kind."""

    kind = ma.fields.String(metadata={"description": "created, follow_up, appointment, visit, test_drive, "
                                                     "owner_changed (a visit's ownership rule or a manager's "
                                                     "reassignment), lost, reopened, converted (an order placed), "
                                                     "merged, campaign_invitation (活动邀约)"})
    at = StoreTime(allow_none=True, metadata={"description": "When it happened; null for a loss recorded before "
                                                             "the time of a loss was kept."})
    by = ma.fields.String(allow_none=True)
    channel = ma.fields.String()
    summary = ma.fields.String(metadata={"description": "Free text: phones and ID numbers in it are masked for "
                                                        "anyone but the lead's owner and sales managers."})
    next_follow_up_at = StoreTime(allow_none=True)
    appointment_id = ma.fields.String()
    scheduled_at = StoreTime()
    purpose = ma.fields.String()
    kept = ma.fields.Boolean()
    status = ma.fields.String(metadata={"description": "An appointment's: booked, kept, cancelled or no_show; "
                                                       "reopened and converted: the lead's stage after it."})
    order_id = ma.fields.String(metadata={"description": "converted, or reopened by a cancellation: the order."})
    duplicate_lead_id = ma.fields.String(metadata={"description": "merged, on the lead kept: the duplicate it "
                                                                  "took in."})
    merged_into = ma.fields.String(metadata={"description": "merged, on the duplicate: the lead it was merged "
                                                            "into."})
    visit_number = ma.fields.Integer()
    campaign_id = ma.fields.String(allow_none=True, metadata={"description": "campaign_invitation: the campaign; "
                                                                             "visit: the campaign it attended, "
                                                                             "or null."})
    vin = ma.fields.String()
    escort_id = ma.fields.String()
    owner_id = ma.fields.String()
    previous_owner_id = ma.fields.String()
    rule = ma.fields.String()
    source = ma.fields.String()
    reason_code = ma.fields.String(allow_none=True)
    competitor_brand = ma.fields.String(allow_none=True)
    reason = ma.fields.String(allow_none=True, metadata={"description": "The note on a loss; masked as summary is."})


class ActivitiesOut(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(Activity))

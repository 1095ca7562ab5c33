"""Schemas of the duty roster (also the OpenAPI document), and the local day in its path."""
from __future__ import annotations

import re
from datetime import date
from typing import Any

import marshmallow as ma
from marshmallow import validate

from leads.domain import STAFF_ID
from shared.domain import InvalidInput
from shared.web.fields import StoreTime

DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
MAX_ON_DUTY = 100  # far more than a showroom's floor; a bound on the body, not a rule of the store
STAFF_ID_HELP = "A consultant's staff id (the sub of their token): letters, digits and . _ @ -, at most 64."


def day_of(text: str) -> date:
    """The store's local day named in the path (``2026-12-06``), or a 422 naming ``date``."""
    found = DAY.match(text)
    try:
        day = date(*map(int, found.groups())) if found else None
    except ValueError:
        day = None
    if day is None or not 2000 <= day.year <= 2100:
        raise InvalidInput("date", "must be a local date as YYYY-MM-DD, between the years 2000 and 2100")
    return day


class RosterIn(ma.Schema):
    consultant_ids = ma.fields.List(
        ma.fields.String(validate=validate.Regexp(STAFF_ID, error="does not look like a staff id"),
                         metadata={"description": STAFF_ID_HELP}),
        required=True, validate=validate.Length(max=MAX_ON_DUTY),
        metadata={"description": "The consultants on duty, in the order the turn goes round; empty: no one "
                                 "(the DCC must then name each lead's owner)."})

    @ma.validates_schema
    def _each_consultant_once(self, data: dict[str, Any], **_: Any) -> None:
        ids = data.get("consultant_ids", [])
        if len(ids) != len(set(ids)):
            raise ma.ValidationError("each consultant may be on the roster once", field_name="consultant_ids")


class RosterOut(ma.Schema):
    date = ma.fields.Date(attribute="day", metadata={"description": "The store's local day (DEALER_TZ)."})
    consultant_ids = ma.fields.List(ma.fields.String())
    set_by = ma.fields.String()
    set_at = StoreTime()

"""Schemas of the staff directory and the groups (also the OpenAPI document), and the ids in their paths."""
from __future__ import annotations

import re
from typing import Any

import marshmallow as ma
from marshmallow import validate

from reporting.domain import STAFF_ROLES
from shared.domain import InvalidInput
from shared.web.fields import StoreTime, text

STAFF_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")  # a token's sub: letters, digits and . _ @ -
ID_HELP = "Letters, digits and . _ @ -, at most 64 (a staff id is the sub of the person's token)."
MAX_MEMBERS = 100  # far more than a group; a bound on the body, not a rule of the store


def id_of(value: str, field: str) -> str:
    """An id named in the path, or a 422 naming it (``staff_id``, ``group_id``)."""
    if not STAFF_ID.match(value):
        raise InvalidInput(field, ID_HELP)
    return value


def _staff_id(**kwargs: Any) -> ma.fields.String:
    return ma.fields.String(validate=validate.Regexp(STAFF_ID, error=ID_HELP), **kwargs)


class StaffIn(ma.Schema):
    name = text(100)
    role = ma.fields.String(required=True, validate=validate.OneOf(STAFF_ROLES))
    active = ma.fields.Boolean(load_default=True, metadata={"description": "False: left the store (kept, "
                                                                               "so past figures keep their names)."})


class StaffOut(ma.Schema):
    staff_id = ma.fields.String()
    name = ma.fields.String()
    role = ma.fields.String(metadata={"description": "Absent for a consultant, who reads names only."})
    active = ma.fields.Boolean()
    group_id = ma.fields.String(allow_none=True, metadata={"description": "The group they are in today."})
    updated_by = ma.fields.String()
    updated_at = StoreTime()


class StaffList(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(StaffOut))


class GroupIn(ma.Schema):
    name = text(100)
    supervisor_id = _staff_id(required=True, metadata={"description": "The supervisor (主管): active staff."})
    members = ma.fields.List(_staff_id(), required=True, validate=validate.Length(max=MAX_MEMBERS), metadata={
        "description": "Every member from effective_from on: active consultants or online sales. A member of "
                       "another group leaves it that day (one group at a time); a member left out leaves this one."})
    effective_from = ma.fields.Date(load_default=None, metadata={
        "description": "The store-local day the members take effect; today by default. May reach back within "
                       "the current month, to record a move the supervisor forgot."})

    @ma.validates_schema
    def _each_member_once(self, data: dict[str, Any], **_: Any) -> None:
        members = data.get("members", [])
        if len(members) != len(set(members)):
            raise ma.ValidationError("each member may appear once", field_name="members")


class GroupOut(ma.Schema):
    group_id = ma.fields.String()
    name = ma.fields.String()
    supervisor_id = ma.fields.String()
    date = ma.fields.Date(metadata={"description": "The store-local day the members are those of."})
    members = ma.fields.List(ma.fields.String())
    updated_by = ma.fields.String()
    updated_at = StoreTime()


class GroupList(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(GroupOut))


class GroupDateArgs(ma.Schema):
    date = ma.fields.Date(load_default=None, metadata={"description": "The store-local day; today by default."})

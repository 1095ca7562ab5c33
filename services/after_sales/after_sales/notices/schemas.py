"""Schemas of marketing consent and notices (also the OpenAPI document)."""
from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import validate

from after_sales.domain import GRADES
from shared.web.fields import StoreTime, text
from shared.web.pagination import PageArgs, page_schema

# How the customer told us (同意方式): a signed form, a recorded call, WeChat, the web, an SMS reply.
CONSENT_SOURCES = ("written_form", "phone", "wechat", "online", "sms")


class JsonBoolean(ma.fields.Boolean):
    """JSON true or false only: consent is never read from 1, "yes" or "on"."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise ma.ValidationError("Must be true or false.")
        return value


class ConsentIn(ma.Schema):
    marketing = JsonBoolean(required=True)
    source = ma.fields.String(required=True, validate=validate.OneOf(CONSENT_SOURCES))


class ConsentChangeOut(ma.Schema):
    marketing = ma.fields.Boolean()
    source = ma.fields.String()
    recorded_by = ma.fields.String()
    at = StoreTime()


class ConsentOut(ma.Schema):
    customer_id = ma.fields.String()
    marketing = ma.fields.Boolean()
    at = StoreTime(allow_none=True)
    history = ma.fields.List(ma.fields.Nested(ConsentChangeOut), metadata={"description": "oldest first"})


class SegmentIn(ma.Schema):
    grade = ma.fields.String(validate=validate.OneOf(GRADES))
    model = text(100, required=False)
    due_for_service = JsonBoolean(metadata={
        "description": "true: a service overdue or due within 30 days; false: not due; absent: either"})


class NoticeIn(ma.Schema):
    title = text(100)
    body = text(2000)
    segment = ma.fields.Nested(SegmentIn, load_default=dict)


class NoticeOut(ma.Schema):
    id = ma.fields.String()
    title = ma.fields.String()
    body = ma.fields.String()
    segment = ma.fields.Dict()
    recipients = ma.fields.Integer()
    sent_by = ma.fields.String()
    sent_at = StoreTime()


NoticePage = page_schema(NoticeOut)


class RecipientOut(ma.Schema):
    customer_id = ma.fields.String()
    name = ma.fields.String()
    phone = ma.fields.String(metadata={"description": "masked but for after-sales coordinators and managers"})
    grade = ma.fields.String()


RecipientPage = page_schema(RecipientOut)


class NoticeFilter(PageArgs):
    pass

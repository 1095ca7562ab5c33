"""``GET /api/v1/events?after=&limit=``: a service's own event log, for late subscribers.

Reporting backfills from it; any dealer system can catch up with it. The cursor is the
events' feed position, numbered in commit order after commit (``shared.outbox``): a reader
that keeps ``next`` and asks again gets every event once, in the order they were committed,
with no settle delay; an event committed a moment ago appears once the relay's next round
has numbered it.
"""
from __future__ import annotations

from typing import Any

import marshmallow as ma

from shared.outbox import read_feed
from shared.privacy import mask_personal_fields
from shared.web.app import db
from shared.web.auth import current_actor, require
from shared.web.blueprint import Blueprint

feed = Blueprint("events", __name__, url_prefix="/api/v1", description="This service's event log")
FEED_READERS = ("service", "ops", "sales_manager")
FULL_DATA_READERS = ("service", "sales_manager")  # other departments (after-sales opens files) and managers


class FeedArgs(ma.Schema):
    after = ma.fields.Integer(load_default=0, validate=ma.validate.Range(min=0, max=2**63 - 1))  # a BIGINT
    limit = ma.fields.Integer(load_default=500, validate=ma.validate.Range(min=1, max=5000))


class FeedPage(ma.Schema):
    items = ma.fields.List(ma.fields.Dict())
    next = ma.fields.String()


@feed.get("/events")
@feed.arguments(FeedArgs, location="query")
@feed.response(200, FeedPage)
@require(*FEED_READERS)
def list_events(args: dict[str, int]) -> dict[str, Any]:
    """Events after the cursor, in commit order; ``next`` is the cursor for the following page."""
    items, cursor = read_feed(db(), args["after"], args["limit"])
    if current_actor().role not in FULL_DATA_READERS:
        items = [mask_personal_fields(item) for item in items]
    return {"items": items, "next": str(cursor)}

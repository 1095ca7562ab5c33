"""Business time (业务时间): when a thing happened, as against when it was keyed in.

Staff enter past paper records (补录): a walk-in from the showroom register, a call
from the phone log, a payment slip from last week. A route that takes such a
record accepts an optional ``occurred_at``; it may not lie in the future nor more
than a year back, nor before the record it belongs to. The record and its event
carry the business time; the event envelope's ``time`` stays the moment it was
published, which is when the record was keyed in.

Whoever may make the record may date it: a consultant keys in their own visits
from the showroom register, the back office its payment slips. The bounds, and
the envelope's time kept beside each event, are the control; no role may date
anything in the future.

Store time (门店时间): a person at the store reads and means times in the store's zone
(``DEALER_TZ``, default Asia/Shanghai). Times are stored in UTC; every HTTP answer shows
them in the store's zone with its offset (:func:`to_store_time`), and a time sent without
an offset is taken in that zone (:func:`from_store_time`).
"""
from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

from shared.clock import utcnow
from shared.domain import InvalidInput

MAX_AGE = timedelta(days=366)  # older paper is archived, not entered
CLOCK_SKEW = timedelta(minutes=1)  # a client clock a little ahead is not an error
FIELD = "occurred_at"
ZONE_VAR = "DEALER_TZ"
DEFAULT_ZONE = "Asia/Shanghai"  # as shared.config reads it


def aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; they were stored in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def store_zone() -> ZoneInfo:
    """The store's zone (``DEALER_TZ``): the serving app's setting in a request, else the environment's.

    The app's setting first, so an app built with another ``TIMEZONE`` answers in that one.
    """
    if has_app_context():
        dealer = current_app.extensions.get("dealer")
        if dealer is not None:
            zone: ZoneInfo = dealer.settings.timezone
            return zone
    return ZoneInfo(os.environ.get(ZONE_VAR) or DEFAULT_ZONE)


def to_store_time(moment: datetime) -> datetime:
    """``moment`` as the store's clock shows it, with its offset; a naive moment is UTC as stored."""
    return aware(moment).astimezone(store_zone())


def from_store_time(moment: datetime) -> datetime:
    """``moment`` in UTC; a naive moment is what a person at the store means, so it is read in the store's zone."""
    return (moment if moment.tzinfo else moment.replace(tzinfo=store_zone())).astimezone(UTC)


def problem_with(moment: datetime, now: datetime) -> str | None:
    """Why a business time cannot be accepted, or None when it can."""
    if moment > now + CLOCK_SKEW:
        return "must not be in the future"
    if moment < now - MAX_AGE:
        return f"must not be more than {MAX_AGE.days} days ago"
    return None


def business_time(occurred_at: datetime | None, not_before: datetime | None = None,
                  what: str = "the record it belongs to") -> datetime:
    """The time to stamp on a record: ``occurred_at`` when given and plausible, else now."""
    now = utcnow()
    if occurred_at is None:
        return now
    problem = problem_with(occurred_at, now)
    if problem:
        raise InvalidInput(FIELD, problem)
    moment = min(occurred_at.astimezone(UTC), now)
    if not_before is not None and moment < aware(not_before):
        raise InvalidInput(FIELD, f"must not be before {what} ({to_store_time(not_before).isoformat()})")
    return moment

"""Backfill: fill the event store from each department's event feed (``GET /api/v1/events``).

A reporting database lost or started late catches up this way: every event
the feeds hold is stored (once: the store is unique on source and id) and
projected; each feed's cursor is saved per page, so a second run only reads
what is new.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import requests
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from reporting.models import FeedCursor
from reporting.services import ingest
from shared.config import Settings
from shared.envelope import check_envelope
from shared.web.auth import mint_token

log = logging.getLogger("dealer.reporting.backfill")
FEED_SERVICES = ("leads", "orders", "inventory", "after_sales")
Fetch = Callable[[str, int, int], tuple[list[dict[str, Any]], int]]
Progress = Callable[[str, int, int], None]


class FeedUnavailable(Exception):
    """A department's feed did not answer; the others are still read."""


@dataclass
class FeedResult:
    """What one feed gave: events read, and how many of them were new to the store."""

    service: str
    read: int = 0
    stored: int = 0
    error: str | None = None


def http_feed(settings: Settings) -> Fetch:
    """Read a feed page over HTTP with a ``service`` token."""
    headers = {"Authorization": f"Bearer {mint_token(settings.jwt_secret, 'service', 'reporting')}"}

    def fetch(service: str, after: int, limit: int) -> tuple[list[dict[str, Any]], int]:
        url = f"{settings.service_urls[service]}/api/v1/events"
        try:
            response = requests.get(url, params={"after": after, "limit": limit}, headers=headers,
                                    timeout=max(settings.http_timeout, 10.0))
        except requests.RequestException as exc:
            raise FeedUnavailable(f"{service} did not answer at {url}: {exc.__class__.__name__}") from None
        if response.status_code != 200:
            raise FeedUnavailable(f"{service} answered {response.status_code} at {url}")
        page = response.json()
        return list(page.get("items") or []), int(page.get("next") or after)
    return fetch


def backfill(sessions: sessionmaker[Session], services: tuple[str, ...], fetch: Fetch,
             page_size: int = 500, progress: Progress | None = None) -> list[FeedResult]:
    """Read every feed from its saved cursor to its end; one result per feed."""
    results = []
    for service in services:
        result = FeedResult(service)
        try:
            _read_feed(sessions, service, fetch, page_size, result, progress)
        except FeedUnavailable as exc:
            result.error = str(exc)
            log.warning("backfill of %s stopped: %s", service, exc)
        results.append(result)
    return results


def _read_feed(sessions: sessionmaker[Session], service: str, fetch: Fetch, page_size: int,
               result: FeedResult, progress: Progress | None) -> None:
    while True:
        with sessions() as session:
            cursor = session.get(FeedCursor, service)
            after = cursor.position if cursor else 0
        items, following = fetch(service, after, page_size)
        if not items:
            return
        with sessions() as session, session.begin():
            result.stored += sum(_store(session, event) for event in items)
            _save_cursor(session, service, following)
        result.read += len(items)
        if progress is not None:
            progress(service, result.read, result.stored)
        if following <= after:
            return


def _store(session: Session, event: dict[str, Any]) -> bool:
    """Store and project one feed event; False when it was stored already or is unusable."""
    problems = check_envelope(event)
    if problems:
        log.warning("feed event skipped: %s", "; ".join(problems))
        return False
    try:
        with session.begin_nested():
            return ingest(session, event)
    except IntegrityError:
        return False  # the live consumer stored it a moment ago


def _save_cursor(session: Session, service: str, position: int) -> None:
    cursor = session.get(FeedCursor, service)
    if cursor is None:
        session.add(FeedCursor(service=service, position=position))
    else:
        cursor.position = max(cursor.position, position)

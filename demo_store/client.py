"""The seed's desk: HTTP calls to the departments as a named member of staff, and patient waiting.

Each member of staff calls with their own token (``mint_token``), so every record
names who did it. An answer the plan did not expect stops the seed with the
request and the answer in the message: a seeded store is either right or not made.
"""
from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

import requests

from demo_store.people import STAFF
from shared.web.auth import mint_token

T = TypeVar("T")
RETRIES = 4  # a 503 (a department briefly busy) or a refused connection is tried again


class SeedError(Exception):
    """The store answered what the plan did not expect, or never got where it should."""


class Desk:
    """Calls the departments' APIs at their base URLs as members of staff."""

    def __init__(self, urls: dict[str, str], secret: str, timeout: float = 30.0) -> None:
        self.urls, self.timeout = urls, timeout
        self.tokens = {sub: mint_token(secret, s.role, sub, s.name, timedelta(hours=12)) for sub, s in STAFF.items()}
        self.http = requests.Session()
        self.statuses: Counter[int] = Counter()

    def close(self) -> None:
        self.http.close()

    def call(self, actor: str, method: str, service: str, path: str, body: Any = None,
             expect: tuple[int, ...] = (200, 201)) -> Any:
        """One request as ``actor``; the JSON answer, or SeedError saying what went wrong."""
        url = f"{self.urls[service]}/api/v1{path}"
        headers = {"Authorization": f"Bearer {self.tokens[actor]}"}
        for attempt in range(RETRIES):
            try:
                answer = self.http.request(method, url, json=body, headers=headers, timeout=self.timeout)
            except requests.ConnectionError as exc:
                if attempt == RETRIES - 1:
                    raise SeedError(f"{method} {url}: {service} does not answer ({exc.__class__.__name__})") from None
                time.sleep(0.5 * (attempt + 1))
                continue
            self.statuses[answer.status_code] += 1
            if answer.status_code == 503 and attempt < RETRIES - 1:
                time.sleep(0.5 * (attempt + 1))
                continue
            if answer.status_code not in expect:
                raise SeedError(f"{method} {path} on {service} as {actor} answered {answer.status_code}: "
                                f"{answer.text[:400]}\nsent: {body}")
            return answer.json() if answer.content else None
        raise SeedError(f"{method} {url}: no answer")  # pragma: no cover - the loop returns or raises

    def ready(self, service: str) -> bool:
        """Whether a department answers its readiness check."""
        try:
            return requests.get(f"{self.urls[service]}/readyz", timeout=5).status_code == 200
        except requests.RequestException:
            return False

    def requests_made(self) -> int:
        return sum(self.statuses.values())


def wait_until(what: str, condition: Callable[[], T | None], timeout: float = 90.0) -> T:
    """Poll until ``condition`` answers something truthy: the departments work through the bus."""
    deadline, pause = time.monotonic() + timeout, 0.02
    while True:
        found = condition()
        if found:
            return found
        if time.monotonic() > deadline:
            raise SeedError(f"gave up after {timeout:.0f}s waiting for {what}")
        time.sleep(pause)
        pause = min(pause * 1.5, 0.5)

"""Calling the running services the way a careful client does: an idempotency key, retried on 503.

Every POST carries an ``Idempotency-Key`` (unless the caller relies on a natural
key, as lead filing does on the phone) and is retried with the same key while
the service answers 503 or cannot be reached, so an action that a fault
interrupts is done exactly once, never twice and never dropped. Every answer is
recorded (status, latency), so a test can show that a fault gave quick 503s and
never a 500.
"""
from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import requests

from dealer_testing import token

RETRYABLE = (502, 503, 504)
ALREADY_DONE = "already_carried_out"  # the key's work committed but its answer was lost with the database
NO_KEY = ""  # send a POST without an Idempotency-Key


@dataclass
class Answer:
    """One HTTP answer as a fault test sees it."""

    service: str
    method: str
    status: int  # 0: no answer (connection refused, timeout)
    seconds: float
    at: float  # time.monotonic() when it came back
    content_type: str = ""
    path: str = ""


@dataclass
class Answers:
    """Every answer of a test, thread-safe."""

    items: list[Answer] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, answer: Answer) -> None:
        with self.lock:
            self.items.append(answer)

    def between(self, start: float, end: float, service: str | None = None) -> list[Answer]:
        """Answers that came back in [start, end], of one service or all."""
        with self.lock:
            return [a for a in self.items if start <= a.at <= end and service in (None, a.service)]


class Client:
    """One member of staff calling one service; one requests session per thread."""

    def __init__(self, service: str, base_url: str, role: str, sub: str, answers: Answers,
                 patience: float = 180.0, abort: threading.Event | None = None) -> None:
        self.service, self.base_url, self.sub = service, base_url, sub
        self.headers = token(role, sub)
        self.answers, self.patience = answers, patience
        self.abort = abort or threading.Event()  # set: stop retrying (the test is over)
        self._local = threading.local()
        self._sessions: list[requests.Session] = []

    def _session(self) -> requests.Session:
        if not hasattr(self._local, "session"):
            self._local.session = requests.Session()
            with self.answers.lock:
                self._sessions.append(self._local.session)
        return self._local.session  # type: ignore[no-any-return]

    def close(self) -> None:
        """Close every thread's session (call once the threads are done)."""
        for session in self._sessions:
            session.close()

    def call(self, method: str, path: str, body: dict[str, Any] | None = None,
             key: str | None = None, timeout: float = 15.0) -> requests.Response | None:
        """One attempt; None when the service did not answer."""
        headers = dict(self.headers)
        if method == "POST" and key != NO_KEY:
            headers["Idempotency-Key"] = key or str(uuid.uuid4())
        started = time.monotonic()
        try:
            response = self._session().request(method, f"{self.base_url}{path}", json=body, headers=headers,
                                               timeout=timeout)
        except requests.RequestException:
            self.answers.add(Answer(self.service, method, 0, time.monotonic() - started, time.monotonic(), path=path))
            return None
        self.answers.add(Answer(self.service, method, response.status_code, time.monotonic() - started,
                                time.monotonic(), response.headers.get("Content-Type", ""), path))
        return response

    def send(self, method: str, path: str, body: dict[str, Any] | None = None, key: str | None = None,
             ok: tuple[int, ...] = (200, 201)) -> dict[str, Any]:
        """Call until the service answers one of ``ok``; retry (same key) on 503 or no answer."""
        key = str(uuid.uuid4()) if key is None else key
        deadline = time.monotonic() + self.patience
        while True:
            response = self.call(method, path, body, key)
            if response is not None and response.status_code in ok:
                return response.json()  # type: ignore[no-any-return]
            if response is not None and _already_done(response):
                return {ALREADY_DONE: True}
            retryable = response is None or response.status_code in RETRYABLE or _in_progress(response)
            if not retryable:
                raise AssertionError(f"{self.service} {method} {path} answered {response.status_code}: "
                                     f"{response.text[:300]}")
            if time.monotonic() > deadline or self.abort.is_set():
                raise AssertionError(f"{self.service} {method} {path} still unavailable after "
                                     f"{self.patience}s (or the test gave up)")
            time.sleep(_pause(response))

    def post(self, path: str, body: dict[str, Any] | None = None, key: str | None = None) -> dict[str, Any]:
        return self.send("POST", path, body or {}, key)

    def get(self, path: str) -> dict[str, Any]:
        return self.send("GET", path)


def _in_progress(response: requests.Response) -> bool:
    """409 'Request in progress': the first request under this key is still being answered."""
    return response.status_code == 409 and "in progress" in response.text.lower()


def _already_done(response: requests.Response) -> bool:
    """409 'Request already carried out': the work under this key committed; its answer was lost."""
    return response.status_code == 409 and "already carried out" in response.text.lower()


def _pause(response: requests.Response | None) -> float:
    """How long to wait before trying again: the service's ``Retry-After`` (at most 5 s), else a moment."""
    try:
        return min(float(response.headers.get("Retry-After", "")), 5.0) if response is not None else 0.2
    except ValueError:
        return 0.2

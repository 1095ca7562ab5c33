"""A member of staff calling one running service's API over real HTTP, for the end-to-end months.

Also every consumer's queue declared up front, so an event published before a worker's first start is
not dropped by the exchange.
"""
from __future__ import annotations

from typing import Any

import requests

from dealer_testing import RunningService, token
from shared import broker
from shared.config import load_settings
from shared.service import installed_services


class Desk:
    """One member of staff calling one department's API."""

    def __init__(self, service: RunningService, role: str, sub: str) -> None:
        self.base, self.headers = f"{service.url}/api/v1", token(role, sub)

    def call(self, method: str, path: str, body: Any = None, expect: tuple[int, ...] = (200, 201)) -> Any:
        """The JSON answer, after checking its status is one of ``expect``."""
        answer = requests.request(method, self.base + path, json=body, headers=self.headers, timeout=10)
        assert answer.status_code in expect, f"{method} {path}: {answer.status_code} {answer.text[:500]}"
        return answer.json()

    def get(self, path: str) -> Any:
        return self.call("GET", path)

    def post(self, path: str, body: Any = None) -> Any:
        return self.call("POST", path, body or {})


def declare_every_consumer_queue() -> None:
    """Every installed service's consumer queue exists before the first event, so none goes into the void."""
    conn = broker.connect(load_settings("reporting").amqp_url)
    try:
        for name, spec in installed_services().items():
            if spec.handlers:
                bindings = list(spec.bindings) or sorted(spec.handlers)
                broker.declare_consumer_queues(broker.raw_channel(conn), load_settings(name), bindings)
    finally:
        conn.close()

"""Liveness, readiness and Prometheus metrics, the same on every service.

``/healthz`` says the process answers; ``/readyz`` that its database and the
broker are reachable (a load balancer sends traffic only then); ``/metrics``
counts requests by route and status, and how many events wait in the outbox.
"""
from __future__ import annotations

import os
import time
from typing import Any

from flask import Blueprint, Flask, Response, current_app, g, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from sqlalchemy import func, select, text

from shared import broker
from shared.outbox import OutboxEvent
from shared.web.errors import problem

REQUESTS = Counter("http_requests_total", "HTTP requests answered", ["service", "method", "route", "status"])
LATENCY = Histogram("http_request_duration_seconds", "HTTP request latency", ["service", "route"])
health = Blueprint("health", __name__)


def _database_ok() -> str | None:
    try:
        with current_app.extensions["dealer"].sessions() as session:
            session.execute(text("SELECT 1"))
        return None
    except Exception as exc:  # noqa: BLE001 - any failure means not ready
        return exc.__class__.__name__


def _broker_ok() -> str | None:
    try:
        broker.connect(current_app.extensions["dealer"].settings.amqp_url, heartbeat=0).close()
        return None
    except Exception as exc:  # noqa: BLE001 - any failure means not ready
        return exc.__class__.__name__


@health.get("/healthz")
def healthz() -> dict[str, str]:
    """The process is alive."""
    return {"status": "ok", "service": current_app.extensions["dealer"].settings.service}


@health.get("/readyz")
def readyz() -> Any:
    """Ready when the database and the broker both answer."""
    checks = {"database": _database_ok(), "broker": _broker_ok()}
    if any(checks.values()):
        failed = ", ".join(f"{name} ({why})" for name, why in checks.items() if why)
        return problem(503, "Not ready", f"Unreachable: {failed}.", checks={k: v or "ok" for k, v in checks.items()})
    return {"status": "ready", "checks": {name: "ok" for name in checks}}


class OutboxCollector:
    """Reports the events not yet published, read from the database at scrape time."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def collect(self) -> Any:
        gauge = GaugeMetricFamily("dealer_outbox_pending", "Events waiting in the outbox", labels=["service"])
        ext = self.app.extensions["dealer"]
        try:
            with ext.sessions() as session:
                pending = session.scalar(select(func.count()).where(OutboxEvent.published_at.is_(None)))
            gauge.add_metric([ext.settings.service], float(pending or 0))
        except Exception:  # noqa: BLE001 - a scrape must not fail because the database is down
            pass
        yield gauge


@health.get("/metrics")
def metrics() -> Response:
    """Prometheus text format, gathered across gunicorn workers when multiprocess."""
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        MultiProcessCollector(registry)
    else:
        from prometheus_client import REGISTRY
        registry = REGISTRY
    output = generate_latest(registry) + generate_latest(_outbox_registry())
    return Response(output, content_type=CONTENT_TYPE_LATEST)  # it names its charset: once, not twice


def _outbox_registry() -> CollectorRegistry:
    registry = CollectorRegistry()
    registry.register(OutboxCollector(current_app._get_current_object()))  # type: ignore[attr-defined]
    return registry


def _start_timer() -> None:
    g.started = time.perf_counter()


def _observe(response: Response) -> Response:
    route = request.url_rule.rule if request.url_rule else "unmatched"
    service = current_app.extensions["dealer"].settings.service
    REQUESTS.labels(service, request.method, route, str(response.status_code)).inc()
    if "started" in g:
        LATENCY.labels(service, route).observe(time.perf_counter() - g.started)
    return response


def install(app: Flask) -> None:
    """Serve the health routes and time every request."""
    app.register_blueprint(health)
    app.before_request(_start_timer)
    app.after_request(_observe)

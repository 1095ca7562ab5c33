"""The application factory every service builds on (flaskr's ``create_app`` pattern).

It wires the database session per request, problem+json errors, auth, health,
metrics, idempotency keys and the OpenAPI document generated from the
marshmallow schemas; a service adds only its blueprints.
"""
from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, cast

from flask import Flask, Response, current_app, g, request
from flask_smorest import Api, Blueprint
from sqlalchemy.orm import Session, sessionmaker

from shared.config import Settings, check_jwt_secret, load_settings, phone_key_secret
from shared.db import WEB_LOCK_WAIT, session_factory
from shared.envelope import new_correlation_id, set_correlation_id
from shared.logs import configure_logging
from shared.outbox import wake_relay_after_commit
from shared.privacy import use_phone_key
from shared.web import health, home, idempotency, limits
from shared.web.auth import authorise_before_parsing
from shared.web.errors import register_error_handlers

MAX_BODY_BYTES = 1024 * 1024
access_log = logging.getLogger("dealer.access")


@dataclass
class DealerExtension:
    """What a request needs from its service: settings and the session factory."""

    settings: Settings
    sessions: sessionmaker[Session]


class DealerApi(Api):
    """flask-smorest's Api without its pagination header: our lists carry their page in the body."""

    def _register_pagination_header(self) -> None:
        """Nothing to register (an unused component would only puzzle a client generator)."""


def settings_with(service: str, overrides: dict[str, Any] | None) -> Settings:
    """Environment settings with a test's or caller's overrides (``DATABASE_URL`` etc.)."""
    settings = load_settings(service)
    fields = {f.name for f in dataclasses.fields(Settings)}
    changes = {k.lower(): v for k, v in (overrides or {}).items() if k.lower() in fields}
    return dataclasses.replace(settings, **changes)


def db() -> Session:
    """The request's session, opened on first use and closed at teardown."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["dealer"].sessions()
    return cast(Session, g.db_session)


def settings() -> Settings:
    """The settings of the service serving this request."""
    return cast(Settings, current_app.extensions["dealer"].settings)


def build_app(service: str, title: str, blueprints: Iterable[Blueprint],
              config: dict[str, Any] | None = None) -> Flask:
    """A Flask app for ``service`` with the shared plumbing and the given blueprints."""
    conf = settings_with(service, config)
    check_jwt_secret(conf.jwt_secret)  # no app serves with a missing, published or short secret
    use_phone_key(phone_key_secret(conf.jwt_secret))  # nor makes phones' keys with one (shared.privacy)
    configure_logging(service)
    app = Flask(service)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]  # Chinese travels as UTF-8 text, not \u escapes
    app.config.update(
        API_TITLE=title, API_VERSION="1.0", OPENAPI_VERSION="3.0.3", OPENAPI_URL_PREFIX="/",
        OPENAPI_JSON_PATH="openapi.json", JWT_SECRET=conf.jwt_secret, MAX_CONTENT_LENGTH=MAX_BODY_BYTES,
        API_SPEC_OPTIONS=_spec_options(service, title, conf),
    )
    app.config.update({k: v for k, v in (config or {}).items() if k.isupper()})
    sessions = session_factory(conf.database_url, lock_wait=WEB_LOCK_WAIT)
    wake_relay_after_commit(sessions, conf.relay_wake_addr)
    app.extensions["dealer"] = DealerExtension(conf, sessions)
    api = DealerApi(app)
    for blueprint in blueprints:
        api.register_blueprint(blueprint)
    register_error_handlers(app)
    app.before_request(_adopt_correlation_id)
    app.before_request(authorise_before_parsing)
    app.before_request(limits.refuse_a_body_that_is_not_json)
    app.before_request(limits.refuse_unwieldy_json)
    app.before_request(limits.refuse_nul_in_query)
    health.install(app)
    home.install(app)
    idempotency.install(app)
    app.after_request(_log_and_tag)
    app.teardown_appcontext(_close_session)
    return app


def _spec_options(service: str, title: str, conf: Settings) -> dict[str, Any]:
    """The OpenAPI document's head: how to authenticate, where the service answers, who keeps it."""
    return {
        "info": {"description": f"{title}: one service of the dealership back office. Every route is under "
                                "/api/v1, JSON in and out, with a bearer token; errors are application/problem+json.",
                 "contact": {"name": "Dealership back office", "url": "/"}},
        "servers": [{"url": f"http://127.0.0.1:{conf.port}", "description": f"{service} as `make run` starts it"}],
        "components": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}}},
        "security": [{"bearerAuth": []}],
    }


def _adopt_correlation_id() -> None:
    g.request_started = time.perf_counter()
    incoming = request.headers.get("X-Correlation-ID", "")
    set_correlation_id(incoming[:64] if incoming.strip() else new_correlation_id())


def _log_and_tag(response: Response) -> Response:
    from shared.envelope import current_correlation_id

    response.headers["X-Correlation-ID"] = current_correlation_id() or ""
    if response.status_code == 401:  # RFC 9110: a 401 names the scheme the client should use
        response.headers["WWW-Authenticate"] = 'Bearer realm="dealer"'
    elapsed = (time.perf_counter() - g.get("request_started", time.perf_counter())) * 1000
    route = request.url_rule.rule if request.url_rule else request.path[:80]
    if route not in ("/healthz", "/readyz", "/metrics"):
        access_log.info("%s %s %s", request.method, route, response.status_code,
                        extra={"status": response.status_code, "ms": round(elapsed, 1)})
    return response


def _close_session(_exc: BaseException | None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()

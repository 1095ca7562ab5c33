"""The reporting service's application factory."""
from __future__ import annotations

from typing import Any

from flask import Flask

from reporting.api import blp as reports
from reporting.api import manage
from reporting.dashboard import dashboard
from reporting.meetings.api import blp as meetings
from reporting.pay.api import blp as pay
from reporting.staff.api import blp as staff
from shared.web.app import build_app
from shared.web.feed import feed


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the reporting app; ``config`` overrides settings (tests pass ``DATABASE_URL``)."""
    app = build_app("reporting", "Reporting (报表)", [reports, manage, staff, meetings, pay, feed], config)
    app.register_blueprint(dashboard)
    return app

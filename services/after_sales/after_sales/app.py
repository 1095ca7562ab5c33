"""The after-sales service's application factory."""
from __future__ import annotations

from typing import Any

from flask import Flask

from after_sales.cases.api import blp as cases
from after_sales.customers.api import blp as customers
from after_sales.maintenance.api import blp as maintenance
from after_sales.notices.api import blp as notices
from after_sales.policy import load_policy
from shared.web.app import build_app
from shared.web.feed import feed


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the after-sales app; ``config`` overrides settings and may carry ``AFTER_SALES_POLICY``."""
    app = build_app("after_sales", "After-sales (售后)", [customers, maintenance, cases, notices, feed], config)
    app.config.setdefault("AFTER_SALES_POLICY", load_policy())
    return app

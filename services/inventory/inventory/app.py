"""The inventory service's application factory."""
from __future__ import annotations

from typing import Any

from flask import Flask

from inventory.api import blp
from shared.web.app import build_app
from shared.web.feed import feed


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the inventory app; ``config`` overrides settings (tests pass ``DATABASE_URL``)."""
    return build_app("inventory", "Inventory (库存)", [blp, feed], config)

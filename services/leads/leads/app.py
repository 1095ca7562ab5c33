"""The leads service's application factory."""
from __future__ import annotations

from typing import Any

from flask import Flask

from leads.agenda.api import blp as agenda_blp
from leads.api import blp
from leads.campaigns.api import blp as campaigns_blp
from leads.roster.api import blp as roster_blp
from shared.web.app import build_app
from shared.web.feed import feed


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the leads app; ``config`` overrides settings (tests pass ``DATABASE_URL``)."""
    return build_app("leads", "Leads (销售线索)", [blp, agenda_blp, campaigns_blp, roster_blp, feed], config)

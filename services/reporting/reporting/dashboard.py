"""The managers' dashboard (经理看板): one page whose figures come from the JSON API.

The page itself holds no figures: it asks for a token, keeps it in the tab's
sessionStorage and reads the reports with it, so the same roles apply as on
the API. Chart.js is served from here, never from a CDN: a store's network
may be closed.

The page is told which roles read which report (``reporting.domain``, the
rules the API enforces), so that it fetches only what the signed-in role may
read and says so for the rest; the API still decides, and a 403 is shown the
same way.
"""
from __future__ import annotations

import json
from html import escape
from pathlib import Path

from flask import Blueprint, Response

from reporting.domain import (
    AFTER_SALES_READERS,
    CAMPAIGN_READERS,
    FUNNEL_READERS,
    LOST_REASON_READERS,
    SALES_READERS,
    STAFF_ROLES,
    STOCK_READERS,
)
from reporting.pay.domain import MANAGER, MEMBER_ROLES, REPORT_READERS

STATIC = Path(__file__).resolve().parent / "static"
# Everything the page loads comes from this service; nothing runs inline.
POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
          "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
# Report (as the page names it) -> the roles that may read it. A group's supervisor (主管) may hold any staff
# role, and members read their own commission, so the group reports are asked for by every staff role and the
# API answers by group (a 403 reads as "may not read this").
READERS = {"funnel": FUNNEL_READERS, "sales": SALES_READERS, "stock": STOCK_READERS,
           "after_sales": AFTER_SALES_READERS, "lost_reasons": LOST_REASON_READERS, "campaigns": CAMPAIGN_READERS,
           "groups": STAFF_ROLES, "commissions": STAFF_ROLES}
# Of those, the roles whose panel is theirs even when the answer lists nobody (a month with no group yet, a member
# who sold nothing); anyone else is answered an empty list and sees the panel only as a group's supervisor.
WHOLE = {"groups": REPORT_READERS, "commissions": (MANAGER, *MEMBER_ROLES)}

dashboard = Blueprint("dashboard", __name__, static_folder=str(STATIC), static_url_path="/dashboard/static")


def page_html() -> bytes:
    """The page, its ``<body>`` carrying the readers tables (data attributes: the CSP forbids inline scripts)."""
    html = (STATIC / "dashboard.html").read_text(encoding="utf-8")
    readers, whole = (escape(json.dumps({report: list(roles) for report, roles in table.items()}), quote=True)
                      for table in (READERS, WHOLE))
    return html.replace("<body>", f'<body data-readers="{readers}" data-whole="{whole}">', 1).encode("utf-8")


@dashboard.get("/dashboard")
def page() -> Response:
    """The dashboard page (login form first, figures after a valid token)."""
    response = Response(page_html(), mimetype="text/html")
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Content-Security-Policy"] = POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response

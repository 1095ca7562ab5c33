"""The managers' dashboard (经理看板): one page whose figures come from the JSON API.

The page itself holds no figures: it asks for a token, keeps it in the tab's
sessionStorage and reads the reports with it, so the same roles apply as on
the API. Chart.js is served from here, never from a CDN: a store's network
may be closed.
"""
from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response

STATIC = Path(__file__).resolve().parent / "static"
# Everything the page loads comes from this service; nothing runs inline.
POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
          "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")

dashboard = Blueprint("dashboard", __name__, static_folder=str(STATIC), static_url_path="/dashboard/static")


@dashboard.get("/dashboard")
def page() -> Response:
    """The dashboard page (login form first, figures after a valid token)."""
    response = Response((STATIC / "dashboard.html").read_bytes(), mimetype="text/html")
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Content-Security-Policy"] = POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response

"""The doors a person finds first: ``/`` says which service this is, ``/docs`` lets them try its API.

The interactive documentation is Swagger UI served from the ``flask-swagger-ui``
package's own files, so it works on a store's network with no internet (no CDN).
"""
from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import Any

from flask import Flask, current_app
from flask_swagger_ui import get_swaggerui_blueprint

DOCS_PATH = "/docs"


def service_version(service: str) -> str:
    """The installed version of the service's package (``dealer-<service>``), or of the kernel."""
    for distribution in (f"dealer-{service.replace('_', '-')}", "dealer-shared"):
        try:
            return version(distribution)
        except PackageNotFoundError:
            continue
    return "unknown"


def _home() -> dict[str, Any]:
    """The service's name, version and where to go next."""
    settings = current_app.extensions["dealer"].settings
    return {
        "service": settings.service,
        "title": current_app.config["API_TITLE"],
        "version": service_version(settings.service),
        "links": {"docs": DOCS_PATH, "openapi": "/openapi.json", "health": "/healthz", "ready": "/readyz",
                  "metrics": "/metrics", "api": "/api/v1"},
    }


def install(app: Flask) -> None:
    """Add ``/`` and the Swagger UI at ``/docs`` (both open to anyone: they show no data)."""
    app.add_url_rule("/", "home", _home, methods=["GET"])
    docs = get_swaggerui_blueprint(DOCS_PATH, "/openapi.json", config={"app_name": app.config["API_TITLE"]},
                                   blueprint_name="api_docs")
    app.register_blueprint(docs)

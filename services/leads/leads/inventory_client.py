"""The HTTP client to the inventory service: asks about a car for a test drive, with a timeout.

A test drive needs to know now whether a VIN is in the test-drive fleet; when
inventory does not answer in time the request fails fast with a 503, never hangs.
After such a failure the next calls fail at once for a few seconds instead of each
holding a web worker for the whole timeout, so an inventory outage never slows
the rest of the leads API.
"""
from __future__ import annotations

import time

import requests

from shared.config import Settings
from shared.domain import Unavailable
from shared.web.auth import mint_token

PAUSE_AFTER_FAILURE = 3.0  # seconds
_failed_until = [0.0]  # per process: until when inventory counts as down


def vehicle_kind(settings: Settings, vin: str) -> str | None:
    """The car's kind (stock, test_drive, demo), or None when inventory does not know it."""
    if time.monotonic() < _failed_until[0]:
        raise Unavailable("The inventory service did not answer a moment ago; try the test drive again shortly.")
    url = f"{settings.service_urls['inventory']}/api/v1/vehicles/{vin}"
    token = mint_token(settings.jwt_secret, "service", "leads")
    try:
        response = requests.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=settings.http_timeout)
    except requests.RequestException:
        _failed_until[0] = time.monotonic() + PAUSE_AFTER_FAILURE
        raise Unavailable("The inventory service did not answer; try the test drive again shortly.") from None
    if response.status_code == 404:
        return None
    if response.status_code != 200:
        if response.status_code >= 500:
            _failed_until[0] = time.monotonic() + PAUSE_AFTER_FAILURE
        raise Unavailable(f"The inventory service answered {response.status_code}; try again shortly.")
    kind = response.json().get("kind")
    return str(kind) if kind else None

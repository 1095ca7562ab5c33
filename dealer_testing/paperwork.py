"""Bodies of the back office's paperwork that suites completing a sale need (orders, DOMAIN.md round 2).

A delivery needs a compulsory policy (交强险) whose cover includes the delivery day; suites that walk a sale to
delivery record one with this body before they deliver.
"""
from __future__ import annotations

import os
import uuid
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo


def store_today(days: int = 0) -> str:
    """The store's local date (``DEALER_TZ``, default Asia/Shanghai), ``days`` on, as ISO text."""
    zone = ZoneInfo(os.environ.get("DEALER_TZ") or "Asia/Shanghai")
    return (datetime.now(zone).date() + timedelta(days=days)).isoformat()


def compulsory_policy(**changes: Any) -> dict[str, Any]:
    """A compulsory policy from 30 days back to 335 days on: it covers a delivery today or dated in the past
    month; a fresh policy number each time (numbers are unique per insurer)."""
    return {"insurer": "PICC", "policy_no": f"JQX-{uuid.uuid4().hex[:16]}", "kind": "compulsory",
            "premium": "950.00", "starts_on": store_today(-30), "ends_on": store_today(335), **changes}

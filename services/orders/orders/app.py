"""The orders service's application factory."""
from __future__ import annotations

import os
from decimal import Decimal, InvalidOperation
from typing import Any

from flask import Flask

from orders.api import blp
from orders.documents.api import blp as documents
from orders.paperwork.api import blp as paperwork
from shared.web.app import build_app
from shared.web.feed import feed

DEFAULT_DISCOUNT_LIMIT = "5000.00"


def consultant_discount_limit(config: dict[str, Any] | None) -> Decimal:
    """The largest discount a consultant may approve alone (``ORDERS_CONSULTANT_DISCOUNT_LIMIT``)."""
    raw = (config or {}).get("CONSULTANT_DISCOUNT_LIMIT") or os.environ.get("ORDERS_CONSULTANT_DISCOUNT_LIMIT")
    try:
        limit = Decimal(str(raw or DEFAULT_DISCOUNT_LIMIT))
    except InvalidOperation:
        raise ValueError(f"ORDERS_CONSULTANT_DISCOUNT_LIMIT must be an amount, got {raw!r}") from None
    if not limit.is_finite() or limit < 0:
        raise ValueError(f"ORDERS_CONSULTANT_DISCOUNT_LIMIT must be an amount of 0 or more, got {raw!r}")
    return limit.quantize(Decimal("0.01"))


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the orders app; ``config`` overrides settings (tests pass ``DATABASE_URL``)."""
    limit = consultant_discount_limit(config)
    return build_app("orders", "Orders (订单)", [blp, paperwork, documents, feed],
                     {**(config or {}), "CONSULTANT_DISCOUNT_LIMIT": limit})

"""What the two HTTP areas (customer files; cases) share: who may write or read, the store's terms and today."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any, cast

from flask import current_app

from after_sales.domain import AfterSalesPolicy
from shared.web.app import settings

WRITERS = ("after_sales", "sales_manager")
LIST_READERS = ("after_sales", "sales_manager", "ops")
FILE_READERS = (*LIST_READERS, "consultant")


def policy() -> AfterSalesPolicy:
    """The store's after-sales terms, loaded once when the app was built."""
    return cast(AfterSalesPolicy, current_app.config["AFTER_SALES_POLICY"])


def store_today() -> date:
    """Today in the store's timezone: due dates are the store's calendar days."""
    return datetime.now(settings().timezone).date()


def window(args: dict[str, Any], default_days: int | None) -> tuple[date | None, date | None]:
    """The due-date window asked for: ``from``/``to``, or today plus ``within_days``."""
    today = store_today()
    to = args.get("to")
    if to is None and (args.get("within_days") is not None or default_days is not None):
        to = today + timedelta(days=args.get("within_days", default_days) or 0)
    return args.get("from_"), to

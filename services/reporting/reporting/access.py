"""Who reads which report.

Managers (sales_manager), ops and the sales back office (who compiles reports)
read everything. A consultant reads only their own rows: their row of the
consultants report and their own deliveries in the sales report; the funnel
and after-sales figures are the team's and the department's, so a consultant
is refused them (403). Stock holds no one's rows: consultants and the
inventory clerk read it too.
"""
from __future__ import annotations

from shared.web.auth import Actor

EVERYTHING = ("sales_manager", "ops", "back_office")
SALES_READERS = (*EVERYTHING, "consultant")
FUNNEL_READERS = EVERYTHING
STOCK_READERS = (*EVERYTHING, "consultant", "inventory_clerk")
AFTER_SALES_READERS = (*EVERYTHING, "after_sales")
TARGET_SETTERS = ("sales_manager",)
TARGET_READERS = (*EVERYTHING, "consultant")
REBUILDERS = ("ops",)
STATUS_READERS = ("ops", "sales_manager")


def own_rows_only(actor: Actor) -> str | None:
    """The consultant whose rows alone this caller may see; None for those who see every row."""
    return actor.sub if actor.role == "consultant" else None

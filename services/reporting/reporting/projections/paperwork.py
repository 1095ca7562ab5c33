"""Orders' paperwork events the sales report counts: a loan disbursed (贷款放款) and policies arranged (保险).

Each only ever sets a flag on the order's row, so redelivery and any order of arrival give the same row; the
sales report reads the flags of the orders delivered (``reporting.reports.paperwork``).
"""
from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from reporting.models import PaperworkFact
from reporting.projections.common import Projector, text
from reporting.projections.facts import Facts

POLICY_FLAGS = {"compulsory": "compulsory_insurance", "commercial": "commercial_insurance"}  # 交强险, 商业险


def _paperwork(event: dict[str, Any], facts: Facts) -> PaperworkFact:
    return facts.row(PaperworkFact, order_id=text(event["data"], "order_id", event.get("subject", "")))


def loan_disbursed(event: dict[str, Any], facts: Facts, tz: ZoneInfo) -> None:
    """The lender paid out: the sale counts for loan penetration (金融渗透率)."""
    _paperwork(event, facts).loan_disbursed = True


def insurance_arranged(event: dict[str, Any], facts: Facts, tz: ZoneInfo) -> None:
    """A policy the store arranged before delivery (orders records no other): insurance penetration (保险渗透率)."""
    flag = POLICY_FLAGS.get(text(event["data"], "kind"))
    if flag is not None:
        setattr(_paperwork(event, facts), flag, True)


PROJECTORS: dict[str, Projector] = {
    "orders.loan.disbursed": loan_disbursed,
    "orders.insurance.arranged": insurance_arranged,
}

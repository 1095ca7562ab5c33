"""Lost reasons (战败原因): why the leads lost in a range were lost, and to which competitors' brands.

Counted: the leads whose latest loss fell on a store-local day of the range and that are still
lost (a lead reopened, or converted by an order, since its loss is not; a duplicate merged away is
not), summed from day counters (``lost_reason_counts``) like the funnel. Every reason of the store's
list is listed, in its order, zeros too; brands by count, most first, then by name. A share is a
count over the total lost, to four places (0.0 when nothing was lost). One consultant's losses are
those of the leads they owned when they were lost.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from reporting.domain import COMPETITOR_REASON, LOST_REASONS, share
from reporting.models import LostReasonCount
from reporting.reports import Table
from reporting.reports.consultants import staff_names


def lost_reasons(session: Session, first: date, last: date, consultant: str | None = None) -> dict[str, Any]:
    """The range's losses by reason and by competitor's brand, with shares of the total."""
    counts = LostReasonCount
    rows = session.execute(select(counts.reason_code, counts.competitor_brand, func.sum(counts.value))
                           .where(counts.day.between(first, last),
                                  *([counts.consultant_id == consultant] if consultant is not None else []))
                           .group_by(counts.reason_code, counts.competitor_brand)).all()
    by_reason = dict.fromkeys(LOST_REASONS, 0)
    by_brand: dict[str, int] = {}
    for code, brand, total in rows:
        by_reason[code] = by_reason.get(code, 0) + int(total or 0)
        if code == COMPETITOR_REASON and brand and total:  # a loss withdrawn leaves its counter at 0
            by_brand[brand] = by_brand.get(brand, 0) + int(total)
    lost = sum(by_reason.values())
    return {"from": first, "to": last, "consultant_id": consultant,
            "consultant_name": staff_names(session, [consultant]).get(consultant) if consultant else None, "lost": lost,
            "reasons": [{"reason_code": code, "count": n, "share": share(n, lost)} for code, n in by_reason.items()],
            "competitor_brands": [{"brand": brand, "count": by_brand[brand], "share": share(by_brand[brand], lost)}
                                  for brand in sorted(by_brand, key=lambda b: (-by_brand[b], b))]}


def lost_reasons_table(report: dict[str, Any]) -> Table:
    """The total first, then one row per reason and one per competitor's brand."""
    rows: list[list[Any]] = [["total", "", report["lost"], 1.0 if report["lost"] else 0.0]]
    rows += [["reason", item["reason_code"], item["count"], item["share"]] for item in report["reasons"]]
    rows += [["competitor_brand", item["brand"], item["count"], item["share"]] for item in report["competitor_brands"]]
    return ["dimension", "value", "count", "share"], rows

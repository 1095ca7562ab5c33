"""The sales report's paperwork figures: revenue net of VAT (不含税收入), loan and insurance penetration (渗透率).

Penetration is over the range's delivered sales (交车, the report's ``units``): the share with a loan disbursed
(金融渗透率), with a commercial policy the store arranged (商业险渗透率), and with the compulsory one (交强险).
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from reporting.department_rules import PENETRATION, vat_included
from reporting.domain import Rate
from reporting.models import PaperworkFact, SaleFact


def paperwork_figures(session: Session, first: date, last: date, consultant: str | None) -> dict[str, Any]:
    """Revenue net of VAT and the three penetrations over the range's deliveries (a consultant: their own)."""
    rows = session.execute(
        select(SaleFact.price, PaperworkFact.loan_disbursed, PaperworkFact.commercial_insurance,
               PaperworkFact.compulsory_insurance)
        .select_from(SaleFact).outerjoin(PaperworkFact, PaperworkFact.order_id == SaleFact.order_id)
        .where(SaleFact.day.between(first, last))
        .where(*([SaleFact.consultant_id == consultant] if consultant is not None else []))).all()
    prices = [Decimal(row[0]) for row in rows]
    vat = sum((vat_included(price) for price in prices), Decimal("0.00"))
    rates = {name: Rate(sum(1 for row in rows if row[index]), len(rows))
             for index, name in enumerate(PENETRATION, start=1)}
    return {"revenue_net_of_vat": sum(prices, Decimal("0.00")) - vat, "vat": vat,
            "penetration": {name: rate.value for name, rate in rates.items()},
            "penetration_details": {name: rate.details() for name, rate in rates.items()}}


def paperwork_rows(report: dict[str, Any]) -> list[list[Any]]:
    """CSV rows: net revenue and VAT in the revenue column; each penetration's numerator as units, rate as share
    (its denominator is the total row's units)."""
    return [["revenue_net_of_vat", "", "", report["revenue_net_of_vat"], "", ""],
            ["vat", "", "", report["vat"], "", ""],
            *[["penetration", name, report["penetration_details"][name]["numerator"], "",
               report["penetration"][name], ""] for name in PENETRATION]]

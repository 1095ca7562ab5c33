"""The back office's later records as printed sections: loan, insurance, invoice, plate, delivery date.

Read from the order's relationships (``loans``, ``insurance_policies``, ``invoices``, ``registration``,
``promised_delivery_on``) with ``getattr``, so a paper still prints, without the section, for an order
that has none of them.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from orders.documents.sheet import Block, local_date, money

LOAN_STATUS = {"applied": "审批中", "approved": "已批准", "rejected": "已拒绝", "disbursed": "已放款"}
POLICY_KIND = {"compulsory": "交强险", "commercial": "商业险"}
REGISTERED_BY = {"customer": "客户自办", "store": "门店代办"}


def later_blocks(order: Any) -> dict[str, Block]:
    """Each later record the order has, by name, ready for the papers that print it."""
    found = {"loan": _loan(getattr(order, "loans", None) or []),
             "insurance": _insurance(getattr(order, "insurance_policies", None) or []),
             "invoice": _invoice(getattr(order, "invoices", None) or []),
             "registration": _registration(getattr(order, "registration", None)),
             "delivery_date": _promised(getattr(order, "promised_delivery_on", None))}
    return {name: block for name, block in found.items() if block is not None}


def _day(value: date | None) -> str:
    return value.isoformat() if value else ""


def _loan(loans: list[Any]) -> Block | None:
    """The latest loan application (贷款方案): lender, amount, term, rate and where it stands."""
    if not loans:
        return None
    loan = loans[-1]
    rate = f"{Decimal(loan.annual_rate).normalize():f}%"
    return Block("贷款方案", (("贷款机构", loan.lender), ("申请金额", money(loan.amount)),
                          ("期数", f"{loan.term_months} 期"), ("年利率", rate),
                          ("状态", LOAN_STATUS.get(loan.status, loan.status)),
                          ("批贷金额", money(loan.approved_amount)),
                          ("放款金额", money(loan.disbursed_amount)), ("放款日期", local_date(loan.disbursed_at))))


def _insurance(policies: list[Any]) -> Block | None:
    """Every policy arranged for the car (保险): kind, insurer, number, premium and cover dates."""
    if not policies:
        return None
    rows = [("险种", "保险公司", "保单号", "保费", "保险期间")]
    rows += [(POLICY_KIND.get(p.kind, p.kind), p.insurer, p.policy_no, money(p.premium),
              f"{_day(p.starts_on)} 至 {_day(p.ends_on)}") for p in policies]
    return Block("保险", table=tuple(rows))


def _invoice(invoices: list[Any]) -> Block | None:
    """The live invoice (发票): amount with VAT, the tax in it and the amount before tax; voided ones left out."""
    live = [invoice for invoice in invoices if getattr(invoice, "voided_at", None) is None]
    if not live:
        return None
    invoice = live[-1]
    return Block("发票", (("发票号码", invoice.invoice_no), ("开票日期", _day(invoice.issued_on)),
                        ("价税合计", money(invoice.amount)), ("税额（13%）", money(invoice.tax)),
                        ("不含税金额", money(invoice.amount - invoice.tax))))


def _registration(registration: Any) -> Block | None:
    """The plate (上牌): number, date, and who registered it (by the store under a power of attorney, 委托书)."""
    if registration is None:
        return None
    by = REGISTERED_BY.get(registration.by, registration.by)
    if getattr(registration, "power_of_attorney", False):
        by += "（已签委托书）"
    return Block("上牌", (("车牌号", registration.plate_no), ("上牌日期", _day(registration.registered_on)),
                        ("办理方", by)))


def _promised(promised: date | None) -> Block | None:
    """The delivery date promised on the order (约定交车日期)."""
    return Block("交车约定", (("约定交车日期", _day(promised)),)) if promised else None

"""The six papers (单据): what each prints, who signs it, and when it can be printed at all.

A paper is printed from data the order already has; asking for one too early (the receipt before
the deposit is paid, the checklist before a car is reserved, the settlement before full payment)
is a 409 that says what is missing, never a paper of blanks.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from orders.documents import blocks
from orders.documents.blocks import PaperData
from orders.documents.sheet import Block, Sheet, local_time
from orders.domain import OrderStatus, outstanding

INTENT = "客户有意向购买上述车辆，同意按上述价格及条款支付订金，并于约定时间签订购车合同。"
CONTRACT = ("买卖双方就上述车辆的买卖达成一致：卖方按上述配置交付车辆及随车文件；买方按约定价格付清车款。"
            "车辆交付时双方共同完成交车检验；质保与保养按厂家规定执行。本合同经双方签字盖章并经卖方审核后生效。")
HANDOVER = "客户已验收车辆，并已了解车辆使用、保养及质保条款。"
QUOTE = "以上价格为含税价（含13%增值税），以签订的购车合同为准。"


@dataclass(frozen=True)
class Paper:
    """One kind of paper: its Chinese title, its sections, who signs it."""

    title: str
    sections: Callable[[PaperData], list[Block]]
    signatures: tuple[str, ...]


def _later(data: PaperData, *names: str) -> list[Block]:
    """The back office's later records this paper shows, those the order has (loan, insurance, ...)."""
    return [data.later[name] for name in names if name in data.later]


def _quote(d: PaperData) -> list[Block]:
    return [blocks.customer(d), blocks.vehicle(d.order), blocks.prices(d.order), blocks.requests(d),
            Block("说明", text=QUOTE)]


def _intention(d: PaperData) -> list[Block]:
    return [blocks.customer(d), blocks.vehicle(d.order), blocks.prices(d.order), blocks.requests(d),
            blocks.deposit_terms(), Block("意向", text=INTENT)]


def _deposit_receipt(d: PaperData) -> list[Block]:
    return [blocks.customer(d), blocks.vehicle(d.order), blocks.deposit_slip(d.order), blocks.deposit_terms()]


def _contract(d: PaperData) -> list[Block]:
    return [blocks.customer(d), blocks.vehicle(d.order), blocks.prices(d.order), blocks.payments(d.order),
            *_later(d, "loan", "insurance", "delivery_date"), blocks.requests(d), blocks.deposit_terms(),
            Block("合同条款", text=CONTRACT), blocks.contract_state(d.order)]


def _delivery_checklist(d: PaperData) -> list[Block]:
    return [blocks.customer(d), blocks.vehicle(d.order), blocks.deal(d.order), blocks.checklist(d.order),
            *_later(d, "insurance", "registration"),
            Block("客户确认", text=HANDOVER)]


def _settlement(d: PaperData) -> list[Block]:
    return [blocks.customer(d), blocks.vehicle(d.order), blocks.prices(d.order), blocks.payments(d.order),
            *_later(d, "loan", "insurance", "invoice", "registration"), blocks.order_info(d.order)]


PAPERS: dict[str, Paper] = {
    "quote": Paper("报价单", _quote, ("客户签字", "销售顾问签字")),
    "intention": Paper("购车意向书", _intention, ("客户签字", "销售顾问签字")),
    "deposit_receipt": Paper("订金条", _deposit_receipt, ("客户签字", "收款人签字", "门店盖章")),
    "contract": Paper("汽车买卖合同", _contract, ("买方（客户）签字", "卖方（门店）盖章", "销售顾问签字")),
    "delivery_checklist": Paper("交车检验表", _delivery_checklist, ("客户签字", "交车人签字")),
    "settlement": Paper("结算单", _settlement, ("客户签字", "销售内勤签字", "门店盖章")),
}
KINDS = tuple(PAPERS)


def why_not_ready(kind: str, order: Any) -> str | None:
    """Why this paper cannot be printed yet (the data it prints does not exist), or None when it can."""
    cancelled = order.status == OrderStatus.CANCELLED
    if kind == "deposit_receipt" and not any(p.kind == "deposit" for p in order.payments):
        return "no deposit has been received on this order yet; the receipt (订金条) is printed once it is paid"
    if kind == "contract" and order.contract_status is None:
        return "no contract has been drafted for this order yet; draft it first (POST .../contract)"
    if kind == "delivery_checklist" and (cancelled or not order.vin):
        return ("the order is cancelled" if cancelled else "no car is reserved for this order yet") + \
            "; the delivery checklist (交车检验表) is for the car being handed over"
    if kind == "settlement" and (cancelled or outstanding(order) > 0):
        return ("the order is cancelled" if cancelled else f"the order is not paid in full: "
                f"{order.paid_total:.2f} paid, {outstanding(order):.2f} outstanding") + \
            "; the settlement (结算单) is printed after full payment"
    return None


def sheet_of(kind: str, data: PaperData, printed_at: datetime) -> Sheet:
    """The paper ``kind`` of this order, filled in and ready to lay out."""
    paper = PAPERS[kind]
    return Sheet(paper.title, data.store, data.order.id, local_time(printed_at), tuple(paper.sections(data)),
                 paper.signatures)

"""The sections the papers share, each built from the order's own data (客户, 车辆, 价格, 交款, 签字).

Every function reads an order (the model, or anything with its attributes) and returns a ``Block``;
papers.py picks which blocks each paper prints.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from orders.documents.sheet import BLANK, Block, Store, local_date, local_time, money
from orders.domain import CHECKLIST_ITEMS, discount, outstanding

PAYMENT_METHOD = {"cash": "全款", "loan": "贷款"}  # how the car is paid for (付款方式)
SLIP_KIND = {"deposit": "订金", "balance": "尾款", "loan_disbursement": "贷款放款"}
SLIP_METHOD = {"cash": "现金", "bank_transfer": "银行转账", "card": "刷卡", "wechat_pay": "微信支付",
               "alipay": "支付宝", "cheque": "支票", "lender": "贷款机构放款"}  # orders.domain.MONEY_METHODS
CHECK_LABEL = {"exterior": "外观", "interior": "内饰", "fuel": "油量", "accessories": "承诺精品/附件",
               "documents": "随车文件", "keys": "钥匙"}
# The deposit's terms, as orders.api.DEPOSIT_TERMS says them in English (订金条款).
DEPOSIT_TERMS = "合同审核通过前退订：已付款项全额退还。合同审核通过后退订：已付订金不予退还，其余款项退还。"


@dataclass(frozen=True)
class PaperData:
    """Everything a paper prints: the order, its customer as this caller may see them, the store.

    ``later`` holds the back office's later records (loan, insurance, invoice, registration) as
    blocks ready to print; empty until the order has them.
    """

    order: Any
    customer: dict[str, str]
    store: Store
    notes: str  # the order's special requests (特殊约定), masked for a caller who may not see numbers
    later: dict[str, Block] = field(default_factory=dict)


def customer(data: PaperData) -> Block:
    """The buyer (客户信息): name, phone and ID number, masked for a caller who may not see them."""
    who = data.customer
    return Block("客户信息", (("客户姓名", who["name"]), ("联系电话", who["phone"]), ("身份证号", who["id_number"])))


def vehicle(order: Any) -> Block:
    """The car (车辆信息): model, trim, colour and the VIN once one is reserved (or the one asked for)."""
    vin = order.vin or order.requested_vin or "待配车"
    return Block("车辆信息", (("车型", order.model), ("配置", order.trim), ("颜色", order.color), ("车架号 VIN", vin)))


def prices(order: Any) -> Block:
    """Guide price, deal price, the discount (or the mark-up, 加价) and the deposit agreed."""
    off = discount(order)
    change = ("优惠金额", money(off)) if off >= 0 else ("加价金额", money(-off))
    return Block("价格", (("厂家指导价", money(order.msrp)), ("成交价", money(order.price)), change,
                        ("订金", money(order.deposit)), ("付款方式", PAYMENT_METHOD.get(order.payment_method,
                                                                                 order.payment_method))))


def payments(order: Any) -> Block:
    """Every payment slip (交款单) so far, then what is paid and what is still owed."""
    rows = [("日期", "类别", "方式", "金额", "收款人")]
    rows += [(local_time(p.at), SLIP_KIND.get(p.kind, p.kind), SLIP_METHOD.get(p.method, p.method),
              money(p.amount), p.received_by) for p in order.payments]
    totals = (("已付合计", money(order.paid_total)), ("未付余额", money(outstanding(order))))
    return Block("交款记录", totals, tuple(rows))


def deposit_slip(order: Any) -> Block:
    """The deposit taken (订金): each deposit slip's amount, date and how it was paid."""
    slips = [p for p in order.payments if p.kind == "deposit"]
    rows = [("收款日期", "方式", "金额", "收款人")]
    rows += [(local_time(p.at), SLIP_METHOD.get(p.method, p.method), money(p.amount), p.received_by) for p in slips]
    received = sum((p.amount for p in slips), start=Decimal("0.00"))
    pairs = (("成交价", money(order.price)), ("约定订金", money(order.deposit)), ("实收订金", money(received)))
    return Block("订金收款", pairs, tuple(rows))


def deal(order: Any) -> Block:
    """The deal as the handover checks it (成交信息): the price, how it is paid, and that nothing is owed."""
    return Block("成交信息", (("成交价", money(order.price)), ("付款方式", PAYMENT_METHOD.get(order.payment_method,
                                                                                  order.payment_method)),
                          ("已付合计", money(order.paid_total)), ("未付余额", money(outstanding(order)))))


def requests(data: PaperData) -> Block:
    """The customer's special requests (特殊约定), as agreed on the order."""
    return Block("特殊约定", text=data.notes or "无")


def deposit_terms() -> Block:
    """What happens to the deposit if the customer cancels (订金条款)."""
    return Block("订金条款", text=DEPOSIT_TERMS)


CONTRACT_STATUS = {"drafted": "待审核", "reviewed": "内勤已审核，待经理批准", "approved": "已审核批准"}


def contract_state(order: Any) -> Block:
    """Where the contract stands: drafted, reviewed by the back office (审核), approved; by whom and when."""
    status = CONTRACT_STATUS.get(order.contract_status, order.contract_status)
    reviewer = getattr(order, "contract_reviewed_by", None) or ""
    reviewed = local_time(getattr(order, "contract_reviewed_at", None))
    return Block("合同审核", (("起草人", order.contract_drafted_by or ""),
                          ("起草时间", local_time(order.contract_drafted_at)), ("审核人", reviewer),
                          ("审核时间", reviewed), ("批准人", order.contract_approved_by or ""),
                          ("批准时间", local_time(order.contract_approved_at)), ("合同状态", status)))


def checklist(order: Any) -> Block:
    """The pre-delivery inspection (交车检验表): each item's result once delivered, boxes to tick before."""
    done = json.loads(order.delivery_checklist) if order.delivery_checklist else None
    rows = [("检验项目", "结果")]
    for item in CHECKLIST_ITEMS:
        result = "□ 合格   □ 不合格" if done is None else ("√ 合格" if done.get(item) is True else "× 不合格")
        rows.append((CHECK_LABEL[item], result))
    when = (("交车时间", local_time(order.delivered_at) or BLANK), ("交车人", order.delivered_by or BLANK))
    return Block("交车检验", when, tuple(rows))


def order_info(order: Any) -> Block:
    """Who sold the car and the order's dates, in the store's local time (销售顾问, 下单, 配车, 交车)."""
    return Block("订单信息", (("销售顾问", order.consultant_id), ("下单日期", local_date(order.placed_at)),
                          ("配车日期", local_date(order.reserved_at)), ("交车日期", local_date(order.delivered_at))))

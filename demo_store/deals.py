"""How a customer's story ends: an order's paper trail (订单), or a loss (战败) with its reason.

Cash buyers pay the balance in one slip; loan buyers pay a down payment and the
lender disburses the rest (贷款放款). The back office reviews every contract, and the
sales manager approves one whose discount is above the consultant's limit; the
paperwork (insurance, invoice, plate) is ``demo_store.paperwork``'s. A few customers
cancel (退订) before any contract. A lost customer is lost for a reason from the
store's fixed list, price and competitors the most common, as a store's records show.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from demo_store import catalogue, paperwork, people
from demo_store.plan import Clock, Plan, chance

DISCOUNTS = tuple(Decimal(d) for d in (0, 2000, 3000, 5000, 8000, 10000, 15000))
DISCOUNT_WEIGHTS = (0.10, 0.15, 0.20, 0.20, 0.15, 0.12, 0.08)
DEPOSITS = tuple(Decimal(d) for d in (5000, 10000, 20000))
PAY_METHODS = ("bank_transfer", "card", "wechat_pay", "alipay")
REQUESTS = ("", "", "脚垫", "贴膜", "行车记录仪", "脚垫, 贴膜")
CANCEL_REASONS = ("客户改变主意", "贷款审批未通过", "家人不同意", "选择了其他车型")
# Why customers are lost (战败原因), the store's list, and what the consultant notes beside the reason.
LOST_REASONS = {"price": ("别家优惠多八千", "预算不足, 超出两万", "等年底更大优惠"),
                "competitor": ("已在{brand}提车", "试驾{brand}后更满意", "{brand}置换补贴更高"),
                "financing": ("首付凑不齐", "贷款审批未通过", "分期利率不满意"),
                "no_stock": ("想要的颜色要等两个月", "顶配无现车, 不愿等"),
                "postponed": ("家里决定明年再买", "先买房, 车暂缓"),
                "unreachable": ("连续三次电话未接", "微信不回, 号码停机"),
                "other": ("工作调动去外地", "家人已买车")}
LOST_WEIGHTS = (0.30, 0.27, 0.10, 0.07, 0.13, 0.08, 0.05)
COMPETITORS = ("比亚迪", "吉利", "丰田", "大众", "长安", "特斯拉")  # the brands customers leave for
COMPETITOR_WEIGHTS = (0.3, 0.2, 0.17, 0.17, 0.08, 0.08)
COMEBACKS = ("price", "financing", "postponed")  # the reasons a customer may come back from (重新激活)
CHECKLIST = dict.fromkeys(("exterior", "interior", "fuel", "accessories", "documents", "keys"), True)
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Buyer:
    """The customer who orders, as their lead knows them."""

    lead: str
    name: str
    phone: str
    id_number: str
    model: catalogue.Model
    consultant: str


@dataclass(frozen=True)
class Sale:
    """An order placed: what stock must hold for it and what after-sales will look after."""

    ref: str
    spec: catalogue.Spec
    consultant: str
    placed_at: datetime
    delivered_at: datetime | None


def money(amount: Decimal) -> str:
    return f"{amount:.2f}"


def loss(rng: random.Random, reason_code: str | None = None) -> dict[str, str]:
    """The body of a loss (战败): a reason code from the store's list, the competitor's brand, a note."""
    code = reason_code or rng.choices(tuple(LOST_REASONS), weights=LOST_WEIGHTS)[0]
    body = {"reason_code": code}
    brand = rng.choices(COMPETITORS, weights=COMPETITOR_WEIGHTS)[0] if code == "competitor" else ""
    if brand:
        body["competitor_brand"] = brand
    body["note"] = rng.choice(LOST_REASONS[code]).format(brand=brand)
    return body


def plan_order(plan: Plan, clock: Clock, number: int, buyer: Buyer, placed: datetime) -> list[Sale]:
    """Plan one order from its deposit on; answers the sale, or nothing when it falls after the period."""
    rng, ref = clock.rng, f"order:{number}"
    spec = catalogue.choose_spec(rng, buyer.model)
    discount = rng.choices(DISCOUNTS, weights=DISCOUNT_WEIGHTS)[0]
    price, deposit, loan = spec.msrp - discount, rng.choice(DEPOSITS), chance(rng, 0.35)
    placed_ok = plan.add(placed, buyer.consultant, "place_order", buyer.lead, {
        "lead_id": f"@{buyer.lead}", "customer": {"name": buyer.name, "phone": buyer.phone,
                                                  "id_number": buyer.id_number},
        "vehicle": {"model": spec.model, "trim": spec.trim, "color": spec.color}, "msrp": money(spec.msrp),
        "price": money(price), "deposit": money(deposit), "deposit_method": rng.choice(("card", "wechat_pay", "cash")),
        "payment_method": "loan" if loan else "cash", "special_requests": rng.choice(REQUESTS)}, names=ref)
    if not placed_ok:
        return []
    if chance(rng, 0.08):
        cancel(plan, clock, ref, buyer, placed)
        return [Sale(ref, spec, buyer.consultant, placed, None)]
    delivered = paper_trail(plan, clock, ref, buyer.consultant, price, deposit, discount, loan, placed)
    return [Sale(ref, spec, buyer.consultant, placed, delivered)]


def cancel(plan: Plan, clock: Clock, ref: str, buyer: Buyer, placed: datetime) -> None:
    """The customer withdraws (退订): everything paid is refunded; some are then lost for good."""
    cancelled = clock.days_later(placed, 1, 4)
    plan.add(cancelled, buyer.consultant, "cancel_order", ref, {"reason": clock.rng.choice(CANCEL_REASONS)})
    if chance(clock.rng, 0.5):  # bought elsewhere after all
        plan.add(clock.days_later(cancelled, 1, 5), buyer.consultant, "mark_lost", buyer.lead,
                 loss(clock.rng, "competitor"), dated=False)


def paper_trail(plan: Plan, clock: Clock, ref: str, consultant: str, price: Decimal, deposit: Decimal,
                discount: Decimal, loan: bool, placed: datetime) -> datetime | None:
    """Contract, review, payments (and loan), insurance, invoice, delivery and plate; answers when the car was
    delivered, if in the period."""
    rng = clock.rng
    drafted = clock.days_later(placed, 0, 2)
    plan.add(drafted, consultant, "draft_contract", ref)
    approved = paperwork.review(plan, clock, ref, drafted, discount)
    paid = clock.days_later(approved, 0, 4)
    balance = price - deposit
    if loan:
        down = max((price * Decimal("0.3") / HUNDRED).quantize(Decimal(1)) * HUNDRED, deposit + 10000)
        decided = paperwork.loan(plan, clock, ref, consultant, price - down, approved)
        plan.add(paid, people.BACK_OFFICE.sub, "pay", ref,
                 {"amount": money(down - deposit), "method": rng.choice(PAY_METHODS), "kind": "balance"})
        paid = paperwork.disburse(plan, clock, ref, max(paid, decided))
    else:
        plan.add(paid, people.BACK_OFFICE.sub, "pay", ref,
                 {"amount": money(balance), "method": rng.choice(PAY_METHODS), "kind": "balance"})
    paperwork.invoice(plan, clock, ref, paid)
    delivered = clock.days_later(paid, 1, 4)
    paperwork.insure(plan, clock, ref, price, delivered)
    if not plan.add(delivered, consultant, "deliver", ref, {"checklist": CHECKLIST}):
        return None
    paperwork.register(plan, clock, ref, consultant, delivered)
    return delivered

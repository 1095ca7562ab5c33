"""The back office's paperwork on each sale, as plan actions: review (审核), loan (贷款), insurance (保险),
invoice (发票) and registration (上牌).

The back office reviews every contract, now and then sending one back first; a manager approves on top when
the discount is over the consultant's limit. A loan buyer's lender approves what was applied for and pays it
out after the down payment. Every car gets its compulsory policy (交强险) before the handover, most a
commercial one too; the invoice follows full payment; the plate follows within the week, mostly through the
store under the customer's power of attorney (委托书).
"""
from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from demo_store import people
from demo_store.plan import Clock, Plan, chance

CONSULTANT_LIMIT = Decimal(5000)  # the orders service's default; above it a manager approves
LENDERS = ("奥罗拉汽车金融", "工商银行信用卡分期", "招商银行车贷")
RATES = ("0.00", "2.99", "3.85", "4.50")  # 年利率 in percent; 0 % is the maker's subsidised offer (贴息)
TERMS = (12, 24, 36, 60)
INSURERS = ("中国人保", "平安保险", "太平洋保险")
COMPULSORY_PREMIUM = "950.00"  # 交强险 for a family car under six seats
RETURNED = ("身份证复印件不清晰, 请重新提供", "合同车身颜色与订单不符, 请更正")  # why a review sends one back
PLATE_LETTERS = "PRSTUVWXYZ"  # 沪 plates of this store's registrations (care.py's own plates use A-N)


def money(amount: Decimal) -> str:
    return f"{amount:.2f}"


def review(plan: Plan, clock: Clock, ref: str, drafted: datetime, discount: Decimal) -> datetime:
    """The back office reviews (审核), a manager approves over the limit; answers when the contract is approved."""
    back_office = people.BACK_OFFICE.sub
    reviewed = clock.minutes_later(drafted, 30, 240)
    if chance(clock.rng, 0.1):
        plan.add(reviewed, back_office, "review_contract", ref, {"passed": False, "notes": clock.rng.choice(RETURNED)})
        reviewed = clock.days_later(reviewed, 0, 1)
    plan.add(reviewed, back_office, "review_contract", ref, {"passed": True, "notes": ""})
    if discount <= CONSULTANT_LIMIT:
        return reviewed
    approved = clock.minutes_later(reviewed, 20, 180)
    plan.add(approved, people.MANAGER.sub, "approve_contract", ref)
    return approved


def loan(plan: Plan, clock: Clock, ref: str, consultant: str, amount: Decimal, approved: datetime) -> datetime:
    """Apply with a lender (贷款申请), the lender's approval: answers when the lender said yes."""
    rng = clock.rng
    applied = clock.minutes_later(approved, 10, 120)
    plan.add(applied, consultant, "apply_loan", ref, {"lender": rng.choice(LENDERS), "amount": money(amount),
                                                      "term_months": rng.choice(TERMS),
                                                      "annual_rate": rng.choice(RATES)})
    decided = clock.days_later(applied, 0, 2)
    plan.add(decided, people.BACK_OFFICE.sub, "decide_loan", ref, {"approved": True})
    return decided


def disburse(plan: Plan, clock: Clock, ref: str, after: datetime) -> datetime:
    """The lender pays out (放款) the approved amount."""
    paid = clock.days_later(after, 2, 7)
    plan.add(paid, people.BACK_OFFICE.sub, "disburse_loan", ref, {"method": "lender"})
    return paid


def insure(plan: Plan, clock: Clock, ref: str, price: Decimal, delivery: datetime) -> None:
    """Compulsory cover (交强险) from the day before delivery for a year; most buyers add a commercial policy."""
    rng, number = clock.rng, int(ref.split(":")[1])
    arranged = delivery - timedelta(hours=rng.randint(2, 30))
    starts = arranged.astimezone(plan.args.tz).date()
    cover = {"insurer": rng.choice(INSURERS), "starts_on": starts.isoformat(),
             "ends_on": (starts + timedelta(days=364)).isoformat()}
    plan.add(arranged, people.BACK_OFFICE.sub, "insure", ref, {**cover, "kind": "compulsory",
             "policy_no": f"JQX{number:09d}", "premium": COMPULSORY_PREMIUM}, dated=False)
    if chance(rng, 0.8):
        premium = (price * Decimal(rng.randint(25, 40)) / 1000).quantize(Decimal("0.01"))  # 2.5 to 4 % of the price
        plan.add(arranged, people.BACK_OFFICE.sub, "insure", ref, {**cover, "kind": "commercial",
                 "policy_no": f"SYX{number:09d}", "premium": money(premium)}, dated=False)


def invoice(plan: Plan, clock: Clock, ref: str, paid: datetime) -> None:
    """The invoice (发票) once paid in full, under a number no other sale has."""
    issued = clock.minutes_later(paid, 10, 240)
    plan.add(issued, people.BACK_OFFICE.sub, "issue_invoice", ref, {
        "invoice_no": f"{31000000 + int(ref.split(':')[1]):08d}",
        "issued_on": issued.astimezone(plan.args.tz).date().isoformat()}, dated=False)


def register(plan: Plan, clock: Clock, ref: str, consultant: str, delivered: datetime) -> None:
    """The plate (上牌) within the week: mostly the store under a power of attorney, else the customer."""
    rng, number = clock.rng, int(ref.split(":")[1])
    when = clock.days_later(delivered, 1, 6)
    by_store = chance(rng, 0.7)
    plan.add(when, consultant, "register_vehicle", ref, {
        "plate_no": f"沪{PLATE_LETTERS[number % 10]}{number // 10 % 100000:05d}",
        "registered_on": when.astimezone(plan.args.tz).date().isoformat(),
        "by": "store" if by_store else "customer", "power_of_attorney": by_store}, dated=False)

"""An order's rules (订单): prices, contract approval, payments, delivery and cancellation.

Functions take any object with an order's attributes (a SQLAlchemy model or a
test fake), check the rule, change the attributes and never save anything.
Money is always Decimal.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Protocol

from shared.domain import DomainError, InvalidInput


class OrderStatus(StrEnum):
    """Where an order is on its paper trail."""

    PENDING = "pending"  # 已下订, 待配车
    RESERVED = "reserved"  # 已配车
    BACKORDERED = "backordered"  # 等车
    CONTRACTED = "contracted"  # 合同已审批
    PAID = "paid"  # 已付清
    DELIVERED = "delivered"  # 已交车
    CANCELLED = "cancelled"  # 已退订


class ContractStatus(StrEnum):
    """The contract (合同) drafted from the order and its approval (审核)."""

    DRAFTED = "drafted"  # 待审核 (also after a failed review, until put right)
    REVIEWED = "reviewed"  # 审核通过, waiting for a sales manager (discount over the limit)
    APPROVED = "approved"  # fully approved: the order may be paid off and delivered


class PaymentKind(StrEnum):
    """What a payment slip (交款单) is for."""

    DEPOSIT = "deposit"  # 订金
    BALANCE = "balance"  # 尾款 / 首付
    LOAN_DISBURSEMENT = "loan_disbursement"  # 贷款放款


class OrderLike(Protocol):
    """The attributes these rules read and write."""

    status: str
    msrp: Decimal  # 厂家指导价
    price: Decimal  # 成交价
    deposit: Decimal  # 订金 agreed on the receipt (订金条)
    paid_total: Decimal
    vin: str | None
    contract_status: str | None
    payment_method: str  # "cash" | "loan"


@dataclass(frozen=True)
class PaymentRecorded:
    """The running total after a payment, and whether the deal price is reached."""

    paid_total: Decimal
    fully_paid: bool


@dataclass(frozen=True)
class CancellationOutcome:
    """What goes back to the customer, what the store keeps, and which car returns to stock."""

    refund: Decimal
    forfeited: Decimal
    vin_to_release: str | None


# The pre-delivery inspection checklist (交车检验表); every item must pass.
CHECKLIST_ITEMS = ("exterior", "interior", "fuel", "accessories", "documents", "keys")
FEN = Decimal("0.01")  # 分, the smallest amount on a receipt
MONEY_METHODS = ("cash", "bank_transfer", "card", "wechat_pay", "alipay", "cheque", "lender")  # how money came in
CLOSED = (OrderStatus.DELIVERED, OrderStatus.CANCELLED)
QUEUES = ("review", "manager_approval", "payment", "delivery", "overdue")  # the back office's work queues
AWAITING_CAR = (OrderStatus.PENDING, OrderStatus.BACKORDERED)  # a reservation from inventory still fits
# A contract may be drafted as soon as the car is settled: reserved, or ordered from the maker.
CONTRACTABLE = (OrderStatus.RESERVED, OrderStatus.BACKORDERED)


def validate_prices(msrp: Decimal, price: Decimal, deposit: Decimal) -> None:
    """Refuse a quote (报价单) whose amounts cannot be a real deal; a price above MSRP is allowed."""
    for field, amount in (("msrp", msrp), ("price", price), ("deposit", deposit)):
        _check_money(field, amount)
        if amount < 0:
            raise InvalidInput(field, "must not be negative")
    if price == 0:
        raise InvalidInput("price", "must be greater than 0")
    if deposit > price:
        raise InvalidInput("deposit", f"must not exceed the deal price {price:.2f}")


def discount(order: OrderLike) -> Decimal:
    """Guide price minus deal price; negative when the car sells above MSRP (加价)."""
    return order.msrp - order.price


def mark_reserved(order: OrderLike, vin: str) -> None:
    """Attach the car inventory reserved; an already approved contract makes it contracted."""
    if not vin.strip():
        raise InvalidInput("vin", "must name the reserved car")
    _require_status(
        order, (OrderStatus.PENDING, OrderStatus.BACKORDERED), "reserve a car for"
    )
    order.vin = vin.strip()
    order.status = OrderStatus.RESERVED
    if order.contract_status == ContractStatus.APPROVED:
        _mark_contracted(order)


def reservation_time(placed_at: datetime, reported: datetime | None, now: datetime) -> datetime:
    """When the car counts as held: inventory's time (an order keyed in late keeps its own date), within
    placed..now; now when inventory gave none."""
    return now if reported is None else min(max(reported, placed_at), now)


def mark_backordered(order: OrderLike) -> None:
    """Let the order wait for a car (等车) when none in stock matches."""
    _require_status(order, (OrderStatus.PENDING,), "backorder")
    order.status = OrderStatus.BACKORDERED


def draft_contract(order: OrderLike) -> None:
    """Draft the contract once the car is settled: reserved, or backordered from the maker."""
    _require_status(order, CONTRACTABLE, "draft a contract for")
    if order.contract_status is not None:
        raise DomainError(f"the contract is already {order.contract_status}")
    order.contract_status = ContractStatus.DRAFTED


def needs_manager_approval(order: OrderLike, consultant_discount_limit: Decimal) -> bool:
    """A discount over the consultant's limit needs a sales manager's approval on top of the review."""
    return discount(order) > consultant_discount_limit


def review_contract(order: OrderLike, passed: bool, consultant_discount_limit: Decimal) -> bool:
    """The back office's review (审核) of a drafted contract; True when it leaves the contract fully approved.

    A failed review keeps the contract drafted, to be reviewed again once put right; a passed one approves
    it, or waits for a sales manager when the discount is over the consultant's limit.
    """
    _require_status(order, CONTRACTABLE, "review the contract of")
    if order.contract_status != ContractStatus.DRAFTED:
        raise DomainError(f"there is no drafted contract to review (it is {order.contract_status})")
    if not passed:
        return False
    if needs_manager_approval(order, consultant_discount_limit):
        order.contract_status = ContractStatus.REVIEWED
        return False
    _approve(order)
    return True


def approve_contract(order: OrderLike, role: str, consultant_discount_limit: Decimal) -> None:
    """Approve the contract: a sales manager's, after the back office passed it; the back office's own
    approval of a contract within the limit is its passed review (the round-1 call clients still make)."""
    _require_status(order, CONTRACTABLE, "approve the contract of")
    if order.contract_status == ContractStatus.APPROVED or order.contract_status is None:
        raise DomainError(f"there is no contract waiting for approval (it is {order.contract_status})")
    if role == "back_office":
        _require_within_limit(order, consultant_discount_limit)
    elif role != "sales_manager":
        raise DomainError(f"a {role} cannot approve contracts")
    elif order.contract_status == ContractStatus.DRAFTED:  # not reviewed yet, or never needing a manager
        raise DomainError("the back office has not passed the contract's review (审核) yet"
                          if needs_manager_approval(order, consultant_discount_limit) else
                          "the back office reviews (审核) a contract within the limit; no manager approval is needed")
    _approve(order)


def _require_within_limit(order: OrderLike, limit: Decimal) -> None:
    """The back office alone approves only a discount within the consultant's limit."""
    if order.contract_status != ContractStatus.DRAFTED:
        raise DomainError("the back office already passed this contract; a sales manager approves it now")
    if needs_manager_approval(order, limit):
        raise DomainError(f"the discount {discount(order):.2f} exceeds the consultant's limit {limit:.2f}: "
                          "the back office reviews it (contract/review), then a sales manager approves")


def _approve(order: OrderLike) -> None:
    order.contract_status = ContractStatus.APPROVED
    if order.status == OrderStatus.RESERVED:
        _mark_contracted(order)


def record_payment(order: OrderLike, amount: Decimal, kind: str) -> PaymentRecorded:
    """Add a payment slip (交款单) to the order, refusing any that would overpay it."""
    _check_payment(order, amount, kind)
    order.paid_total += amount
    if order.status == OrderStatus.CONTRACTED:
        _settle_if_paid(order)
    return PaymentRecorded(order.paid_total, order.paid_total == order.price)


def deliver(order: OrderLike, checklist: dict[str, bool], *, insured: bool) -> None:
    """Hand the car over (交车) only when paid in full, insured (交强险 covering the day) and every item passed."""
    if order.status != OrderStatus.PAID:
        raise DomainError(
            f"cannot deliver an order that is {order.status}: {_why_not_paid(order)}"
        )
    if not insured:
        raise DomainError("cannot deliver without a compulsory insurance policy (交强险) covering the delivery day")
    missing = [item for item in CHECKLIST_ITEMS if item not in checklist]
    failed = [item for item in CHECKLIST_ITEMS if checklist.get(item, True) is not True]
    if missing or failed:
        raise DomainError(
            _checklist_reason(failed, missing), failed=failed, missing=missing
        )
    order.status = OrderStatus.DELIVERED


def cancel(order: OrderLike, reason: str) -> CancellationOutcome:
    """Cancel before delivery (退订): the deposit is forfeited once a contract was approved."""
    if not reason.strip():
        raise InvalidInput("reason", "must say why the order is cancelled")
    if order.status in CLOSED:
        raise DomainError(f"cannot cancel an order that is already {order.status}")
    deposit_paid = min(order.paid_total, order.deposit)
    forfeited = (
        deposit_paid if order.contract_status == ContractStatus.APPROVED else Decimal(0)
    )
    order.status = OrderStatus.CANCELLED
    return CancellationOutcome(order.paid_total - forfeited, forfeited, order.vin)


def is_overdue(status: str, promised_delivery_on: date | None, today: date) -> bool:
    """Past the promised delivery day (约定交车日期) and neither delivered nor cancelled: the back office chases it."""
    return promised_delivery_on is not None and promised_delivery_on < today and status not in CLOSED


def outstanding(order: OrderLike) -> Decimal:
    """What the customer still owes on the deal price."""
    return order.price - order.paid_total


def _mark_contracted(order: OrderLike) -> None:
    """A reserved car plus an approved contract makes the order contracted, or paid if settled."""
    order.status = OrderStatus.CONTRACTED
    _settle_if_paid(order)


def _settle_if_paid(order: OrderLike) -> None:
    """Payments may complete before approval; the order becomes paid whichever comes last."""
    if order.paid_total == order.price:
        order.status = OrderStatus.PAID


def _require_status(
    order: OrderLike, allowed: tuple[OrderStatus, ...], action: str
) -> None:
    """Refuse a step the order's current status does not allow, naming what it would need."""
    if order.status not in allowed:
        needed = " or ".join(allowed)
        raise DomainError(
            f"cannot {action} an order that is {order.status}; it must be {needed}"
        )


def _check_payment(order: OrderLike, amount: Decimal, kind: str) -> None:
    """A payment must be positive, of a known kind, within the deal price and the order open."""
    _check_money("amount", amount)
    if amount <= 0:
        raise InvalidInput("amount", "must be greater than 0")
    if kind not in tuple(PaymentKind):
        raise InvalidInput("kind", f"must be one of {', '.join(PaymentKind)}")
    if order.status in CLOSED:
        raise DomainError(f"cannot take a payment on an order that is {order.status}")
    if kind == PaymentKind.LOAN_DISBURSEMENT and order.payment_method != "loan":
        raise DomainError(
            f"a loan disbursement needs a loan order; this one is paid by {order.payment_method}"
        )
    if kind == PaymentKind.DEPOSIT and order.paid_total + amount > order.deposit:
        raise DomainError(
            f"a deposit of {amount:.2f} would exceed the agreed deposit {order.deposit:.2f}; "
            "record the rest as balance"
        )
    if order.paid_total + amount > order.price:
        raise DomainError(
            f"a payment of {amount:.2f} would overpay the order; outstanding is {outstanding(order):.2f}"
        )


def _check_money(field: str, amount: Decimal) -> None:
    """Money is a finite Decimal in whole fen (分), never a float."""
    if not isinstance(amount, Decimal) or not amount.is_finite():
        raise InvalidInput(field, "must be a finite decimal amount")
    try:
        in_fen = amount.quantize(FEN)
    except InvalidOperation:
        raise InvalidInput(field, "is too large") from None
    if amount != in_fen:
        raise InvalidInput(field, "must have at most 2 decimal places")


def _why_not_paid(order: OrderLike) -> str:
    """Say which of contract, payment and car still stands between the order and delivery."""
    gaps = []
    if order.contract_status != ContractStatus.APPROVED:
        gaps.append("the contract is not approved")
    if order.paid_total < order.price:
        gaps.append(f"{outstanding(order):.2f} is still outstanding")
    if not order.vin:
        gaps.append("no car is reserved")
    return "; ".join(gaps) or "it must be paid"


def _checklist_reason(failed: list[str], missing: list[str]) -> str:
    """Name every checklist item that stops the handover, so staff know what to redo."""
    parts = [
        f"{label}: {', '.join(items)}"
        for label, items in (("failed", failed), ("missing", missing))
        if items
    ]
    return f"the delivery checklist is not passed ({'; '.join(parts)})"

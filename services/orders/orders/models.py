"""Tables the orders service owns."""
from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from shared.clock import utcnow


def new_id() -> str:
    return str(uuid.uuid4())


class Base(DeclarativeBase):
    """The orders service's own tables."""


class Order(Base):
    """A sale's paper trail (订单): quote, deposit, car, contract, payments, delivery."""

    __tablename__ = "orders"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    lead_id: Mapped[str | None] = mapped_column(String(36), index=True)
    consultant_id: Mapped[str] = mapped_column(String(64), index=True)
    placed_by: Mapped[str] = mapped_column(String(64))
    customer_name: Mapped[str] = mapped_column(String(100))
    customer_phone: Mapped[str] = mapped_column(String(11), index=True)
    customer_id_number: Mapped[str] = mapped_column(String(18))
    model: Mapped[str] = mapped_column(String(100), default="")
    trim: Mapped[str] = mapped_column(String(100), default="")
    color: Mapped[str] = mapped_column(String(50), default="")
    requested_vin: Mapped[str | None] = mapped_column(String(17))
    vin: Mapped[str | None] = mapped_column(String(17), index=True)  # the car reserved (配车)
    model_class: Mapped[str | None] = mapped_column(String(20))  # the reserved car's 车型大类, as inventory said
    msrp: Mapped[Decimal] = mapped_column(Numeric(12, 2))  # 厂家指导价
    price: Mapped[Decimal] = mapped_column(Numeric(12, 2))  # 成交价
    deposit: Mapped[Decimal] = mapped_column(Numeric(12, 2))  # 订金
    paid_total: Mapped[Decimal] = mapped_column(Numeric(12, 2), default=Decimal("0.00"))
    payment_method: Mapped[str] = mapped_column(String(10))  # cash | loan (贷款)
    special_requests: Mapped[str] = mapped_column(String(1000), default="")
    status: Mapped[str] = mapped_column(String(12), index=True)
    backorder_reason: Mapped[str | None] = mapped_column(String(500))
    placed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    reserved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The contract (合同), drafted from the order's own terms, and its approval (审核).
    contract_status: Mapped[str | None] = mapped_column(String(10))
    contract_drafted_by: Mapped[str | None] = mapped_column(String(64))
    contract_drafted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    contract_approved_by: Mapped[str | None] = mapped_column(String(64))
    contract_approver_role: Mapped[str | None] = mapped_column(String(20))
    contract_approved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The back office's review (审核), always; a manager's approval on top only over the discount limit.
    contract_reviewed_by: Mapped[str | None] = mapped_column(String(64))
    contract_reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    contract_review_passed: Mapped[bool | None] = mapped_column(Boolean)
    contract_review_notes: Mapped[str | None] = mapped_column(String(1000))
    promised_delivery_on: Mapped[date | None] = mapped_column(Date, index=True)  # 约定交车日期 (store's local day)
    # Delivery (交车) and its inspection checklist (交车检验表), stored as JSON.
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    delivered_by: Mapped[str | None] = mapped_column(String(64))
    delivery_checklist: Mapped[str | None] = mapped_column(Text)
    # Cancellation (退订): what went back to the customer and what the store kept.
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    cancelled_by: Mapped[str | None] = mapped_column(String(64))
    cancel_reason: Mapped[str | None] = mapped_column(String(500))
    refund: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    forfeited: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    version: Mapped[int] = mapped_column(Integer, default=1)

    # Loaded with the order, so reading them after a commit starts no new transaction.
    payments: Mapped[list[Payment]] = relationship(back_populates="order", order_by="Payment.at", lazy="selectin")
    loans: Mapped[list[Loan]] = relationship(order_by="Loan.applied_at", lazy="selectin")
    insurance_policies: Mapped[list[InsurancePolicy]] = relationship(order_by="InsurancePolicy.starts_on",
                                                                     lazy="selectin")
    invoices: Mapped[list[Invoice]] = relationship(order_by="Invoice.recorded_at", lazy="selectin")
    registration: Mapped[Registration | None] = relationship(lazy="selectin")

    # Every UPDATE checks the version it read: a concurrent change is never overwritten silently.
    __mapper_args__ = {"version_id_col": version}


class Payment(Base):
    """One payment slip (交款单): deposit, balance or loan disbursement."""

    __tablename__ = "payments"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    kind: Mapped[str] = mapped_column(String(20))
    method: Mapped[str] = mapped_column(String(20))
    received_by: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    order: Mapped[Order] = relationship(back_populates="payments", lazy="joined")


class Loan(Base):
    """A loan application (贷款 / 金融方案) with a lender: applied, then approved or rejected, then disbursed."""

    __tablename__ = "loans"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"), index=True)
    lender: Mapped[str] = mapped_column(String(100))  # 贷款机构
    amount: Mapped[Decimal] = mapped_column(Numeric(12, 2))  # applied for (申请金额)
    term_months: Mapped[int] = mapped_column(Integer)  # 期数
    annual_rate: Mapped[Decimal] = mapped_column(Numeric(7, 4))  # 年利率, percent: 3.85 is 3.85 %
    status: Mapped[str] = mapped_column(String(10))  # paperwork.domain.LoanStatus
    applied_by: Mapped[str] = mapped_column(String(64))
    applied_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    approved_amount: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))  # 批贷金额
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    disbursed_amount: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))  # 放款金额
    disbursed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class InsurancePolicy(Base):
    """An insurance policy (保单) arranged for the car: compulsory (交强险) or commercial (商业险)."""

    __tablename__ = "insurance_policies"
    __table_args__ = (UniqueConstraint("insurer", "policy_no", name="uq_insurance_policies_insurer_policy_no"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12))  # compulsory | commercial
    insurer: Mapped[str] = mapped_column(String(100))  # 保险公司
    policy_no: Mapped[str] = mapped_column(String(40))  # 保单号
    premium: Mapped[Decimal] = mapped_column(Numeric(12, 2))  # 保费
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Invoice(Base):
    """The sale's invoice (机动车销售统一发票): one live per order; a voided one (作废) stays on file."""

    __tablename__ = "invoices"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"), index=True)
    invoice_no: Mapped[str] = mapped_column(String(20), unique=True)  # 发票号码, never reused
    amount: Mapped[Decimal] = mapped_column(Numeric(12, 2))  # the deal price, tax included (价税合计)
    tax: Mapped[Decimal] = mapped_column(Numeric(12, 2))  # 税额 = amount × 13 ÷ 113
    issued_on: Mapped[date] = mapped_column(Date)  # 开票日期
    issued_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    voided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    voided_by: Mapped[str | None] = mapped_column(String(64))
    void_reason: Mapped[str | None] = mapped_column(String(500))


class Registration(Base):
    """The car's registration (上牌): the plate chosen (选号), when, and who did it."""

    __tablename__ = "registrations"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"), unique=True)
    vin: Mapped[str] = mapped_column(String(17))
    plate_no: Mapped[str] = mapped_column(String(10), unique=True)  # 车牌号
    registered_on: Mapped[date] = mapped_column(Date)
    by: Mapped[str] = mapped_column(String(10))  # customer | store
    power_of_attorney: Mapped[bool] = mapped_column(Boolean, default=False)  # 委托书 signed, for "store"
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

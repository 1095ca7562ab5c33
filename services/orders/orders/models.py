"""Tables the orders service owns."""
from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import DateTime, ForeignKey, Integer, Numeric, String, Text
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

"""Tables the after-sales service owns."""
from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Dialect,
    ForeignKey,
    Integer,
    Numeric,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from shared.clock import utcnow


def new_id() -> str:
    return str(uuid.uuid4())


class UtcDateTime(TypeDecorator[datetime]):
    """An instant stored in UTC and read back aware, on SQLite (which keeps no offset) as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime: an instant must carry its offset")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None or value.tzinfo is not None:
            return value
        return value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    """The after-sales service's own tables."""


class Customer(Base):
    """A customer file (客户档案), one per mobile phone, holding every car they bought or bring in for service."""

    __tablename__ = "customers"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(100), index=True)
    phone: Mapped[str] = mapped_column(String(11), unique=True)
    id_number: Mapped[str | None] = mapped_column(String(18))
    address: Mapped[str | None] = mapped_column(String(200))  # 地址: personal data, masked like the phone
    source: Mapped[str] = mapped_column(String(10), default="sale")  # sale | walk_in (bought elsewhere, 外购车)
    grade: Mapped[str] = mapped_column(String(10), index=True)  # 客户等级, from the last 12 months' spend
    total_spent: Mapped[Decimal] = mapped_column(Numeric(12, 2))  # lifetime
    spend_12m: Mapped[Decimal] = mapped_column(Numeric(12, 2), default=Decimal(0))
    graded_on: Mapped[date | None] = mapped_column(Date)
    marketing_consent: Mapped[bool] = mapped_column(Boolean, default=False)  # 营销同意 (PIPL)
    consent_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, index=True)
    vehicles: Mapped[list[Vehicle]] = relationship(
        back_populates="customer", lazy="selectin", order_by="Vehicle.delivered_at")


class Vehicle(Base):
    """A car on a customer's file: its delivery, plate and when its next service is due."""

    __tablename__ = "vehicles"

    vin: Mapped[str] = mapped_column(String(17), primary_key=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), index=True)
    order_id: Mapped[str | None] = mapped_column(String(64), unique=True)  # None: bought elsewhere
    model: Mapped[str] = mapped_column(String(100))
    trim: Mapped[str] = mapped_column(String(100), default="")
    color: Mapped[str] = mapped_column(String(50), default="")
    price: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    plate: Mapped[str | None] = mapped_column(String(10), unique=True)  # 车牌号, set after registration
    consultant_id: Mapped[str | None] = mapped_column(String(64))  # who sold it; None when bought elsewhere
    source: Mapped[str] = mapped_column(String(10), default="sale")  # sale | walk_in
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    delivered_on: Mapped[date] = mapped_column(Date)  # the store's local date; a walk-in's: the day it was filed
    first_reading_km: Mapped[int | None] = mapped_column(Integer)  # mileage when filed (0 for a new car)
    plan_months: Mapped[int | None] = mapped_column(Integer)  # 保养计划; None: the store's default
    plan_km: Mapped[int | None] = mapped_column(Integer)
    next_due_on: Mapped[date] = mapped_column(Date, index=True)  # 下次保养
    next_due_km: Mapped[int] = mapped_column(Integer)
    last_service_on: Mapped[date | None] = mapped_column(Date)
    last_mileage_km: Mapped[int | None] = mapped_column(Integer)
    customer: Mapped[Customer] = relationship(back_populates="vehicles")
    services: Mapped[list[ServiceRecord]] = relationship(
        order_by=lambda: (ServiceRecord.service_date, ServiceRecord.recorded_at))


class ServiceRecord(Base):
    """One maintenance or repair visit (保养/维修记录); it sets the next due date."""

    __tablename__ = "service_records"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    vin: Mapped[str] = mapped_column(ForeignKey("vehicles.vin"), index=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), index=True)
    service_date: Mapped[date] = mapped_column(Date)
    mileage_km: Mapped[int] = mapped_column(Integer)
    items: Mapped[list[Any]] = mapped_column(JSON)
    cost: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    next_due_on: Mapped[date] = mapped_column(Date)
    next_due_km: Mapped[int] = mapped_column(Integer)
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class ReturnVisit(Base):
    """A call to the customer (回访) after a delivery or a service, and how satisfied they were."""

    __tablename__ = "return_visits"
    __table_args__ = (UniqueConstraint("kind", "source_id"),)  # one call per delivery or service

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), index=True)
    vin: Mapped[str] = mapped_column(ForeignKey("vehicles.vin"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    source_id: Mapped[str] = mapped_column(String(64))  # the order or the service record
    due_on: Mapped[date] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(10), index=True)
    satisfaction: Mapped[int | None] = mapped_column(Integer)  # 满意度 1-5
    answers: Mapped[dict[str, int] | None] = mapped_column(JSON)  # 问卷: sales_process, delivery, facility, recommend
    csi: Mapped[Decimal | None] = mapped_column(Numeric(4, 2))
    feedback: Mapped[str | None] = mapped_column(String(2000))
    complaint_id: Mapped[str | None] = mapped_column(String(36))
    scheduled_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    completed_by: Mapped[str | None] = mapped_column(String(64))
    customer: Mapped[Customer] = relationship()


class Complaint(Base):
    """A complaint (投诉) owned by a coordinator, due by a limit set by its severity."""

    __tablename__ = "complaints"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    customer_id: Mapped[str | None] = mapped_column(ForeignKey("customers.id"), index=True)  # None: a prospect
    phone: Mapped[str | None] = mapped_column(String(11))  # a prospect's (潜客) phone
    contact_name: Mapped[str | None] = mapped_column(String(100))
    prospect: Mapped[bool] = mapped_column(Boolean, default=False)
    vin: Mapped[str | None] = mapped_column(String(17))
    category: Mapped[str] = mapped_column(String(30), index=True)
    severity: Mapped[str] = mapped_column(String(10), index=True)
    description: Mapped[str] = mapped_column(String(2000))
    owner_id: Mapped[str] = mapped_column(String(64), index=True)
    origin: Mapped[str] = mapped_column(String(20))  # manual | return_visit
    return_visit_id: Mapped[str | None] = mapped_column(String(36))
    status: Mapped[str] = mapped_column(String(10), index=True)
    opened_by: Mapped[str] = mapped_column(String(64))
    opened_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    deadline: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    escalated_at: Mapped[datetime | None] = mapped_column(UtcDateTime())  # 升级, at most once
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    resolved_by: Mapped[str | None] = mapped_column(String(64))
    resolution_note: Mapped[str | None] = mapped_column(String(2000))


class Claim(Base):
    """A warranty (保修) or insurance (保险理赔) claim for a car on file, approved or rejected once."""

    __tablename__ = "claims"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(String(10), index=True)
    vin: Mapped[str] = mapped_column(ForeignKey("vehicles.vin"), index=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), index=True)
    description: Mapped[str] = mapped_column(String(2000))
    claim_date: Mapped[date] = mapped_column(Date)
    mileage_km: Mapped[int | None] = mapped_column(Integer)
    amount: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    insurer: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(10), index=True)
    reason: Mapped[str] = mapped_column(String(500), default="")
    filed_by: Mapped[str] = mapped_column(String(64))
    filed_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class PlateAwaiting(Base):
    """A plate (车牌号) registered before its car's file opened: applied when the delivery arrives."""

    __tablename__ = "plates_awaiting"

    vin: Mapped[str] = mapped_column(String(17), primary_key=True)
    plate: Mapped[str] = mapped_column(String(10))
    order_id: Mapped[str] = mapped_column(String(64))
    registered_on: Mapped[date | None] = mapped_column(Date)

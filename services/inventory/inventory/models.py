"""Tables the inventory service owns."""
from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, Numeric, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.clock import utcnow


def new_id() -> str:
    return str(uuid.uuid4())


class Base(DeclarativeBase):
    """The inventory service's own tables."""


class Vehicle(Base):
    """One car by VIN (车架号), from arrival (新车入库) to outbound on delivery (出库)."""

    __tablename__ = "vehicles"
    __table_args__ = (Index("ix_vehicles_matching", "status", "kind", "model", "trim", "color", "arrived_at"),
                      Index("ix_vehicles_arrival", "arrived_at", "vin"))  # the list's order; age filters

    vin: Mapped[str] = mapped_column(String(17), primary_key=True)
    model: Mapped[str] = mapped_column(String(100))
    trim: Mapped[str] = mapped_column(String(100))
    color: Mapped[str] = mapped_column(String(50))
    msrp: Mapped[Decimal] = mapped_column(Numeric(12, 2))  # 厂家指导价
    cost: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    kind: Mapped[str] = mapped_column(String(12))  # stock 库存车 | test_drive 试驾车 | demo 展车
    # 车型大类 (SUV, sedan, ...): from the receiving body, else the catalogue; None until the catalogue knows it.
    model_class: Mapped[str | None] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20))
    location: Mapped[str] = mapped_column(String(100), index=True)
    arrived_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))  # at the group: 库龄 counts from here
    received_by: Mapped[str] = mapped_column(String(64))
    inspection_notes: Mapped[str] = mapped_column(String(2000), default="")
    inspected_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # One order per car, and one car per order: the column is unique (NULLs aside).
    reserved_for_order_id: Mapped[str | None] = mapped_column(String(36), unique=True)
    reserved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    key_holder: Mapped[str | None] = mapped_column(String(64))  # 钥匙管理: who has the keys now
    version: Mapped[int] = mapped_column(Integer, default=1)

    # Every UPDATE checks the version it read: a concurrent change is never overwritten silently.
    __mapper_args__ = {"version_id_col": version}


class CatalogueModel(Base):
    """The model catalogue (车型目录): which class (车型大类) each model belongs to, and who said so."""

    __tablename__ = "model_catalogue"

    model: Mapped[str] = mapped_column(String(100), primary_key=True)
    model_class: Mapped[str] = mapped_column(String(20))
    set_by: Mapped[str] = mapped_column(String(64))
    set_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Inspection(Base):
    """One arrival inspection (接车检验) of a car, passed or failed with notes."""

    __tablename__ = "inspections"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    vin: Mapped[str] = mapped_column(ForeignKey("vehicles.vin"), index=True)
    passed: Mapped[bool] = mapped_column(Boolean)
    notes: Mapped[str] = mapped_column(String(2000), default="")
    by: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Transfer(Base):
    """A move of a car between stores of the group (调拨)."""

    __tablename__ = "transfers"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    vin: Mapped[str] = mapped_column(ForeignKey("vehicles.vin"), index=True)
    from_location: Mapped[str] = mapped_column(String(100))
    to_location: Mapped[str] = mapped_column(String(100))
    note: Mapped[str] = mapped_column(String(500), default="")
    by: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class KeyMovement(Base):
    """Keys issued to someone, returned by them, or handed over with the car (钥匙管理)."""

    __tablename__ = "key_movements"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    vin: Mapped[str] = mapped_column(ForeignKey("vehicles.vin"), index=True)
    action: Mapped[str] = mapped_column(String(12))  # issue | return | handover
    holder: Mapped[str] = mapped_column(String(64))
    purpose: Mapped[str] = mapped_column(String(200), default="")
    by: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Allocation(Base):
    """Inventory's record of an order's claim on a car (配车): waiting, reserved, or over.

    Kept for every order placed, so a backordered order is served when a matching
    car arrives, and so a cancellation that overtakes its order is remembered.
    """

    __tablename__ = "allocations"
    __table_args__ = (Index("ix_allocations_waiting", "status", "placed_at", "order_id"),)

    order_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    model: Mapped[str] = mapped_column(String(100), default="")
    trim: Mapped[str] = mapped_column(String(100), default="")
    color: Mapped[str] = mapped_column(String(50), default="")
    requested_vin: Mapped[str | None] = mapped_column(String(17))
    placed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(12))  # waiting | reserved | cancelled | delivered
    vin: Mapped[str | None] = mapped_column(String(17))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

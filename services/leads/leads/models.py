"""Tables the leads service owns."""
from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import DateTime, ForeignKey, Integer, Numeric, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.clock import utcnow


def new_id() -> str:
    return str(uuid.uuid4())


class Base(DeclarativeBase):
    """The leads service's own tables."""


class Lead(Base):
    """A customer file (建卡/建档), one per mobile phone."""

    __tablename__ = "leads"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str] = mapped_column(String(11), unique=True)
    id_number: Mapped[str | None] = mapped_column(String(18))
    source: Mapped[str] = mapped_column(String(20), index=True)
    model_interest: Mapped[str] = mapped_column(String(100))
    level: Mapped[str] = mapped_column(String(1), index=True)
    status: Mapped[str] = mapped_column(String(12), index=True)
    owner_id: Mapped[str] = mapped_column(String(64), index=True)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    owner_last_contact_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    served_by: Mapped[str] = mapped_column(Text, default="")  # comma-separated consultant ids
    lost_reason: Mapped[str | None] = mapped_column(String(500))  # the note on the loss (or the old free text)
    lost_reason_code: Mapped[str | None] = mapped_column(String(20))  # one of domain.LOST_REASONS
    competitor_brand: Mapped[str | None] = mapped_column(String(50))  # who won it, when reason is competitor
    status_before_lost: Mapped[str | None] = mapped_column(String(12))  # where a reopened lead goes back to
    referrer_phone: Mapped[str | None] = mapped_column(String(11))  # the referring customer (转介绍)
    visits: Mapped[int] = mapped_column(Integer, default=0)


class Inquiry(Base):
    """A call or walk-in logged, filed as a lead or not (for the filing rate, 建卡率)."""

    __tablename__ = "inquiries"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    channel: Mapped[str] = mapped_column(String(20))
    phone: Mapped[str | None] = mapped_column(String(11), index=True)
    note: Mapped[str] = mapped_column(String(1000), default="")
    lead_id: Mapped[str | None] = mapped_column(ForeignKey("leads.id"), index=True)
    received_by: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    # The call register (来电客户登记表): what the caller asked for; none of it required.
    name: Mapped[str | None] = mapped_column(String(100))
    model_interest: Mapped[str | None] = mapped_column(String(100))
    budget: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    purchase_timeframe: Mapped[str | None] = mapped_column(String(20))


class FollowUp(Base):
    """One contact with the customer (跟进) and when to contact them next."""

    __tablename__ = "follow_ups"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    lead_id: Mapped[str] = mapped_column(ForeignKey("leads.id"), index=True)
    channel: Mapped[str] = mapped_column(String(20))
    summary: Mapped[str] = mapped_column(String(2000))
    next_follow_up_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    by: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Appointment(Base):
    """An invitation to visit (邀约到店); kept when a visit names it."""

    __tablename__ = "appointments"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    lead_id: Mapped[str] = mapped_column(ForeignKey("leads.id"), index=True)
    scheduled_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    purpose: Mapped[str] = mapped_column(String(30))
    booked_by: Mapped[str] = mapped_column(String(64))
    booked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    kept_visit_id: Mapped[str | None] = mapped_column(String(36))
    status: Mapped[str] = mapped_column(String(12), default="booked", index=True)  # domain.APPOINTMENT_STATUSES
    cancel_reason: Mapped[str | None] = mapped_column(String(500))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # when cancelled or marked no-show


class Visit(Base):
    """An arrival at the showroom (到店) and who owns the lead after it."""

    __tablename__ = "visits"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    lead_id: Mapped[str] = mapped_column(ForeignKey("leads.id"), index=True)
    consultant_id: Mapped[str] = mapped_column(String(64))
    appointment_id: Mapped[str | None] = mapped_column(String(36))
    requested_consultant_id: Mapped[str | None] = mapped_column(String(64))
    visit_number: Mapped[int] = mapped_column(Integer)
    owner_before: Mapped[str] = mapped_column(String(64))
    owner_after: Mapped[str] = mapped_column(String(64))
    ownership_rule: Mapped[str] = mapped_column(String(60))
    visited_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class TestDrive(Base):
    """A test drive (试乘试驾) in a fleet car, licence recorded, staff riding along."""

    __tablename__ = "test_drives"
    __test__ = False  # not a pytest test class

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    lead_id: Mapped[str] = mapped_column(ForeignKey("leads.id"), index=True)
    vin: Mapped[str] = mapped_column(String(17))
    driver_license_no: Mapped[str] = mapped_column(String(30))
    escort_id: Mapped[str] = mapped_column(String(64))
    consultant_id: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

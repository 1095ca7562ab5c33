"""Tables of consent (营销同意, with its history) and notices (优惠活动通知) with who received each."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from after_sales.models import Base, Customer, UtcDateTime, new_id
from shared.clock import utcnow


class ConsentChange(Base):
    """One statement of a customer's marketing consent: given or withdrawn, when and how (kept for PIPL)."""

    __tablename__ = "consent_changes"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), index=True)
    marketing: Mapped[bool] = mapped_column(Boolean)
    source: Mapped[str] = mapped_column(String(20))
    recorded_by: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class Notice(Base):
    """A notice (优惠活动通知) sent to a segment; only consenting customers are among its recipients."""

    __tablename__ = "notices"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    title: Mapped[str] = mapped_column(String(100))
    body: Mapped[str] = mapped_column(String(2000))
    segment: Mapped[dict[str, Any]] = mapped_column(JSON)
    recipients: Mapped[int] = mapped_column(Integer)
    sent_by: Mapped[str] = mapped_column(String(64))
    sent_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, index=True)


class NoticeRecipient(Base):
    """A customer a notice went to."""

    __tablename__ = "notice_recipients"

    notice_id: Mapped[str] = mapped_column(ForeignKey("notices.id"), primary_key=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), primary_key=True)
    customer: Mapped[Customer] = relationship(lazy="selectin")

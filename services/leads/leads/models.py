"""Tables the leads service owns."""
from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint
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
    merged_into: Mapped[str | None] = mapped_column(String(36))  # the surviving file, once merged as a duplicate


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
    # The agenda looks up each lead's latest follow-up: by lead, then time, read from the index alone.
    __table_args__ = (Index("ix_follow_ups_lead_id_at", "lead_id", "at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    lead_id: Mapped[str] = mapped_column(ForeignKey("leads.id"))
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
    campaign_id: Mapped[str | None] = mapped_column(String(36), index=True)  # attendance at a campaign (市场活动)


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


class DutyRoster(Base):
    """The consultants on duty on one of the store's local days (值班表), and whose turn the next DCC lead is.

    ``turn`` counts the leads the roster has handed out since its list was last set: taking a turn is one
    ``UPDATE ... SET turn = turn + 1`` of this row, so concurrent filings, in any process, get a turn each.
    """

    __tablename__ = "duty_rosters"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    consultant_ids: Mapped[list[str]] = mapped_column(JSON)
    turn: Mapped[int] = mapped_column(Integer, default=0)
    set_by: Mapped[str] = mapped_column(String(64))
    set_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class LeadStatusChange(Base):
    """One change of a lead's status or owner (lost, reopened, owner_changed, merged, converted), kept for its
    history; written in the transaction of the change itself."""

    __tablename__ = "lead_status_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    lead_id: Mapped[str] = mapped_column(ForeignKey("leads.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # domain.STATUS_CHANGES
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    by: Mapped[str | None] = mapped_column(String(64))  # None: an order's news (orders' events) made it
    status_before: Mapped[str | None] = mapped_column(String(12))
    status_after: Mapped[str | None] = mapped_column(String(12))
    owner_before: Mapped[str | None] = mapped_column(String(64))
    owner_after: Mapped[str | None] = mapped_column(String(64))
    rule: Mapped[str | None] = mapped_column(String(60))  # the ownership rule, or "reassigned by a manager"
    reason_code: Mapped[str | None] = mapped_column(String(20))
    competitor_brand: Mapped[str | None] = mapped_column(String(50))
    note: Mapped[str | None] = mapped_column(String(500))  # the loss's note (free text: shown masked as summaries)
    order_id: Mapped[str | None] = mapped_column(String(36))
    other_lead_id: Mapped[str | None] = mapped_column(String(36))  # merged: the duplicate, or the survivor


class Campaign(Base):
    """A store's campaign (市场活动): a motor show, an in-store event, an online campaign or outreach, over local
    days ``starts_on`` to ``ends_on`` (both included)."""

    __tablename__ = "campaigns"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20))  # campaigns.domain.CAMPAIGN_KINDS
    starts_on: Mapped[date] = mapped_column(Date, index=True)
    ends_on: Mapped[date] = mapped_column(Date)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class CampaignInvitation(Base):
    """A lead invited to a campaign (活动邀约): once per lead and campaign, the unique index decides."""

    __tablename__ = "campaign_invitations"
    __table_args__ = (UniqueConstraint("campaign_id", "lead_id", name="uq_campaign_invitations_campaign_lead"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    campaign_id: Mapped[str] = mapped_column(ForeignKey("campaigns.id"))
    lead_id: Mapped[str] = mapped_column(ForeignKey("leads.id"), index=True)
    invited_by: Mapped[str] = mapped_column(String(64))
    invited_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

"""Tables the reporting service owns: the event store, the projections built from it, and targets.

The event store keeps every event once (masked). Projections are either counts
keyed by day, metric and consultant, or one small row per entity (lead,
inquiry, appointment, order, sale, car, complaint, campaign and a lead at a
campaign) where a KPI needs a join. Targets, the staff directory, the sales groups
with their members over time, and rebuild runs are the service's own data: a rebuild never touches them.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    """The reporting service's own tables."""


class StoredEvent(Base):
    """One event as received, personal data masked (事件存储); the source of every projection."""

    __tablename__ = "event_store"
    __table_args__ = (UniqueConstraint("source", "event_id", name="uq_event_store_source_id"),)

    position: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True,
                                          autoincrement=True)
    source: Mapped[str] = mapped_column(String(60))
    event_id: Mapped[str] = mapped_column(String(36))
    event_type: Mapped[str] = mapped_column(String(120), index=True)
    subject: Mapped[str] = mapped_column(String(100))
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    body: Mapped[str] = mapped_column(Text)
    stored_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class DailyCount(Base):
    """How many of something happened on a store-local day, per consultant ('' when none).

    The funnel's stages are counted per consultant (the team's figure is their sum); the rates'
    counters here are the team's ('') and their per-consultant twins live beside them in
    ``consultant_day_counts`` (``reporting.projections.rates``), so the team's funnel reads as
    few rows as it did before there were any.
    """

    __tablename__ = "daily_counts"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    metric: Mapped[str] = mapped_column(String(40), primary_key=True)
    consultant_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"))


class InquiryFact(Base):
    """A logged call or walk-in and whether it was filed (建卡率)."""

    __tablename__ = "inquiry_facts"
    __table_args__ = (Index("ix_inquiry_facts_day_rate", "day", "channel", "filed"),)  # 建卡率 from the index alone

    inquiry_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    day: Mapped[date | None] = mapped_column(Date)
    channel: Mapped[str | None] = mapped_column(String(20))
    consultant_id: Mapped[str | None] = mapped_column(String(64))
    filed: Mapped[bool] = mapped_column(Boolean)  # led to a file by the end of the next local day (建卡率's numerator)
    on_file: Mapped[bool] = mapped_column(Boolean)  # the phone had a file when it was logged: on neither side
    filed_day: Mapped[date | None] = mapped_column(Date)  # the day the lead that lists it was filed


class AppointmentFact(Base):
    """An invitation to visit and whether a visit kept it (邀约到店率); a no-show (爽约) or a cancellation never is."""

    __tablename__ = "appointment_facts"
    __table_args__ = (Index("ix_appointment_facts_day_kept", "day", "kept"),)

    appointment_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    lead_id: Mapped[str | None] = mapped_column(String(36))
    day: Mapped[date | None] = mapped_column(Date)
    consultant_id: Mapped[str | None] = mapped_column(String(64))
    kept: Mapped[bool] = mapped_column(Boolean)  # a visit named it
    no_show: Mapped[bool] = mapped_column(Boolean)  # marked missed at the end of its day
    cancelled: Mapped[bool] = mapped_column(Boolean)


class LeadFact(Base):
    """What the rates need to know of one lead: filing, its visit and test-drive days, first order, its loss.

    A duplicate merged into another lead (``merged_into``) counts nowhere: its days and orders went to
    the survivor when the merge arrived, and its later events are the survivor's.
    """

    __tablename__ = "lead_facts"
    __table_args__ = (Index("ix_lead_facts_created_day_converted", "created_day", "converted_30d"),
                      Index("ix_lead_facts_first_visit_return", "first_visit_day", "return_visit_day"))

    lead_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    created_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_day: Mapped[date | None] = mapped_column(Date)
    owner_id: Mapped[str | None] = mapped_column(String(64))
    source: Mapped[str | None] = mapped_column(String(20))
    first_visit_day: Mapped[date | None] = mapped_column(Date)
    return_visit_day: Mapped[date | None] = mapped_column(Date)  # earliest visit numbered 2 or more
    first_order_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    converted_30d: Mapped[bool] = mapped_column(Boolean)
    visit_days: Mapped[str] = mapped_column(Text)  # the days it visited, ISO dates in order, space-separated
    test_drive_days: Mapped[str] = mapped_column(Text)  # the days it test-drove, the same way
    merged_into: Mapped[str | None] = mapped_column(String(36), index=True)  # the survivor (合并), when a duplicate
    lost_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # its latest loss (战败)
    lost_day: Mapped[date | None] = mapped_column(Date)
    lost_reason_code: Mapped[str | None] = mapped_column(String(20))
    competitor_brand: Mapped[str | None] = mapped_column(String(50))
    lost_owner_id: Mapped[str | None] = mapped_column(String(64))  # whose lead it was when lost
    reopened_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # latest reopening or conversion
    # how the store counts (建卡率, 30天转化率): reporting.projections.phones
    phone: Mapped[str | None] = mapped_column(String(20))  # as the event carries it (masked)
    filed_by: Mapped[str | None] = mapped_column(String(64))  # who filed it (received the customer)
    direct_contact: Mapped[bool] = mapped_column(Boolean)  # a walk-in or call filed with no inquiry logged first
    order_entries: Mapped[str] = mapped_column(Text)  # its orders not cancelled: "placed_at|order_id", space-separated


class DayPairCount(Base):
    """Leads counted by two of their days, so a rate counts each lead once over any range (再回展厅率, 试乘试驾率).

    ``reporting.projections.lead_days`` says which pairs: a first visit and the first return, or
    a day a lead visited (test-drove) and the previous such day.
    """

    __tablename__ = "day_pair_counts"

    metric: Mapped[str] = mapped_column(String(40), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    other_day: Mapped[date] = mapped_column(Date, primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"))


class ConsultantDayCount(Base):
    """The rates' day counters of one consultant (``daily_counts`` holds the team's): one consultant's funnel.

    Keyed by the consultant first, so one consultant's range is one stretch of the key.
    """

    __tablename__ = "consultant_day_counts"

    consultant_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    metric: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"))


class ConsultantDayPairCount(Base):
    """The day pairs of one consultant's leads (``day_pair_counts`` holds the team's), keyed by the consultant first."""

    __tablename__ = "consultant_day_pair_counts"

    consultant_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    metric: Mapped[str] = mapped_column(String(40), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    other_day: Mapped[date] = mapped_column(Date, primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"))


class LostReasonCount(Base):
    """Leads still lost, by the store-local day of their latest loss, reason, brand and owner (战败原因)."""

    __tablename__ = "lost_reason_counts"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    reason_code: Mapped[str] = mapped_column(String(20), primary_key=True)
    competitor_brand: Mapped[str] = mapped_column(String(50), primary_key=True)  # '' unless lost to a competitor
    consultant_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"))


class OrderFact(Base):
    """An order placed (订单) for a lead, and its store-local day: what a campaign's orders are judged by."""

    __tablename__ = "order_facts"

    order_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    lead_id: Mapped[str | None] = mapped_column(String(36), index=True)
    placed_day: Mapped[date | None] = mapped_column(Date)
    placed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    phone: Mapped[str | None] = mapped_column(String(20))  # the customer's phone as the event carries it (masked)
    cancelled: Mapped[bool] = mapped_column(Boolean)  # cancelled before delivery: counts for no lead's conversion
    phone_key: Mapped[str | None] = mapped_column(String(64))  # the phone's keyed pseudonym (号码密钥), when sent
    counted_for: Mapped[str | None] = mapped_column(String(36))  # naming no lead: the lead it counts for now


class PhoneFact(Base):
    """The lead filed under a phone, and the orders naming no lead that carry it (30天转化率).

    One row per phone key (号码密钥, exact) and one per masked phone (138****5678), which two customers
    may share. While one lead is filed under a row, the orders it matches count for that lead; once a
    second is, the row is ``ambiguous`` for good and they count for neither (a guess would be paid on).
    ``unkeyed_*``: the same over the leads whose event carried no key, the only ones an order with a
    key may fall back to (``reporting.projections.conversion``).
    """

    __tablename__ = "phone_facts"

    phone: Mapped[str] = mapped_column(String(64), primary_key=True)  # the masked phone, or a phone key
    lead_id: Mapped[str | None] = mapped_column(String(36))
    ambiguous: Mapped[bool] = mapped_column(Boolean)
    order_entries: Mapped[str] = mapped_column(Text)  # orders naming no lead, not cancelled: "placed_at|order_id"
    unkeyed_lead_id: Mapped[str | None] = mapped_column(String(36))
    unkeyed_ambiguous: Mapped[bool] = mapped_column(Boolean)


class CampaignFact(Base):
    """A campaign (市场活动) the store ran: a motor show, an in-store event, online, outreach."""

    __tablename__ = "campaign_facts"

    campaign_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str | None] = mapped_column(String(100))
    kind: Mapped[str | None] = mapped_column(String(20))
    starts_on: Mapped[date | None] = mapped_column(Date, index=True)
    ends_on: Mapped[date | None] = mapped_column(Date)


class CampaignLeadFact(Base):
    """A lead at a campaign: invited (活动邀约) and the day it first arrived naming it (到店).

    Keyed by ``campaign_id lead_id`` in one column, as every row the projections read is.
    """

    __tablename__ = "campaign_lead_facts"

    campaign_lead: Mapped[str] = mapped_column(String(80), primary_key=True)
    campaign_id: Mapped[str] = mapped_column(String(36), index=True)
    lead_id: Mapped[str] = mapped_column(String(36))
    invited: Mapped[bool] = mapped_column(Boolean)
    arrived_day: Mapped[date | None] = mapped_column(Date)


class SaleFact(Base):
    """A delivered order (交车): a unit sold and its price."""

    __tablename__ = "sale_facts"
    __table_args__ = (Index("ix_sale_facts_day_sales", "day",  # each breakdown of a month from the index alone
                            postgresql_include=["model", "color", "consultant_id", "lead_id", "price"]),)

    order_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    delivered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    day: Mapped[date] = mapped_column(Date)
    consultant_id: Mapped[str] = mapped_column(String(64))
    lead_id: Mapped[str | None] = mapped_column(String(36))
    model: Mapped[str] = mapped_column(String(100))
    trim: Mapped[str] = mapped_column(String(100))
    color: Mapped[str] = mapped_column(String(60))
    price: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    model_class: Mapped[str | None] = mapped_column(String(20))  # 车型大类 (SUV, sedan...), when orders said it


class VehicleFact(Base):
    """One car's place in stock, from inventory's events (库存)."""

    __tablename__ = "vehicle_facts"

    vin: Mapped[str] = mapped_column(String(17), primary_key=True)
    model: Mapped[str | None] = mapped_column(String(100))
    trim: Mapped[str | None] = mapped_column(String(100))
    color: Mapped[str | None] = mapped_column(String(60))
    kind: Mapped[str | None] = mapped_column(String(20))
    location: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str | None] = mapped_column(String(30), index=True)
    status_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    arrived_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ComplaintFact(Base):
    """A complaint's life: opened, escalated, resolved (投诉)."""

    __tablename__ = "complaint_facts"

    complaint_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    severity: Mapped[str | None] = mapped_column(String(20))
    category: Mapped[str | None] = mapped_column(String(60))
    opened_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    opened_day: Mapped[date | None] = mapped_column(Date, index=True)
    escalated_day: Mapped[date | None] = mapped_column(Date, index=True)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resolved_day: Mapped[date | None] = mapped_column(Date, index=True)


class CarDueFact(Base):
    """A customer's car and its next maintenance due date (保养提醒), from the latest record."""

    __tablename__ = "car_due_facts"

    vin: Mapped[str] = mapped_column(String(17), primary_key=True)
    customer_id: Mapped[str | None] = mapped_column(String(36))
    model: Mapped[str | None] = mapped_column(String(100))
    next_due_on: Mapped[date | None] = mapped_column(Date, index=True)
    basis_on: Mapped[date | None] = mapped_column(Date)  # the delivery or service date that set it


class Target(Base):
    """A consultant's unit target for a month (任务分配表), set by a sales manager."""

    __tablename__ = "targets"

    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    consultant_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    units: Mapped[int] = mapped_column(Integer)
    by_model_class: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # units per 车型大类, when the manager split it
    set_by: Mapped[str] = mapped_column(String(64))
    set_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class StaffMember(Base):
    """Someone on the store's staff (员工名录), kept by the sales managers; the id is the ``sub`` of their token."""

    __tablename__ = "staff"

    staff_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(Boolean)
    updated_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SalesGroup(Base):
    """A sales group (小组) led by a supervisor (主管); its members are in ``group_memberships``."""

    __tablename__ = "sales_groups"

    group_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    supervisor_id: Mapped[str] = mapped_column(String(64))
    updated_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class GroupMembership(Base):
    """A member in a group from a store-local day (``from_day``) until the day they left (``until_day``, not
    included; None: still there). A member's rows never overlap: one group at a time."""

    __tablename__ = "group_memberships"
    __table_args__ = (Index("ix_group_memberships_group_days", "group_id", "from_day"),
                      Index("ix_group_memberships_staff_days", "staff_id", "from_day"))

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True)
    group_id: Mapped[str] = mapped_column(String(64))
    staff_id: Mapped[str] = mapped_column(String(64))
    from_day: Mapped[date] = mapped_column(Date)
    until_day: Mapped[date | None] = mapped_column(Date)


class RebuildRun(Base):
    """A rebuild of every projection asked for by ops, and how far it has got."""

    __tablename__ = "rebuild_runs"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    status: Mapped[str] = mapped_column(String(12), index=True)  # pending, running, done, failed
    processed: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"))
    total: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"))
    requested_by: Mapped[str] = mapped_column(String(64))
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    error: Mapped[str | None] = mapped_column(String(500))


class FeedCursor(Base):
    """How far backfill has read each department's event feed."""

    __tablename__ = "feed_cursors"

    service: Mapped[str] = mapped_column(String(30), primary_key=True)
    position: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"))


PROJECTIONS = (DailyCount, DayPairCount, ConsultantDayCount, ConsultantDayPairCount, LostReasonCount, InquiryFact,
               AppointmentFact, LeadFact, OrderFact, SaleFact, VehicleFact, ComplaintFact, CarDueFact, CampaignFact,
               CampaignLeadFact, PhoneFact)


# -- Meetings, the scorecard template and weekly plans (晨会/夕会, 绩效考核表, 周计划): managers' and supervisors'
# inputs, like the targets; never in PROJECTIONS, so a rebuild keeps them.

class Meeting(Base):
    """A group's meeting as its supervisor recorded it (晨会, 夕会, 周会); minutes kept masked."""

    __tablename__ = "meetings"
    __table_args__ = (Index("ix_meetings_group_day", "group_id", "held_day"),)

    meeting_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    group_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(10))  # morning, evening, weekly
    held_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    held_day: Mapped[date] = mapped_column(Date)  # the store-local day it was held
    minutes: Mapped[str] = mapped_column(Text)
    attendees: Mapped[list[str]] = mapped_column(JSON)
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ScorecardTemplate(Base):
    """A month's scorecard sheet (绩效考核表), working days and per-class deductions (扣发), when changed."""

    __tablename__ = "scorecard_templates"

    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    lines: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # [{"line", "weight", "target"}], Decimals as text
    working_days: Mapped[list[int]] = mapped_column(JSON)  # ISO weekdays, 1 = Monday
    class_deductions: Mapped[dict[str, str]] = mapped_column(JSON)  # model class -> CNY, as text
    set_by: Mapped[str] = mapped_column(String(64))
    set_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class WeeklyPlan(Base):
    """A supervisor's plan for the next week, written on a week's progress report (周销售进度)."""

    __tablename__ = "weekly_plans"

    week: Mapped[str] = mapped_column(String(8), primary_key=True)  # ISO week, 2026-W48
    group_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    plan: Mapped[str] = mapped_column(Text)
    written_by: Mapped[str] = mapped_column(String(64))
    written_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


# -- The back office's paperwork and after-sales for every car (DOMAIN.md round 2): projections like those above,
# one row per loan-and-policy order, reminder call, service appointment, questionnaire, customer and notice, so the
# figures come out the same whatever order the events arrive in (``reporting.projections.paperwork``, ``.care``).

class PaperworkFact(Base):
    """An order's paperwork as far as the sales report counts it: a loan disbursed (贷款放款), policies the store
    arranged (交强险, 商业险); whether the order was delivered is ``sale_facts``' to say."""

    __tablename__ = "paperwork_facts"

    order_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    loan_disbursed: Mapped[bool] = mapped_column(Boolean)
    compulsory_insurance: Mapped[bool] = mapped_column(Boolean)  # 交强险 arranged by the store
    commercial_insurance: Mapped[bool] = mapped_column(Boolean)  # 商业险 arranged by the store


class ReminderCallFact(Base):
    """One maintenance reminder call (保养提醒) and its outcome; keyed by ``reminder_id called_at`` in one column."""

    __tablename__ = "reminder_call_facts"

    call_key: Mapped[str] = mapped_column(String(80), primary_key=True)
    day: Mapped[date | None] = mapped_column(Date, index=True)  # store-local day of the call
    outcome: Mapped[str | None] = mapped_column(String(20))  # booked, declined, no_answer, wrong_number
    called_by: Mapped[str | None] = mapped_column(String(64))


class ServiceAppointmentFact(Base):
    """A service appointment (预约) counted on the day it was booked, and whether it was kept, missed or cancelled."""

    __tablename__ = "service_appointment_facts"

    appointment_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    booked_day: Mapped[date | None] = mapped_column(Date, index=True)
    scheduled_day: Mapped[date | None] = mapped_column(Date)
    kind: Mapped[str | None] = mapped_column(String(20))
    kept: Mapped[bool] = mapped_column(Boolean)
    missed: Mapped[bool] = mapped_column(Boolean)  # 爽约: not kept by the end of its day
    cancelled: Mapped[bool] = mapped_column(Boolean)


class QuestionnaireFact(Base):
    """A return visit's questionnaire (回访问卷): three 1–5 answers (CSI) and would-recommend 0–10 (NPS)."""

    __tablename__ = "questionnaire_facts"

    return_visit_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    day: Mapped[date | None] = mapped_column(Date, index=True)  # store-local day it was completed
    consultant_id: Mapped[str | None] = mapped_column(String(64))  # who sold the car, when it was sold here
    sales_process: Mapped[int | None] = mapped_column(Integer)
    delivery: Mapped[int | None] = mapped_column(Integer)
    facility: Mapped[int | None] = mapped_column(Integer)
    recommend: Mapped[int | None] = mapped_column(Integer)


class CustomerFact(Base):
    """An after-sales customer file (客户档案): bought here or elsewhere (外购车), when filed, and the latest grade."""

    __tablename__ = "customer_facts"

    customer_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    source: Mapped[str | None] = mapped_column(String(10))  # sale, walk_in
    filed_day: Mapped[date | None] = mapped_column(Date, index=True)
    grade: Mapped[str | None] = mapped_column(String(10))  # vip, first (一级), second (二级), other
    graded_on: Mapped[date | None] = mapped_column(Date)  # the day the grade was given: the latest wins
    graded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # its event's time, between equal days


class NoticeFact(Base):
    """A notice (优惠活动通知) sent to a segment of consenting customers: how many it reached, no one's name."""

    __tablename__ = "notice_facts"

    notice_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    sent_day: Mapped[date | None] = mapped_column(Date, index=True)
    recipients: Mapped[int] = mapped_column(Integer)


PROJECTIONS = (*PROJECTIONS, PaperworkFact, ReminderCallFact, ServiceAppointmentFact, QuestionnaireFact, CustomerFact,
               NoticeFact)  # a rebuild clears and refills these too

"""Tables of the reminder desk: reminders (保养提醒), the calls made on them and service appointments (预约)."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from after_sales.models import Base, Customer, UtcDateTime, Vehicle, new_id
from shared.clock import utcnow


class Reminder(Base):
    """One due service of one car: open until a call books, declines or finds a wrong number, or a service is done."""

    __tablename__ = "reminders"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    vin: Mapped[str] = mapped_column(ForeignKey("vehicles.vin"), index=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), index=True)
    due_on: Mapped[date] = mapped_column(Date)  # plan months after the last service
    due_km: Mapped[int] = mapped_column(Integer)
    remind_on: Mapped[date] = mapped_column(Date, index=True)  # the earlier of due_on and the projected km date
    status: Mapped[str] = mapped_column(String(15), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)  # calls made, no answer included
    last_outcome: Mapped[str | None] = mapped_column(String(15))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    vehicle: Mapped[Vehicle] = relationship(lazy="selectin")
    customer: Mapped[Customer] = relationship(lazy="selectin")


class ReminderCall(Base):
    """A reminder call made (保养提醒电话) and its outcome."""

    __tablename__ = "reminder_calls"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    reminder_id: Mapped[str] = mapped_column(ForeignKey("reminders.id"), index=True)
    outcome: Mapped[str] = mapped_column(String(15))
    note: Mapped[str] = mapped_column(String(500), default="")
    appointment_id: Mapped[str | None] = mapped_column(String(36))
    called_at: Mapped[datetime] = mapped_column(UtcDateTime())
    called_by: Mapped[str] = mapped_column(String(64))


class ServiceAppointment(Base):
    """A booked service visit (预约): kept when the car arrives, missed when its local day ends without it."""

    __tablename__ = "service_appointments"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), index=True)
    vin: Mapped[str] = mapped_column(ForeignKey("vehicles.vin"), index=True)
    scheduled_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    kind: Mapped[str] = mapped_column(String(15))
    status: Mapped[str] = mapped_column(String(10), index=True)
    reminder_id: Mapped[str | None] = mapped_column(String(36))
    booked_by: Mapped[str] = mapped_column(String(64))
    booked_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    cancel_reason: Mapped[str | None] = mapped_column(String(500))
    customer: Mapped[Customer] = relationship(lazy="selectin")

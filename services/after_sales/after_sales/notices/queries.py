"""Who a notice may go to, and the lists of notices and their recipients."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import Select, exists, select

from after_sales.maintenance.models import Reminder
from after_sales.models import Customer, Vehicle
from after_sales.notices.models import ConsentChange, Notice, NoticeRecipient

DUE_WITHIN_DAYS = 30  # as the reminder desk's default window


def segment(segment: dict[str, Any], today: date) -> Select[Any]:
    """Customers in the segment who agreed to marketing (营销同意): no one else ever receives a notice."""
    query = select(Customer.id).where(Customer.marketing_consent.is_(True)).order_by(Customer.id)
    if "grade" in segment:
        query = query.where(Customer.grade == segment["grade"])
    if "model" in segment:
        query = query.where(exists().where(Vehicle.customer_id == Customer.id,
                                           Vehicle.model == segment["model"].strip()))
    if "due_for_service" in segment:
        due = exists().where(Reminder.customer_id == Customer.id, Reminder.status == "open",
                             Reminder.remind_on <= today + timedelta(days=DUE_WITHIN_DAYS))
        query = query.where(due if segment["due_for_service"] else ~due)
    return query


def consent_history(customer_id: str) -> Select[Any]:
    """Every consent statement of a customer, oldest first."""
    return select(ConsentChange).where(ConsentChange.customer_id == customer_id).order_by(ConsentChange.at,
                                                                                          ConsentChange.id)


def notices() -> Select[Any]:
    """Notices, the newest first."""
    return select(Notice).order_by(Notice.sent_at.desc(), Notice.id)


def recipients(notice_id: str) -> Select[Any]:
    """A notice's recipients, by name."""
    return (select(NoticeRecipient).join(Customer, Customer.id == NoticeRecipient.customer_id)
            .where(NoticeRecipient.notice_id == notice_id).order_by(Customer.name, Customer.id))

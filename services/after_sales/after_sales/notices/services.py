"""Use cases of marketing consent (PIPL 个人信息保护法) and notices (优惠活动通知), one transaction each.

Consent is recorded with its time and source and may be withdrawn at any time; every statement that changes it
is kept (the history), and a statement that repeats the current one changes nothing. A notice goes only to the
customers of its segment who consent at the moment it is sent; its recipients are kept with it.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from after_sales import events
from after_sales.customers.services import get_customer
from after_sales.models import Customer, new_id
from after_sales.notices import queries
from after_sales.notices.models import ConsentChange, Notice, NoticeRecipient
from shared.actors import Actor
from shared.clock import utcnow
from shared.domain import NotFound


def record_consent(session: Session, customer_id: str, data: dict[str, Any], actor: Actor) -> Customer:
    """Record marketing consent given or withdrawn, with its source and time; a repeat changes nothing."""
    customer = get_customer(session, customer_id)
    session.refresh(customer, with_for_update=True)
    if customer.marketing_consent == data["marketing"] and customer.consent_at is not None:
        return customer
    at = utcnow()
    customer.marketing_consent, customer.consent_at = data["marketing"], at
    session.add(ConsentChange(id=new_id(), customer_id=customer.id, marketing=data["marketing"],
                              source=data["source"], recorded_by=actor.sub, at=at))
    events.publish(session, events.CONSENT_CHANGED, customer.id,
                   events.consent_changed(customer.id, data["marketing"], data["source"], at))
    session.commit()
    return customer


def consent_of(session: Session, customer_id: str) -> dict[str, Any]:
    """A customer's consent now and its history, oldest first."""
    customer = get_customer(session, customer_id)
    history = session.scalars(queries.consent_history(customer.id)).all()
    return {"customer_id": customer.id, "marketing": customer.marketing_consent, "at": customer.consent_at,
            "history": history}


def send_notice(session: Session, data: dict[str, Any], actor: Actor, today: date) -> Notice:
    """Send a notice to the consenting customers of its segment; keep who received it."""
    segment = {key: value.strip() if isinstance(value, str) else value for key, value in data["segment"].items()}
    customer_ids = session.scalars(queries.segment(segment, today)).all()
    notice = Notice(id=new_id(), title=data["title"].strip(), body=data["body"].strip(), segment=segment,
                    recipients=len(customer_ids), sent_by=actor.sub, sent_at=utcnow())
    session.add(notice)
    session.flush()
    session.add_all(NoticeRecipient(notice_id=notice.id, customer_id=cid) for cid in customer_ids)
    events.publish(session, events.NOTICE_SENT, notice.id,
                   events.notice_sent(notice.id, segment, notice.recipients, notice.sent_at))
    session.commit()
    return notice


def get_notice(session: Session, notice_id: str) -> Notice:
    """A notice by id, or 404."""
    notice = session.get(Notice, notice_id)
    if notice is None:
        raise NotFound(f"No notice {notice_id}.")
    return notice

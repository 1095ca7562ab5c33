"""Use cases of customer grades (客户等级): what a customer spent in the last 12 months decides it.

A file is regraded whenever its spend changes (a delivery, a service record) and by the worker once a day,
since spend leaves the 12-month window with time alone. ``after_sales.customer.graded`` is written only when
the grade changes, so a second run of the day writes nothing.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from after_sales import domain, events
from after_sales.domain import AfterSalesPolicy
from after_sales.models import Customer, ServiceRecord

GRADING_BATCH = 500


def regrade(session: Session, customer: Customer, policy: AfterSalesPolicy, today: date,
            announce: bool = True) -> str:
    """Recompute the customer's spend (lifetime and last 12 months) and grade; announce a changed grade."""
    session.flush()
    start = domain.spend_window_start(today)
    cars = [(v.price, v.delivered_on) for v in customer.vehicles if v.price is not None]
    services = session.execute(select(ServiceRecord.cost, ServiceRecord.service_date)
                               .where(ServiceRecord.customer_id == customer.id)).all()
    customer.total_spent = domain.customer_spend([p for p, _ in cars], [c for c, _ in services])
    customer.spend_12m = domain.customer_spend([p for p, on in cars if on >= start],
                                               [c for c, on in services if on >= start])
    previous, customer.grade = customer.grade, domain.customer_grade(customer.spend_12m, policy)
    customer.graded_on = today
    if announce and previous != customer.grade:
        events.publish(session, events.CUSTOMER_GRADED, customer.id,
                       events.customer_graded(customer, previous, today))
    return customer.grade


def regrade_everyone(session: Session, policy: AfterSalesPolicy, today: date) -> int:
    """The daily grading: every file not yet graded today, in batches; returns how many grades changed."""
    changed = 0
    while True:
        batch = session.scalars(select(Customer).where(
            (Customer.graded_on.is_(None)) | (Customer.graded_on < today)).order_by(Customer.id)
            .limit(GRADING_BATCH)).all()
        for customer in batch:
            before = customer.grade
            changed += regrade(session, customer, policy, today) != before
        session.commit()
        if len(batch) < GRADING_BATCH:
            return changed


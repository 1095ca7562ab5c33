"""After-sales events: satisfaction (CSI), complaints and maintenance due dates (售后)."""
from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from reporting.dates import local_day, parse_date, parse_time
from reporting.models import CarDueFact, ComplaintFact
from reporting.projections.common import Projector, business_day, business_time, earliest, text
from reporting.projections.facts import Facts, count


def return_visit_completed(event: dict[str, Any], facts: Facts, tz: ZoneInfo) -> None:
    """A return call (回访) and the satisfaction it recorded: CSI is their mean."""
    satisfaction = event["data"].get("satisfaction")
    if not isinstance(satisfaction, int) or isinstance(satisfaction, bool):
        return
    day = business_day(event, "completed_at", tz)
    count(facts, day, "return_visits")
    count(facts, day, "satisfaction_points", by=satisfaction)


def _complaint(event: dict[str, Any], facts: Facts) -> ComplaintFact:
    return facts.row(ComplaintFact, complaint_id=text(event["data"], "complaint_id", event.get("subject", "")))


def complaint_opened(event: dict[str, Any], facts: Facts, tz: ZoneInfo) -> None:
    """A complaint (投诉) opened, with its severity."""
    data, complaint = event["data"], _complaint(event, facts)
    complaint.severity, complaint.category = text(data, "severity"), text(data, "category")
    complaint.opened_at = business_time(event, "opened_at")
    complaint.opened_day = local_day(complaint.opened_at, tz)


def complaint_escalated(event: dict[str, Any], facts: Facts, tz: ZoneInfo) -> None:
    """Not resolved within its time limit: escalated (first escalation counts)."""
    complaint = _complaint(event, facts)
    complaint.escalated_day = earliest(complaint.escalated_day, business_day(event, "escalated_at", tz))


def complaint_resolved(event: dict[str, Any], facts: Facts, tz: ZoneInfo) -> None:
    """Resolved with a note; the time to resolve runs from its opening."""
    data, complaint = event["data"], _complaint(event, facts)
    complaint.resolved_at = business_time(event, "resolved_at")
    complaint.resolved_day = local_day(complaint.resolved_at, tz)
    opened_at = parse_time(data.get("opened_at"))
    if complaint.opened_at is None and opened_at is not None:
        complaint.opened_at, complaint.opened_day = opened_at, local_day(opened_at, tz)


def _set_due(event: dict[str, Any], facts: Facts, basis_field: str, tz: ZoneInfo) -> None:
    """The latest record (delivery or service) sets the car's next maintenance date (保养提醒)."""
    data = event["data"]
    car = facts.row(CarDueFact, vin=text(data, "vin", event.get("subject", "")).upper())
    car.customer_id = data.get("customer_id") or car.customer_id
    car.model = data.get("model") or car.model
    basis = parse_date(data.get(basis_field)) or business_day(event, basis_field, tz)
    if car.basis_on is None or basis >= car.basis_on:
        car.basis_on, car.next_due_on = basis, parse_date(data.get("next_due_on"))


def customer_created(event: dict[str, Any], facts: Facts, tz: ZoneInfo) -> None:
    """A customer file opened on delivery: the first service falls due."""
    _set_due(event, facts, "delivered_on", tz)


def service_recorded(event: dict[str, Any], facts: Facts, tz: ZoneInfo) -> None:
    """A service done: the next one falls due."""
    _set_due(event, facts, "service_date", tz)


PROJECTORS: dict[str, Projector] = {
    "after_sales.return_visit.completed": return_visit_completed,
    "after_sales.complaint.opened": complaint_opened,
    "after_sales.complaint.escalated": complaint_escalated,
    "after_sales.complaint.resolved": complaint_resolved,
    "after_sales.customer.created": customer_created,
    "after_sales.vehicle.added": customer_created,
    "after_sales.service.recorded": service_recorded,
}

"""Use cases of the leads service: one transaction each, events written to the outbox in it."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, attributes

from leads import domain, events
from leads.campaigns.queries import running_campaign
from leads.models import Appointment, FollowUp, Inquiry, Lead, TestDrive, Visit
from leads.roster.services import take_turn
from leads.status_history import record_change, record_owner_change
from shared.actors import Actor
from shared.business_time import aware, business_time, store_zone
from shared.clock import utcnow
from shared.domain import DomainError, InvalidInput, NotFound

VehicleKindLookup = Callable[[str], "str | None"]
NO_SHOW_BATCH = 200  # appointments marked missed per transaction
REGISTER_FIELDS = ("name", "model_interest", "budget", "purchase_timeframe")  # the call register's columns


class DuplicateLead(DomainError):
    """One customer, one file: this phone already has a lead."""

    def __init__(self, existing_lead_id: str) -> None:
        super().__init__("A lead with this phone already exists (one customer, one file).",
                         existing_lead_id=existing_lead_id)


def get_lead(session: Session, lead_id: str) -> Lead:
    """A lead by id, or 404."""
    lead = session.get(Lead, lead_id)
    if lead is None:
        raise NotFound(f"No lead {lead_id}.")
    return lead


def lead_of_phone(session: Session, phone: str) -> str | None:
    """The lead filed under a phone: the surviving one when that file was merged as a duplicate (same person)."""
    found = session.execute(select(Lead.id, Lead.merged_into).where(Lead.phone == phone)).first()
    return None if found is None else found.merged_into or found.id


def log_inquiry(session: Session, data: dict[str, Any], actor: Actor) -> Inquiry:
    """Log a call or walk-in; it is filed at once when the phone already has a lead."""
    existing = lead_of_phone(session, data["phone"]) if data["phone"] else None
    inquiry = Inquiry(channel=data["channel"], phone=data["phone"], note=data["note"], lead_id=existing,
                      received_by=actor.sub, received_at=business_time(data.get("occurred_at")),
                      **{field: data.get(field) for field in REGISTER_FIELDS})
    session.add(inquiry)
    session.flush()
    events.publish(session, "leads.inquiry.received", inquiry.id, events.inquiry_received(inquiry))
    session.commit()
    return inquiry


def file_lead(session: Session, data: dict[str, Any], actor: Actor) -> Lead:
    """File a customer (建卡); the phone must be new. A consultant owns what it files; a manager or the DCC may
    name the owner; the DCC's lead otherwise goes to the consultant on duty that day whose turn it is.

    The phone's unique index decides "one customer, one file" (no read before the insert:
    two clerks filing the same customer at once get one lead and one 409 either way).
    """
    assignment = domain.owner_on_filing(actor.sub, actor.role, actor.is_manager, data.get("owner_id"))
    domain.check_referrer(data["source"], data.get("referrer_phone"), data["phone"])
    now = business_time(data.get("occurred_at"))
    owner = assignment.owner_id or take_turn(session, now.astimezone(store_zone()).date())
    lead = Lead(name=data["name"], phone=data["phone"], id_number=data.get("id_number"), source=data["source"],
                referrer_phone=data.get("referrer_phone"),
                model_interest=data["model_interest"], level=data["level"], status="potential", owner_id=owner,
                created_by=actor.sub, created_at=now, owner_last_contact_at=now,
                served_by=domain.add_served("", owner), visits=0)
    session.add(lead)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        existing = lead_of_phone(session, data["phone"])
        if existing is None:
            raise
        raise DuplicateLead(existing) from None
    inquiry_ids = _file_inquiries(session, lead, data.get("inquiry_id"))
    events.publish(session, "leads.lead.created", lead.id,
                   events.lead_created(lead, inquiry_ids, assignment.assigned_by))
    if lead.source == "walk_in":  # a walk-in's filing is its first arrival at the showroom
        _record_visit(session, lead, owner, None, None, now, first=True)
    session.commit()
    return lead


def _file_inquiries(session: Session, lead: Lead, inquiry_id: str | None) -> list[str]:
    """Link the inquiries this customer made before being filed (for the filing rate)."""
    query = select(Inquiry).where(Inquiry.lead_id.is_(None), Inquiry.phone == lead.phone)
    found = list(session.scalars(query))
    if inquiry_id:
        named = session.get(Inquiry, inquiry_id)
        if named is None:
            raise InvalidInput("inquiry_id", "no such inquiry")
        if named.lead_id is None and named not in found:
            found.append(named)
    for inquiry in found:
        inquiry.lead_id = lead.id
    return [inquiry.id for inquiry in found]


def _touch(lead: Lead, actor_id: str, at: datetime) -> None:
    """Remember who served the customer, and when the owner last made contact."""
    lead.served_by = domain.add_served(lead.served_by, actor_id)
    # An older paper record keyed in late never moves the owner's last contact back.
    if actor_id == lead.owner_id and at >= aware(lead.owner_last_contact_at):
        lead.owner_last_contact_at = at


def _lead_to_work_on(session: Session, lead_id: str, actor: Actor) -> Lead:
    """A lead the caller may write to: 404 when missing, 403 for a consultant who does not own it."""
    lead = get_lead(session, lead_id)
    domain.check_may_work_on(lead.owner_id, actor.sub, actor.is_manager)
    return lead


def _when(lead: Lead, data: dict[str, Any]) -> datetime:
    """The business time of work on a lead: now, or a past record's time, never before the filing."""
    return business_time(data.get("occurred_at"), lead.created_at, "the customer's filing")


def follow_up(session: Session, lead_id: str, data: dict[str, Any], actor: Actor) -> FollowUp:
    """Record a follow-up (跟进) and the next one's date."""
    lead = _lead_to_work_on(session, lead_id, actor)
    domain.check_open(lead.status)
    item = FollowUp(lead_id=lead.id, channel=data["channel"], summary=data["summary"],
                    next_follow_up_at=data["next_follow_up_at"], by=actor.sub, at=_when(lead, data))
    session.add(item)
    _touch(lead, actor.sub, item.at)
    session.flush()
    events.publish(session, "leads.lead.followed_up", lead.id, events.followed_up(item, lead.owner_id))
    session.commit()
    return item


def book_appointment(session: Session, lead_id: str, data: dict[str, Any], actor: Actor) -> Appointment:
    """Invite the customer to the store (邀约到店), for a time after the booking (never in the past).

    The DCC invites on any lead without serving it: a DCC agent is never among those who served the customer
    (the ownership rule's clause 4), since they own no lead.
    """
    lead = get_lead(session, lead_id)
    domain.check_may_invite(lead.owner_id, actor.sub, actor.role, actor.is_manager)
    domain.check_open(lead.status)
    booked_at = _when(lead, data)
    domain.check_scheduled_after_booking(data["scheduled_at"], booked_at)
    item = Appointment(lead_id=lead.id, scheduled_at=data["scheduled_at"], purpose=data["purpose"],
                       booked_by=actor.sub, booked_at=booked_at, status="booked")
    session.add(item)
    if actor.role != domain.DCC:
        _touch(lead, actor.sub, item.booked_at)
    session.flush()
    events.publish(session, "leads.appointment.booked", lead.id, events.appointment_booked(item, lead.owner_id))
    session.commit()
    return item


def record_visit(session: Session, lead_id: str, data: dict[str, Any], actor: Actor) -> Visit:
    """Record an arrival (到店) and apply the ownership rule."""
    lead = get_lead(session, lead_id)  # any consultant may receive the customer: no owner check here
    receiving = domain.receiving_consultant(actor.sub, actor.is_manager, data["consultant_id"])
    domain.check_open(lead.status)
    at = _when(lead, data)
    campaign_id = _campaign_attended(session, data.get("campaign_id"), at)
    visit = _record_visit(session, lead, receiving, data["appointment_id"], data["requested_consultant_id"], at,
                          campaign_id=campaign_id)
    session.commit()
    return visit


def _campaign_attended(session: Session, campaign_id: str | None, at: datetime) -> str | None:
    """The campaign a visit names (attendance, 活动到店): one running on the visit's local day; 422 otherwise."""
    if campaign_id is None:
        return None
    return running_campaign(session, campaign_id, at.astimezone(store_zone()).date()).id


def _record_visit(session: Session, lead: Lead, receiving: str, appointment_id: str | None,
                  requested: str | None, at: datetime, first: bool = False, campaign_id: str | None = None) -> Visit:
    appointment = _appointment_of(session, lead, appointment_id)
    previous = lead.owner_id
    if first:
        decision = domain.OwnershipDecision(previous, "1: the consultant who filed the customer keeps the file")
    else:
        decision = domain.decide_owner_on_visit(
            previous, aware(lead.owner_last_contact_at), at, receiving, requested,
            appointment is not None and appointment.booked_by == previous, domain.served(lead.served_by))
    lead.visits += 1
    visit = Visit(lead_id=lead.id, consultant_id=receiving, appointment_id=appointment_id,
                  requested_consultant_id=requested, visit_number=lead.visits, owner_before=previous,
                  owner_after=decision.owner_id, ownership_rule=decision.rule, visited_at=at,
                  campaign_id=campaign_id)
    session.add(visit)
    session.flush()
    if appointment is not None:
        appointment.kept_visit_id, appointment.status = visit.id, "kept"
    lead.owner_id = decision.owner_id
    _touch(lead, receiving, at)
    events.publish(session, "leads.visit.recorded", lead.id, events.visit_recorded(visit))
    if decision.changed_from(previous):
        record_owner_change(session, lead, previous, receiving, at, decision.rule)
        events.publish(session, "leads.lead.reassigned", lead.id,
                       events.owner_changed(lead, previous, receiving, decision.rule))
    return visit


def _appointment_of(session: Session, lead: Lead, appointment_id: str | None) -> Appointment | None:
    if appointment_id is None:
        return None
    appointment = session.get(Appointment, appointment_id)
    if appointment is None or appointment.lead_id != lead.id:
        raise InvalidInput("appointment_id", "no such appointment for this lead")
    if appointment.kept_visit_id is not None:
        raise DomainError("This appointment was already kept by an earlier visit.")
    if appointment.status != "booked":  # a missed one counts as not kept (爽约), a cancelled one was never due
        raise DomainError(f"This appointment is {appointment.status}; record the visit without appointment_id.")
    return appointment


def record_test_drive(session: Session, lead_id: str, data: dict[str, Any], actor: Actor,
                      vehicle_kind: VehicleKindLookup) -> TestDrive:
    """Record a test drive (试乘试驾) after checking the rule and the car with inventory."""
    lead = _lead_to_work_on(session, lead_id, actor)
    domain.check_open(lead.status)
    vin = data["vin"].strip().upper()
    domain.check_test_drive(data["driver_license_no"], data["escort_id"], vehicle_kind(vin))
    drive = TestDrive(lead_id=lead.id, vin=vin, driver_license_no=data["driver_license_no"],
                      escort_id=data["escort_id"], consultant_id=actor.sub, at=_when(lead, data))
    session.add(drive)
    _touch(lead, actor.sub, drive.at)
    session.flush()
    events.publish(session, "leads.test_drive.completed", lead.id, events.test_drive_completed(drive, lead.owner_id))
    session.commit()
    return drive


def mark_lost(session: Session, lead_id: str, data: dict[str, Any], actor: Actor) -> Lead:
    """Close a lead as lost (战败) with its reason from the list, remembering its stage for a reopening."""
    lead = _lead_to_work_on(session, lead_id, actor)
    brand, lost_at = data.get("competitor_brand"), utcnow()
    lead.status, lead.status_before_lost = domain.mark_lost(lead.status, data["reason_code"], brand), lead.status
    lead.lost_reason_code, lead.competitor_brand = data["reason_code"], brand.strip() if brand else None
    lead.lost_reason = (data.get("note") or "").strip() or None
    record_change(session, lead, "lost", actor.sub, lost_at, status_before=lead.status_before_lost,
                  status_after=lead.status, reason_code=lead.lost_reason_code,
                  competitor_brand=lead.competitor_brand, note=lead.lost_reason)
    events.publish(session, "leads.lead.lost", lead.id, events.lost(lead, actor.sub, lost_at))
    session.commit()
    return lead


def reopen(session: Session, lead_id: str, actor: Actor) -> Lead:
    """Reopen a lost lead (its owner or a manager): it goes back to its stage and works as before."""
    lead = _lead_to_work_on(session, lead_id, actor)
    reopened_at, before = utcnow(), lead.status
    lead.status = domain.reopen(lead.status, lead.status_before_lost)
    lead.status_before_lost = lead.lost_reason = lead.lost_reason_code = lead.competitor_brand = None
    _touch(lead, actor.sub, reopened_at)
    record_change(session, lead, "reopened", actor.sub, reopened_at, status_before=before, status_after=lead.status)
    events.publish(session, "leads.lead.reopened", lead.id, events.reopened_by_hand(lead, actor.sub, reopened_at))
    session.commit()
    return lead


def _appointment_to_work_on(session: Session, appointment_id: str, actor: Actor) -> tuple[Appointment, Lead]:
    """A booked appointment of a lead the caller may work on (404, 403 or 409 otherwise)."""
    appointment = session.get(Appointment, appointment_id)
    if appointment is None:
        raise NotFound(f"No appointment {appointment_id}.")
    lead = _lead_to_work_on(session, appointment.lead_id, actor)
    domain.check_open(lead.status)
    domain.check_still_booked(appointment.status)
    return appointment, lead


def reschedule_appointment(session: Session, appointment_id: str, data: dict[str, Any], actor: Actor) -> Appointment:
    """Move a booked appointment to another time, by the booking's rule: never in the past."""
    appointment, lead = _appointment_to_work_on(session, appointment_id, actor)
    now = utcnow()
    domain.check_scheduled_after_booking(data["scheduled_at"], now)
    previous, appointment.scheduled_at = appointment.scheduled_at, data["scheduled_at"]
    _touch(lead, actor.sub, now)
    events.publish(session, "leads.appointment.rescheduled", lead.id,
                   events.appointment_rescheduled(appointment, previous, lead.owner_id, actor.sub))
    session.commit()
    return appointment


def cancel_appointment(session: Session, appointment_id: str, reason: str, actor: Actor) -> Appointment:
    """Cancel a booked appointment with the reason; it no longer counts as an invitation due."""
    appointment, lead = _appointment_to_work_on(session, appointment_id, actor)
    if not reason.strip():
        raise InvalidInput("reason", "a cancellation needs a reason")
    appointment.status, appointment.cancel_reason, appointment.closed_at = "cancelled", reason.strip(), utcnow()
    events.publish(session, "leads.appointment.cancelled", lead.id,
                   events.appointment_cancelled(appointment, lead.owner_id, actor.sub))
    session.commit()
    return appointment


def mark_no_shows(session: Session, now: datetime, zone: ZoneInfo, batch: int = NO_SHOW_BATCH) -> int:
    """Mark every appointment still booked after the end of its local day a no-show (爽约); returns how many.

    In batches of ``batch``, each committed with its events; a conditional update claims each row, so two
    workers, or a second run, never mark one twice.
    """
    cutoff, marked = domain.no_show_cutoff(now, zone), 0
    while True:
        due = session.execute(select(Appointment, Lead.owner_id).join(Lead, Lead.id == Appointment.lead_id)
                              .where(Appointment.status == "booked", Appointment.scheduled_at < cutoff)
                              .order_by(Appointment.scheduled_at, Appointment.id).limit(batch)).all()
        marked += sum(1 for appointment, owner_id in due if _mark_no_show(session, appointment, owner_id, now))
        session.commit()
        if len(due) < batch:
            return marked


def _mark_no_show(session: Session, appointment: Appointment, owner_id: str, now: datetime) -> bool:
    """Mark one appointment missed and announce it, unless it was kept, cancelled or marked meanwhile."""
    claimed = session.execute(
        update(Appointment).where(Appointment.id == appointment.id, Appointment.status == "booked")
        .values(status="no_show", closed_at=now).execution_options(synchronize_session=False))
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        return False
    attributes.set_committed_value(appointment, "status", "no_show")
    attributes.set_committed_value(appointment, "closed_at", now)
    events.publish(session, "leads.appointment.no_show", appointment.lead_id,
                   events.appointment_no_show(appointment, owner_id))
    return True


def qualify(session: Session, lead_id: str, data: dict[str, Any], actor: Actor) -> Lead:
    """Set a lead's level (H/A/B/C) and stage (potential/intention)."""
    lead = _lead_to_work_on(session, lead_id, actor)
    domain.check_open(lead.status)
    if "status" in data:
        lead.status = domain.qualify(lead.status, data["status"])
    lead.level = data.get("level", lead.level)
    _touch(lead, actor.sub, _when(lead, data))
    events.publish(session, "leads.lead.qualified", lead.id, events.qualified(lead, actor.sub))
    session.commit()
    return lead


def assign(session: Session, lead_id: str, owner_id: str, actor: Actor) -> Lead:
    """A manager hands a lead to a consultant (e.g. a DCC lead to the showroom); kept in the lead's history."""
    lead = get_lead(session, lead_id)
    domain.check_not_merged(lead.status)
    previous = lead.owner_id
    lead.owner_id = owner_id
    lead.owner_last_contact_at = utcnow()
    lead.served_by = domain.add_served(lead.served_by, owner_id)
    record_owner_change(session, lead, previous, actor.sub, lead.owner_last_contact_at, domain.REASSIGNED)
    events.publish(session, "leads.lead.assigned", lead.id, events.owner_changed(lead, previous, actor.sub))
    session.commit()
    return lead


def convert_on_order(session: Session, lead_id: str | None, order_id: str) -> Lead | None:
    """An order placed for a lead makes it a deal (成交); runs in the consumer's transaction, which commits it."""
    return _follow_order(session, lead_id, order_id, domain.status_on_order_placed, "leads.lead.converted")


def reopen_on_cancellation(session: Session, lead_id: str | None, order_id: str) -> Lead | None:
    """A cancelled order sends its lead back to intention; runs in the consumer's transaction, which commits it."""
    return _follow_order(session, lead_id, order_id, domain.status_on_order_cancelled, "leads.lead.reopened")


def _follow_order(session: Session, lead_id: str | None, order_id: str,
                  rule: Callable[[str], str | None], routing_key: str) -> Lead | None:
    """Move the lead as its order's news says; None (and no event) when there is no lead or nothing changes.

    An order naming a duplicate merged since is the surviving lead's (the same customer).
    """
    lead = session.get(Lead, lead_id) if lead_id else None
    if lead is not None and lead.merged_into:
        lead = session.get(Lead, lead.merged_into)
    new_status = rule(lead.status) if lead is not None else None
    if lead is None or new_status is None:
        return None
    before, lead.status = lead.status, new_status
    kind = "converted" if routing_key == "leads.lead.converted" else "reopened"
    record_change(session, lead, kind, None, utcnow(), status_before=before, status_after=new_status,
                  order_id=order_id)
    events.publish(session, routing_key, lead.id, events.status_changed(lead, order_id))
    return lead

"""Merging duplicates: one person filed twice under two phones becomes one file (合并重复客户).

A sales manager names the lead that survives and the duplicate. The survivor takes the duplicate's work
(follow-ups, appointments, visits, test drives, inquiries, campaign invitations) so its history is the whole
customer's, and its visits are numbered again in time order. The duplicate is closed as ``merged``, pointing
at the survivor: it takes no more work, leaves the lists and the agenda, and its phone still finds the
customer (the survivor). All of it is one transaction, with the ``leads.lead.merged`` event.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from leads import domain, events
from leads.models import Appointment, CampaignInvitation, FollowUp, Inquiry, Lead, TestDrive, Visit
from leads.status_history import record_change
from shared.actors import Actor
from shared.business_time import aware
from shared.clock import utcnow
from shared.domain import NotFound

MOVED_WITH_THE_CUSTOMER = (FollowUp, Appointment, Visit, TestDrive, Inquiry)  # CampaignInvitation: see below


def merge_duplicate(session: Session, survivor_id: str, duplicate_id: str, actor: Actor) -> Lead:
    """Merge ``duplicate_id`` into ``survivor_id`` (a sales manager); answers the survivor."""
    domain.check_merge(survivor_id, duplicate_id)
    leads = _locked(session, survivor_id, duplicate_id)
    survivor, duplicate = leads[survivor_id], leads[duplicate_id]
    domain.check_mergeable(survivor.status, duplicate.status)
    merged_at, survivor_before, duplicate_before = utcnow(), survivor.status, duplicate.status
    _move_work(session, duplicate.id, survivor.id)
    _renumber_visits(session, survivor)
    _take_over(survivor, duplicate)
    duplicate.status, duplicate.merged_into, duplicate.visits = "merged", survivor.id, 0  # its visits moved
    session.execute(update(Lead).where(Lead.merged_into == duplicate.id).values(merged_into=survivor.id)
                    .execution_options(synchronize_session=False))  # files merged into the duplicate before
    record_change(session, survivor, "merged", actor.sub, merged_at, status_before=survivor_before,
                  status_after=survivor.status, other_lead_id=duplicate.id)
    record_change(session, duplicate, "merged", actor.sub, merged_at, status_before=duplicate_before,
                  status_after="merged", other_lead_id=survivor.id)
    events.publish(session, "leads.lead.merged", survivor.id,
                   events.lead_merged(survivor, duplicate.id, actor.sub, merged_at))
    session.commit()
    return survivor


def _locked(session: Session, *lead_ids: str) -> dict[str, Lead]:
    """Both leads, row-locked in id order (PostgreSQL), so two merges of the same pair never interleave; 404
    naming the first one missing."""
    found = {}
    for lead_id in sorted(lead_ids):
        lead = session.get(Lead, lead_id, with_for_update=True)
        if lead is None:
            raise NotFound(f"No lead {lead_id}.")
        found[lead_id] = lead
    return found


def _move_work(session: Session, duplicate_id: str, survivor_id: str) -> None:
    """Every record of the duplicate's history becomes the survivor's; a campaign invitation the survivor
    already has is dropped (a lead is invited to a campaign once: the unique index would refuse it)."""
    for model in MOVED_WITH_THE_CUSTOMER:
        _repoint(session, model, duplicate_id, survivor_id)
    held = select(CampaignInvitation.campaign_id).where(CampaignInvitation.lead_id == survivor_id)
    session.execute(delete(CampaignInvitation).where(CampaignInvitation.lead_id == duplicate_id,
                                                     CampaignInvitation.campaign_id.in_(held))
                    .execution_options(synchronize_session=False))
    _repoint(session, CampaignInvitation, duplicate_id, survivor_id)


def _repoint(session: Session, model: Any, duplicate_id: str, survivor_id: str) -> None:
    session.execute(update(model).where(model.lead_id == duplicate_id).values(lead_id=survivor_id)
                    .execution_options(synchronize_session=False))


def _renumber_visits(session: Session, survivor: Lead) -> None:
    """Both files' visits numbered again in the order they happened (the 1st visit, the 2nd: 再回展厅)."""
    visits = list(session.scalars(select(Visit).where(Visit.lead_id == survivor.id)
                                  .order_by(Visit.visited_at, Visit.visit_number, Visit.id)))
    for number, visit in enumerate(visits, start=1):
        visit.visit_number = number
    survivor.visits = len(visits)


def _take_over(survivor: Lead, duplicate: Lead) -> None:
    """What the survivor learns from the duplicate: who served the customer, an ID number it lacked, the owner's
    later contact, and a deal (成交) made on the duplicate."""
    survivor.served_by = ",".join(sorted(domain.served(survivor.served_by) | domain.served(duplicate.served_by)))
    survivor.id_number = survivor.id_number or duplicate.id_number
    if duplicate.owner_id == survivor.owner_id:
        survivor.owner_last_contact_at = _later(survivor.owner_last_contact_at, duplicate.owner_last_contact_at)
    status = domain.status_after_merge(survivor.status, duplicate.status)
    if status != survivor.status and survivor.status == "lost":  # an order stands: the loss is withdrawn
        survivor.status_before_lost = survivor.lost_reason = survivor.lost_reason_code = None
        survivor.competitor_brand = None
    survivor.status = status


def _later(first: datetime, second: datetime) -> datetime:
    return max(aware(first), aware(second))

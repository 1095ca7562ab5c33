"""Campaigns (市场活动): each campaign whose dates overlap the range, judged by its leads' stages.

A campaign's figures are its whole run's, not the range's: the range only picks the campaigns. The
stages count distinct leads (``reporting.domain.campaign_stages``), read from the campaign's own rows
(a few hundred leads, not the store's history): who was invited, who arrived naming it and when,
then those leads' test-drive days and orders. A duplicate merged away (合并) is read as its survivor,
with both leads' rows, test drives and orders: one lead, counted once.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from reporting.domain import CAMPAIGN_STAGES, CampaignLead, campaign_stages
from reporting.models import CampaignFact, CampaignLeadFact, LeadFact, OrderFact, SaleFact
from reporting.projections.lead_days import read_days
from reporting.reports import Table

MERGE_HOPS = 20
CHUNK = 1000  # ids per IN list
T = TypeVar("T")


def _chunks(ids: Iterable[T]) -> Iterator[list[T]]:
    items = list(ids)
    for start in range(0, len(items), CHUNK):
        yield items[start:start + CHUNK]


def _survivors(session: Session, lead_ids: set[str]) -> dict[str, str]:
    """Each lead and the lead it counts as: itself, or the survivor it was merged into (through any chain)."""
    survivor = {lead: lead for lead in lead_ids}
    for _ in range(MERGE_HOPS):
        merged: dict[str, str] = {}
        for chunk in _chunks(set(survivor.values())):
            merged.update(session.execute(select(LeadFact.lead_id, LeadFact.merged_into)
                                          .where(LeadFact.lead_id.in_(chunk), LeadFact.merged_into.is_not(None)))
                          .all())
        if not merged:
            break
        survivor = {lead: merged.get(now, now) for lead, now in survivor.items()}
    return survivor


def _members(session: Session, survivors: set[str]) -> dict[str, str]:
    """Every lead that counts as one of these survivors (the survivor itself and its duplicates), to its survivor."""
    member = {lead: lead for lead in survivors}
    frontier = set(survivors)
    for _ in range(MERGE_HOPS):
        found: dict[str, str] = {}
        for chunk in _chunks(frontier):
            found.update(session.execute(select(LeadFact.lead_id, LeadFact.merged_into)
                                         .where(LeadFact.merged_into.in_(chunk))).all())
        frontier = {lead for lead in found if lead not in member}
        member.update({lead: member[into] for lead, into in found.items() if lead in frontier})
        if not frontier:
            break
    return member


def _histories(session: Session, survivors: set[str]) -> dict[str, tuple[tuple[date, ...], list[tuple[Any, bool]]]]:
    """Each survivor's test-drive days and orders (placed day, delivered), its duplicates' orders included."""
    drives: dict[str, tuple[date, ...]] = {}
    for chunk in _chunks(survivors):
        for lead_id, days in session.execute(select(LeadFact.lead_id, LeadFact.test_drive_days)
                                             .where(LeadFact.lead_id.in_(chunk))):
            drives[lead_id] = tuple(read_days(days))
    member = _members(session, survivors)
    placed: list[tuple[str, str, Any]] = []
    for chunk in _chunks(member):
        placed += session.execute(select(OrderFact.order_id, OrderFact.lead_id, OrderFact.placed_day)
                                  .where(OrderFact.lead_id.in_(chunk))).all()
    delivered: set[str] = set()
    for chunk in _chunks(order_id for order_id, _, _ in placed):
        delivered.update(session.scalars(select(SaleFact.order_id).where(SaleFact.order_id.in_(chunk))))
    orders: dict[str, list[tuple[Any, bool]]] = {lead: [] for lead in survivors}
    for order_id, lead_id, day in placed:
        orders[member[lead_id]].append((day, order_id in delivered))
    return {lead: (drives.get(lead, ()), orders[lead]) for lead in survivors}


def _attendance(rows: list[tuple[str, str, bool, date | None]], survivor: dict[str, str]
                ) -> dict[str, dict[str, tuple[bool, date | None]]]:
    """Per campaign, per survivor: invited (either lead was), and the earlier arrival of the two."""
    found: dict[str, dict[str, tuple[bool, date | None]]] = {}
    for campaign_id, lead_id, invited, arrived in rows:
        leads = found.setdefault(campaign_id, {})
        was_invited, was_arrived = leads.get(survivor[lead_id], (False, None))
        arrivals = [day for day in (was_arrived, arrived) if day is not None]
        leads[survivor[lead_id]] = (was_invited or bool(invited), min(arrivals, default=None))
    return found


def campaigns(session: Session, first: date, last: date) -> dict[str, Any]:
    """The campaigns running on some day of the range, by first day, each with its stages."""
    found = session.scalars(select(CampaignFact).where(CampaignFact.starts_on <= last, CampaignFact.ends_on >= first)
                            .order_by(CampaignFact.starts_on, CampaignFact.campaign_id)).all()
    rows: list[tuple[str, str, bool, date | None]] = []
    for chunk in _chunks(campaign.campaign_id for campaign in found):
        rows += session.execute(select(CampaignLeadFact.campaign_id, CampaignLeadFact.lead_id,
                                       CampaignLeadFact.invited, CampaignLeadFact.arrived_day)
                                .where(CampaignLeadFact.campaign_id.in_(chunk))).all()
    survivor = _survivors(session, {lead_id for _, lead_id, _, _ in rows})
    attendance = _attendance(rows, survivor)
    histories = _histories(session, {survivor[lead_id] for _, lead_id, _, arrived in rows if arrived is not None})
    items = []
    for campaign in found:
        leads = [CampaignLead(invited, arrived, histories.get(lead, ((), []))[0],
                              tuple(histories.get(lead, ((), []))[1]))
                 for lead, (invited, arrived) in attendance.get(campaign.campaign_id, {}).items()]
        items.append({"campaign_id": campaign.campaign_id, "name": campaign.name, "kind": campaign.kind,
                      "starts_on": campaign.starts_on, "ends_on": campaign.ends_on,
                      **campaign_stages(leads)})
    return {"from": first, "to": last, "campaigns": items}


def campaigns_table(report: dict[str, Any]) -> Table:
    """One row per campaign: its dates and each stage."""
    header = ["campaign_id", "name", "kind", "starts_on", "ends_on", *CAMPAIGN_STAGES]
    return header, [[item[name] for name in header] for item in report["campaigns"]]

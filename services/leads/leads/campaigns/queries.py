"""Reads of campaigns: the list, one campaign, its invitations, and how many invited leads and visitors it has.

Counts come from leads' own data: ``invited`` the campaign's invitations, ``arrived`` the distinct leads with a
visit naming it (walk-ins at a motor show arrive without an invitation).
"""
from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from leads.campaigns import domain
from leads.models import Campaign, CampaignInvitation, Visit
from shared.domain import InvalidInput, NotFound
from shared.web.pagination import page_of


def get_campaign(session: Session, campaign_id: str) -> Campaign:
    """A campaign by id, or 404."""
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise NotFound(f"No campaign {campaign_id}.")
    return campaign


def running_campaign(session: Session, campaign_id: str, day: date) -> Campaign:
    """The campaign a visit on the local ``day`` names: one that exists and runs that day (422 otherwise)."""
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise InvalidInput("campaign_id", "no such campaign")
    domain.check_running(campaign.starts_on, campaign.ends_on, day)
    return campaign


def campaign_page(session: Session, filters: dict[str, Any]) -> dict[str, Any]:
    """One page of campaigns, latest start first, of a kind and running on a local day."""
    query = select(Campaign).order_by(Campaign.starts_on.desc(), Campaign.id)
    if "kind" in filters:
        query = query.where(Campaign.kind == filters["kind"])
    if "active_on" in filters:
        query = query.where(Campaign.starts_on <= filters["active_on"], Campaign.ends_on >= filters["active_on"])
    return page_of(session, query, filters["page"], filters["page_size"])


def attendance(session: Session, campaign_ids: list[str]) -> dict[str, dict[str, int]]:
    """Per campaign, the leads invited and the leads arrived (a visit naming it), zero when none."""
    invited = dict(session.execute(
        select(CampaignInvitation.campaign_id, func.count()).where(CampaignInvitation.campaign_id.in_(campaign_ids))
        .group_by(CampaignInvitation.campaign_id)).all())
    arrived = dict(session.execute(
        select(Visit.campaign_id, func.count(Visit.lead_id.distinct())).where(Visit.campaign_id.in_(campaign_ids))
        .group_by(Visit.campaign_id)).all())
    return {key: {"invited": invited.get(key, 0), "arrived": arrived.get(key, 0)} for key in campaign_ids}


def invitation_page(session: Session, campaign_id: str, filters: dict[str, Any]) -> dict[str, Any]:
    """One page of a campaign's invitations, earliest first."""
    query = (select(CampaignInvitation).where(CampaignInvitation.campaign_id == campaign_id)
             .order_by(CampaignInvitation.invited_at, CampaignInvitation.id))
    return page_of(session, query, filters["page"], filters["page_size"])


def arrived_leads(session: Session, campaign_id: str, lead_ids: list[str]) -> set[str]:
    """Which of these leads have a visit naming the campaign."""
    return set(session.scalars(select(Visit.lead_id).where(Visit.campaign_id == campaign_id,
                                                           Visit.lead_id.in_(lead_ids))))

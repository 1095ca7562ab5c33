"""Use cases of campaigns: one transaction each, events written to the outbox in it."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from leads import domain as lead_rules
from leads import events
from leads.campaigns import domain, queries
from leads.models import Campaign, CampaignInvitation, Lead
from shared.actors import Actor
from shared.business_time import business_time, to_store_time
from shared.domain import InvalidInput


def create_campaign(session: Session, data: dict[str, Any], actor: Actor) -> Campaign:
    """A sales manager sets up a campaign (市场活动) over local days; it is announced for reporting's funnel."""
    domain.check_days(data["starts_on"], data["ends_on"])
    campaign = Campaign(name=data["name"].strip(), kind=data["kind"], starts_on=data["starts_on"],
                        ends_on=data["ends_on"], created_by=actor.sub,
                        created_at=business_time(data.get("occurred_at")))
    session.add(campaign)
    session.flush()
    events.publish(session, "leads.campaign.created", campaign.id, events.campaign_created(campaign))
    session.commit()
    return campaign


def invite(session: Session, campaign_id: str, data: dict[str, Any], actor: Actor) -> CampaignInvitation:
    """Invite a lead to a campaign (活动邀约): a consultant their own leads, a manager or DCC staff any lead.

    The unique index on (campaign, lead) decides "invited once": two invitations of one lead at once give one
    invitation and one 409, as a second filing of one phone does.
    """
    campaign = queries.get_campaign(session, campaign_id)
    lead = _lead_named(session, data["lead_id"])
    lead_rules.check_may_work_on(lead.owner_id, actor.sub, domain.may_invite_any_lead(actor.role))
    domain.check_invitable(lead.status)
    invited_at = business_time(data.get("occurred_at"), lead.created_at, "the customer's filing")
    domain.check_takes_invitations(campaign.ends_on, to_store_time(invited_at).date())
    invitation = CampaignInvitation(campaign_id=campaign.id, lead_id=lead.id, invited_by=actor.sub,
                                    invited_at=invited_at)
    session.add(invitation)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        if not _invited(session, campaign.id, lead.id):
            raise
        raise domain.AlreadyInvited(campaign.id, lead.id) from None
    events.publish(session, "leads.campaign.invited", lead.id, events.campaign_invited(invitation, lead.owner_id))
    session.commit()
    return invitation


def _lead_named(session: Session, lead_id: str) -> Lead:
    """The lead an invitation names in its body: 422 naming ``lead_id`` when there is none."""
    lead = session.get(Lead, lead_id)
    if lead is None:
        raise InvalidInput("lead_id", "no such lead")
    return lead


def _invited(session: Session, campaign_id: str, lead_id: str) -> bool:
    """Whether the lead is already invited: what a refused insert means, unless something else refused it."""
    return session.scalar(select(CampaignInvitation.id).where(CampaignInvitation.campaign_id == campaign_id,
                                                              CampaignInvitation.lead_id == lead_id)) is not None

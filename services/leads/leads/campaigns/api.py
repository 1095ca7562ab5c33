"""HTTP routes of campaigns (市场活动): set up by the sales manager, read and invited to by the sales floor."""
from __future__ import annotations

from typing import Any

from leads.campaigns import queries, services, views
from leads.campaigns.schemas import (
    CampaignFilter,
    CampaignIn,
    CampaignOut,
    CampaignPage,
    CampaignWithCounts,
    InvitationIn,
    InvitationOut,
    InvitationPage,
)
from shared.web.app import db
from shared.web.auth import current_actor, require
from shared.web.blueprint import Blueprint
from shared.web.pagination import PageArgs

blp = Blueprint("campaigns", __name__, url_prefix="/api/v1", description="Campaigns and the leads invited to them")
FLOOR = ("consultant", "sales_manager", "online_sales")  # who invites customers, and reads the campaigns


@blp.post("/campaigns")
@blp.arguments(CampaignIn)
@blp.response(201, CampaignOut)
@require("sales_manager")
def create_campaign(data: dict[str, Any]) -> Any:
    """Set up a campaign over local days: a motor show, an in-store event, an online campaign or outreach."""
    return services.create_campaign(db(), data, current_actor())


@blp.get("/campaigns")
@blp.arguments(CampaignFilter, location="query")
@blp.response(200, CampaignPage)
@require(*FLOOR)
def list_campaigns(args: dict[str, Any]) -> dict[str, Any]:
    """Campaigns, latest start first, by kind and by a local day they run on, each with invited and arrived."""
    page = queries.campaign_page(db(), args)
    counts = queries.attendance(db(), [campaign.id for campaign in page["items"]])
    return {**page, "items": [views.campaign_with_counts(c, counts[c.id]) for c in page["items"]]}


@blp.get("/campaigns/<campaign_id>")
@blp.response(200, CampaignWithCounts)
@require(*FLOOR)
def get_campaign(campaign_id: str) -> dict[str, Any]:
    """One campaign, with the leads invited and the leads arrived (a visit naming it)."""
    campaign = queries.get_campaign(db(), campaign_id)
    return views.campaign_with_counts(campaign, queries.attendance(db(), [campaign.id])[campaign.id])


@blp.post("/campaigns/<campaign_id>/invitations")
@blp.arguments(InvitationIn)
@blp.response(201, InvitationOut)
@require(*FLOOR)
def invite_to_campaign(data: dict[str, Any], campaign_id: str) -> Any:
    """Invite a lead to a campaign once (a consultant their own leads; a manager or DCC staff any lead)."""
    return services.invite(db(), campaign_id, data, current_actor())


@blp.get("/campaigns/<campaign_id>/invitations")
@blp.arguments(PageArgs, location="query")
@blp.response(200, InvitationPage)
@require(*FLOOR)
def list_invitations(args: dict[str, Any], campaign_id: str) -> dict[str, Any]:
    """A campaign's invitations, earliest first, each saying whether the lead arrived."""
    campaign = queries.get_campaign(db(), campaign_id)
    page = queries.invitation_page(db(), campaign.id, args)
    arrived = queries.arrived_leads(db(), campaign.id, [invitation.lead_id for invitation in page["items"]])
    return {**page, "items": [views.invitation_with_arrival(i, arrived) for i in page["items"]]}

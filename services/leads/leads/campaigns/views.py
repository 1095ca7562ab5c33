"""Campaigns and invitations as answers: each campaign with its counts, each invitation with whether the lead came."""
from __future__ import annotations

from typing import Any

from leads.models import Campaign, CampaignInvitation

CAMPAIGN_FIELDS = ("id", "name", "kind", "starts_on", "ends_on", "created_by", "created_at")
INVITATION_FIELDS = ("campaign_id", "lead_id", "invited_by", "invited_at")


def campaign_with_counts(campaign: Campaign, counts: dict[str, int]) -> dict[str, Any]:
    """A campaign and how many leads it invited and saw arrive."""
    return {**{field: getattr(campaign, field) for field in CAMPAIGN_FIELDS}, **counts}


def invitation_with_arrival(invitation: CampaignInvitation, arrived: set[str]) -> dict[str, Any]:
    """An invitation and whether its lead arrived (a visit naming the campaign)."""
    return {**{field: getattr(invitation, field) for field in INVITATION_FIELDS},
            "arrived": invitation.lead_id in arrived}

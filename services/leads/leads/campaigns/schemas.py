"""Schemas of campaigns and their invitations (also the OpenAPI document)."""
from __future__ import annotations

from datetime import date
from typing import Any

import marshmallow as ma
from marshmallow import validate

from leads.campaigns.domain import CAMPAIGN_KINDS
from shared.web.fields import OccurredAt, StoreTime, text
from shared.web.pagination import PageArgs, page_schema

KIND_HELP = "motor_show (车展), in_store_event (店头活动), online (线上活动) or outreach (外拓)."
DAYS = validate.Range(min=date(2000, 1, 1), max=date(2100, 12, 31))


def local_day(description: str, **kwargs: Any) -> ma.fields.Date:
    """A store-local day (DEALER_TZ), ISO 8601 (2026-12-12), years 2000-2100."""
    return ma.fields.Date(validate=DAYS, metadata={"description": description}, **kwargs)


class CampaignIn(ma.Schema):
    name = text(100)
    kind = ma.fields.String(required=True, validate=validate.OneOf(CAMPAIGN_KINDS),
                            metadata={"description": KIND_HELP})
    starts_on = local_day("First local day (DEALER_TZ) of the campaign.", required=True)
    ends_on = local_day("Last local day (DEALER_TZ), included; not before starts_on.", required=True)
    occurred_at = OccurredAt()  # when it was set up, for a campaign keyed in late

    @ma.validates("name")
    def _not_blank(self, value: str, **_: Any) -> None:
        if not value.strip():
            raise ma.ValidationError("a campaign needs a name")


class CampaignOut(ma.Schema):
    id = ma.fields.String()
    name = ma.fields.String()
    kind = ma.fields.String(metadata={"description": KIND_HELP})
    starts_on = ma.fields.Date()
    ends_on = ma.fields.Date()
    created_by = ma.fields.String()
    created_at = StoreTime()


class CampaignWithCounts(CampaignOut):
    invited = ma.fields.Integer(metadata={"description": "Leads invited to the campaign."})
    arrived = ma.fields.Integer(metadata={"description": "Leads with a visit naming the campaign, invited or not "
                                                         "(walk-ins at a motor show arrive uninvited)."})


CampaignPage = page_schema(CampaignWithCounts)


class CampaignFilter(PageArgs):
    """Campaigns of a kind, and running on a local day."""

    active_on = local_day("A local day (DEALER_TZ): only campaigns running that day.")
    kind = ma.fields.String(validate=validate.OneOf(CAMPAIGN_KINDS), metadata={"description": KIND_HELP})


class InvitationIn(ma.Schema):
    lead_id = ma.fields.String(required=True, validate=validate.Length(min=1, max=36))
    occurred_at = OccurredAt()  # when the customer was invited, for an invitation keyed in late


class InvitationOut(ma.Schema):
    campaign_id = ma.fields.String()
    lead_id = ma.fields.String()
    invited_by = ma.fields.String()
    invited_at = StoreTime()


class InvitationWithArrival(InvitationOut):
    arrived = ma.fields.Boolean(metadata={"description": "Whether the lead has a visit naming the campaign."})


InvitationPage = page_schema(InvitationWithArrival)

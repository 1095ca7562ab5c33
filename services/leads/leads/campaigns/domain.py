"""The rules of a campaign (市场活动) and its invitations, as the store runs them. No framework here."""
from __future__ import annotations

from datetime import date

from shared.domain import DomainError, InvalidInput

CAMPAIGN_KINDS = ("motor_show", "in_store_event", "online", "outreach")  # 车展 店头活动 线上活动 外拓
NOT_INVITABLE = ("lost", "merged")  # a lost lead is reopened first; a merged one lives on in its survivor
INVITES_ANY_LEAD = ("sales_manager", "online_sales")  # DCC staff (网销) invite leads they do not own


class AlreadyInvited(DomainError):
    """One invitation per lead and campaign: a second one would count the customer twice."""

    def __init__(self, campaign_id: str, lead_id: str) -> None:
        super().__init__("This lead is already invited to this campaign.", campaign_id=campaign_id, lead_id=lead_id)


def check_days(starts_on: date, ends_on: date) -> None:
    """A campaign runs from its first local day to its last, both included: the last is not before the first."""
    if ends_on < starts_on:
        raise InvalidInput("ends_on", "must not be before starts_on")


def may_invite_any_lead(role: str) -> bool:
    """Managers and DCC staff invite any lead; a consultant invites only the leads they own (客户归属)."""
    return role in INVITES_ANY_LEAD


def check_invitable(status: str) -> None:
    """A lost lead (战败) is reopened before it is invited again; a merged duplicate is invited as its survivor."""
    if status in NOT_INVITABLE:
        raise DomainError(f"The lead is {status}; it cannot be invited to a campaign.")


def check_takes_invitations(ends_on: date, day: date) -> None:
    """A campaign over before ``day`` (the invitation's local day) takes no more invitations."""
    if ends_on < day:
        raise DomainError(f"The campaign ended on {ends_on.isoformat()}; it takes no more invitations.")


def check_running(starts_on: date, ends_on: date, day: date) -> None:
    """A visit names a campaign only on one of its days: attendance is a visit during the campaign."""
    if not starts_on <= day <= ends_on:
        raise InvalidInput("campaign_id", f"the campaign runs from {starts_on.isoformat()} to "
                                          f"{ends_on.isoformat()}, not on {day.isoformat()} (the visit's local day)")

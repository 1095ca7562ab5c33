"""The reporting service's rules, free of any framework: who reads what, the KPIs, personal data, rebuilds.

Who reads which report: managers (sales_manager), ops and the sales back office (who compiles
reports) read everything. A consultant reads only their own rows: their row of the consultants
report and their own deliveries in the sales report; the funnel and after-sales figures are the
team's and the department's, so a consultant is refused them (403). Stock holds no one's rows:
consultants and the inventory clerk read it too.

The KPI rules a sales team is paid on (DOMAIN.md, Reporting): each rate carries its numerator and
denominator, so a manager can check it; a rate whose denominator is 0 is 0. A campaign (市场活动) is
judged by the leads that reached each of its stages (``campaign_stages``).

Reporting keeps no full phone or ID number: events are masked before they are stored. Values
under a ``phone`` or ``id_number`` key are masked wherever they sit in ``data``; every other text
goes through ``mask_text``, except identifiers (a UUID can hold eleven digits in a row, and masking
it would break joins).

A rebuild runs one at a time; one still running hours after it was asked for lost its worker.
"""
from __future__ import annotations

import copy
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from reporting.dates import aware
from shared.actors import ROLES, Actor
from shared.privacy import mask_id_number, mask_phone, mask_text

# Who reads which report (the API enforces it; the dashboard is told it).
EVERYTHING = ("sales_manager", "ops", "back_office")
SALES_READERS = (*EVERYTHING, "consultant")
FUNNEL_READERS = EVERYTHING
LOST_REASON_READERS = EVERYTHING  # the team's losses, like the funnel
CAMPAIGN_READERS = EVERYTHING
STOCK_READERS = (*EVERYTHING, "consultant", "inventory_clerk")
AFTER_SALES_READERS = (*EVERYTHING, "after_sales")
TARGET_SETTERS = ("sales_manager",)
TARGET_READERS = (*EVERYTHING, "consultant")
REBUILDERS = ("ops",)
STATUS_READERS = ("ops", "sales_manager")
STAFF_KEEPERS = ("sales_manager",)  # the staff directory and the groups are the sales managers' to keep
STAFF_READERS = (*EVERYTHING, "consultant")  # a consultant reads names only (``names_only``)
GROUP_READERS = (*EVERYTHING, "consultant")


def names_only(actor: Actor) -> bool:
    """A consultant reads the staff directory's names and ids, not who has which role or has left."""
    return actor.role == "consultant"


def own_rows_only(actor: Actor) -> str | None:
    """The consultant whose rows alone this caller may see; None for those who see every row."""
    return actor.sub if actor.role == "consultant" else None


# The KPIs.
CONVERSION_WINDOW = timedelta(days=30)  # 30天转化率
SLOW_MOVER_DAYS = 60
FILING_CHANNELS = ("phone", "walk_in")  # 建卡率 counts calls and walk-ins
DIRECT_CONTACT_SOURCES = ("walk_in", "phone_in")  # a lead from these, filed with no inquiry logged: itself a contact
FILING_GRACE = timedelta(days=1)  # 建卡率: filed by the end of the next local day
AGEING_BUCKETS = ("0-30", "31-60", "61-90", "over_90")  # 库龄
RATE_NAMES = ("filing_rate", "appointment_arrival_rate", "return_visit_rate", "test_drive_rate", "conversion_30d",
              "referral_rate")
FUNNEL_STAGES = ("inquiries", "leads", "appointments", "visits", "test_drives", "orders", "deliveries")
REFERRAL_SOURCE = "referral"  # 转介绍率: leads filed from referrals ÷ all leads filed
# 战败原因: the store's fixed list, in its order; a loss without a code (the first version's free text) is "other".
LOST_REASONS = ("price", "competitor", "financing", "no_stock", "postponed", "unreachable", "other")
OTHER_REASON = "other"
COMPETITOR_REASON = "competitor"
CAMPAIGN_STAGES = ("invited", "arrived", "test_drives", "orders", "deliveries")  # how a campaign is judged


@dataclass(frozen=True)
class Rate:
    """A KPI as a fraction a manager can check, and what it leaves out, counted apart (``apart``)."""

    numerator: int
    denominator: int
    apart: tuple[tuple[str, int], ...] = ()  # e.g. 30天转化率's leads whose 30 days have not passed

    @property
    def value(self) -> float:
        return round(self.numerator / self.denominator, 4) if self.denominator else 0.0

    def details(self) -> dict[str, int]:
        return {"numerator": self.numerator, "denominator": self.denominator, **dict(self.apart)}


@dataclass(frozen=True)
class CampaignLead:
    """One lead at a campaign (its merged duplicates' rows joined): what the campaign's stages look at."""

    invited: bool
    arrived_on: date | None  # its first visit naming the campaign (到店)
    test_drive_days: tuple[date, ...] = ()
    orders: tuple[tuple[date | None, bool], ...] = ()  # each order of the lead: the day placed, delivered or not


def campaign_stages(leads: Iterable[CampaignLead]) -> dict[str, int]:
    """A campaign judged by distinct leads: invited → arrived → test drives → orders → deliveries.

    Each stage after arrival is a part of the one before: arrived leads that test-drove on or after
    their arrival day; arrived leads with an order placed on or after it; those with such an order
    delivered. Arrivals need no invitation (a walk-in at a motor show attends it).
    """
    stages = dict.fromkeys(CAMPAIGN_STAGES, 0)
    for lead in leads:
        stages["invited"] += lead.invited
        if lead.arrived_on is None:
            continue
        arrived_on = lead.arrived_on
        stages["arrived"] += 1
        stages["test_drives"] += any(day >= arrived_on for day in lead.test_drive_days)
        after = [delivered for placed, delivered in lead.orders if placed is not None and placed >= arrived_on]
        stages["orders"] += bool(after)
        stages["deliveries"] += any(after)
    return stages


def converted_within_30_days(created_at: datetime | None, first_order_at: datetime | None) -> bool:
    """A lead converts when its first order comes within 30×24 hours of its filing."""
    if created_at is None or first_order_at is None:
        return False
    return first_order_at - created_at <= CONVERSION_WINDOW


def filed_in_time(contact_day: date | None, filed_day: date | None) -> bool:
    """建卡率: a new-customer contact led to a file when its phone was filed by the end of the next local day."""
    return contact_day is not None and filed_day is not None and filed_day <= contact_day + FILING_GRACE


def last_judged_filing_day(today: date) -> date:
    """30天转化率: the last filing day whose leads' 30 days have surely passed by today.

    The 30 days run by the hour from filing, so a lead filed on day d may still order on d + 30; it
    is judged from d + 31. Leads filed later are left out of both sides and reported apart.
    """
    return today - CONVERSION_WINDOW - timedelta(days=1)


def completion(delivered: int, target: int | None) -> float | None:
    """Target completion (销量完成率); None when no target was set."""
    if not target:
        return None
    return round(delivered / target, 4)


def rank_consultants(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Most units delivered first, then best completion, then by id; each row gets its rank."""
    ordered = sorted(rows, key=lambda r: (-r["deliveries"], -(r["completion"] or 0.0), r["consultant_id"]))
    return [{**row, "rank": place} for place, row in enumerate(ordered, start=1)]


def stock_age_days(arrived_at: datetime, now: datetime) -> int:
    """Whole days since the car reached the group; a transfer does not reset it."""
    return max((now - arrived_at).days, 0)


def ageing_bucket(age_days: int) -> str:
    """The stock report's age band: 0–30, 31–60, 61–90, over 90 days."""
    if age_days <= 30:
        return "0-30"
    if age_days <= 60:
        return "31-60"
    if age_days <= 90:
        return "61-90"
    return "over_90"


def is_slow_mover(oldest_age_days: int, last_model_delivery: date | None, today: date) -> bool:
    """Stock older than 60 days of a model that has not sold in the last 60 days: stock less of it."""
    if oldest_age_days <= SLOW_MOVER_DAYS:
        return False
    return last_model_delivery is None or (today - last_model_delivery).days > SLOW_MOVER_DAYS


def share(part: int, whole: int) -> float:
    """A part of a whole, as a fraction with four places (model mix, 车型销售比例)."""
    return round(part / whole, 4) if whole else 0.0


# The staff directory, groups (小组) and targets by model class (车型大类).
STAFF_ROLES = tuple(role for role in ROLES if role != "service")  # a system caller is no one on the staff
MEMBER_ROLES = ("consultant", "online_sales")  # who sells in a group; the supervisor (主管) may have any staff role
MODEL_CLASSES = ("SUV", "sedan", "MPV", "NEV", "other")


def refused_members(members: dict[str, tuple[str, bool] | None]) -> list[str]:
    """Members who may not be put in a group: unknown, left the store, or not selling (a role but the two)."""
    return sorted(staff_id for staff_id, known in members.items()
                  if known is None or not known[1] or known[0] not in MEMBER_ROLES)


def effective_day_problem(day: date, today: date, rewrites_history: bool = True) -> str | None:
    """Why a membership change cannot take effect on ``day``, or None when it can.

    It may reach back within the current month (a move the supervisor forgot to record), not into a
    month whose figures have been read and paid on, and not into the future. One exception: opening the
    books, when the store first records a group for days on which neither the group nor any of the
    people named had a group on record (``rewrites_history`` False): no figure read before changes.
    """
    if day > today:
        return "must not be after today in the store's zone"
    if (day.year, day.month) != (today.year, today.month) and rewrites_history:
        return ("may reach back only within the current month, or to days when neither the group nor "
                "any member named was in a group yet")
    return None


def class_units_problem(units: int, by_model_class: dict[str, int]) -> str | None:
    """A split of a target by model class may leave units unclassed, never promise more than the total."""
    if sum(by_model_class.values()) > units:
        return f"the classes add up to {sum(by_model_class.values())}, more than the {units} units of the target"
    return None


# What the event store keeps: the departments' events. Reporting's own (the managers' inputs, for a payroll
# system) come back to it on the bus; its tables hold them already, so they are not stored again.
OWN_SOURCE = "/dealer/reporting"


def is_own_event(envelope: dict[str, Any]) -> bool:
    """An event reporting published itself (staff, groups, targets), back from the bus."""
    return envelope.get("source") == OWN_SOURCE


# Personal data: what the event store may keep.
PHONE_KEYS = ("phone", "mobile")
ID_NUMBER_KEYS = ("id_number",)
ELEVEN_DIGITS = re.compile(r"\d{11}")  # a phone or an ID number in text holds at least eleven in a row


def _is_identifier(key: str) -> bool:
    return key in ("id", "vin", "subject") or key.endswith(("_id", "_ids"))


def _mask_value(key: str, value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _mask_value(k, v) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask_value(key, item) for item in value]
    if not isinstance(value, str):
        return value
    if key in PHONE_KEYS or key.endswith("_phone"):
        return mask_phone(value)
    if key in ID_NUMBER_KEYS or key.endswith("_id_number"):
        return mask_id_number(value)
    if _is_identifier(key) or len(value) < 11 or not ELEVEN_DIGITS.search(value):
        return value  # mask_text would change nothing
    return mask_text(value)


def mask_event(envelope: dict[str, Any]) -> dict[str, Any]:
    """A copy of the envelope whose ``data`` holds no full phone or ID number."""
    masked = copy.copy(envelope)
    masked["data"] = _mask_value("data", envelope.get("data") or {})
    return masked


# Rebuilds.
REBUILD_ACTIVE = ("pending", "running")
REBUILD_ABANDONED_AFTER = timedelta(hours=6)


def is_abandoned(status: str, requested_at: datetime, now: datetime) -> bool:
    """A run still 'running' hours after it was asked for lost its worker (a rebuild takes minutes)."""
    return status == "running" and now - aware(requested_at) > REBUILD_ABANDONED_AFTER

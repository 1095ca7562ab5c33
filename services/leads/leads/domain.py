"""The rules of a lead, as the store's sales procedure states them. No framework here."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from shared.domain import DomainError, InvalidInput

SOURCES = ("walk_in", "phone_in", "online", "referral", "outreach", "event")  # 展厅 来电 网络 转介绍 外拓 车展
LEVELS = ("H", "A", "B", "C")  # H: buys within 7 days, A: 15, B: 30, C: later or unsure
STATUSES = ("potential", "intention", "deal", "lost")  # 潜在 意向 成交 战败
INQUIRY_CHANNELS = ("phone", "walk_in", "online")
FOLLOW_UP_CHANNELS = ("phone", "sms", "wechat", "visit")
RETURN_WINDOW = timedelta(days=7)


@dataclass(frozen=True)
class OwnershipDecision:
    """Who owns the lead after a visit, and which clause of the procedure decided it."""

    owner_id: str
    rule: str

    def changed_from(self, previous_owner: str) -> bool:
        return self.owner_id != previous_owner


def decide_owner_on_visit(owner_id: str, owner_last_contact_at: datetime, visited_at: datetime,
                          receiving_id: str, requested_id: str | None,
                          booked_by_owner_invitation: bool, served_by: set[str]) -> OwnershipDecision:
    """Apply the ownership rule on a return visit (客户归属)."""
    if requested_id and requested_id in served_by | {owner_id}:
        return OwnershipDecision(requested_id, "4: customer named a consultant who served them")
    if visited_at - owner_last_contact_at > RETURN_WINDOW and requested_id != owner_id:
        return OwnershipDecision(receiving_id, "2: back more than 7 days after the owner's last contact")
    if requested_id is None and not booked_by_owner_invitation:
        return OwnershipDecision(receiving_id, "3: visit not booked by the owner's invitation")
    return OwnershipDecision(owner_id, "1: the consultant who filed the customer keeps the file")


def check_open(status: str) -> None:
    """Work on a lost or closed lead is refused: reopen it first."""
    if status == "lost":
        raise DomainError("The lead is lost (战败); it cannot be worked on.")


def qualify(status: str, new_status: str) -> str:
    """Move a lead along potential -> intention; deal comes from an order, lost from /lost."""
    check_open(status)
    if new_status not in ("potential", "intention"):
        raise InvalidInput("status", "may be set to potential or intention; deal follows an order")
    if status == "deal":
        raise DomainError("The lead already has a deal; its stage follows its order.")
    return new_status


def mark_lost(status: str, reason: str) -> str:
    """A lost lead (战败) needs a reason; a lead with a deal cannot be lost."""
    if not reason.strip():
        raise InvalidInput("reason", "a lost lead needs a reason")
    if status == "lost":
        raise DomainError("The lead is already lost.")
    if status == "deal":
        raise DomainError("The lead has a deal; cancel the order instead.")
    return "lost"


def check_test_drive(driver_license_no: str, escort_id: str, vehicle_kind: str | None) -> None:
    """Test drive rule: a licence recorded, a staff member riding along, a test-drive car."""
    if not driver_license_no.strip():
        raise InvalidInput("driver_license_no", "a valid driving licence must be recorded")
    if not escort_id.strip():
        raise InvalidInput("escort_id", "a named staff member must ride along")
    if vehicle_kind is None:
        raise InvalidInput("vin", "no such car in the store's inventory")
    if vehicle_kind != "test_drive":
        raise DomainError(f"The car is a {vehicle_kind} car, not in the test-drive fleet (试驾车).")


def served(served_by: str) -> set[str]:
    """The consultants who have served the customer (stored comma-separated)."""
    return {s for s in served_by.split(",") if s}


def add_served(served_by: str, consultant_id: str) -> str:
    """Remember that a consultant served the customer."""
    return ",".join(sorted(served(served_by) | {consultant_id}))

"""The rules of a lead, as the store's sales procedure states them. No framework here."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from shared.domain import DomainError, InvalidInput

SOURCES = ("walk_in", "phone_in", "online", "referral", "outreach", "event")  # 展厅 来电 网络 转介绍 外拓 车展
LEVELS = ("H", "A", "B", "C")  # H: buys within 7 days, A: 15, B: 30, C: later or unsure
STATUSES = ("potential", "intention", "deal", "lost", "merged")  # 潜在 意向 成交 战败 已合并 (a duplicate file)
INQUIRY_CHANNELS = ("phone", "walk_in", "online")
FOLLOW_UP_CHANNELS = ("phone", "sms", "wechat", "visit")
RETURN_WINDOW = timedelta(days=7)
BOOKING_GRACE = timedelta(minutes=1)  # a client clock a little behind, or "now" typed to the minute, is no error
LOST_REASONS = ("price", "competitor", "financing", "no_stock", "postponed", "unreachable", "other")  # 战败原因
APPOINTMENT_STATUSES = ("booked", "kept", "cancelled", "no_show")  # 已邀约 已到店 已取消 爽约
PAST_APPOINTMENT = ("must be in the future (after it is booked); "
                    "to record a visit that happened, use occurred_at on /visits")


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


class NotYours(DomainError):
    """The caller may not act on this lead, or as this consultant (403, naming the field where one decides)."""

    status = 403
    title = "Forbidden"

    def __init__(self, detail: str, field: str | None = None) -> None:
        super().__init__(detail, **({"errors": {field: [detail]}} if field else {}))


def check_may_work_on(owner_id: str, actor_id: str, is_manager: bool) -> None:
    """A consultant works only on the leads they own (客户归属); a sales manager works on any.

    The ownership rule is what a consultant is paid on, so another consultant's follow-up, appointment,
    test drive, stage or loss must not be recorded against the owner's customer.
    """
    if not is_manager and actor_id != owner_id:
        raise NotYours("The lead belongs to another consultant; only its owner or a sales manager may do this.")


def receiving_consultant(actor_id: str, is_manager: bool, consultant_id: str | None) -> str:
    """Who received the customer on a visit: a consultant records their own arrivals, a manager anyone's.

    A visit is recorded by whoever receives the customer, owner or not (the ownership rule then decides who
    owns the lead), but never in another consultant's name: that would hand them, or take from them, a lead.
    """
    if consultant_id is None or consultant_id == actor_id:
        return actor_id
    if not is_manager:
        raise NotYours("a consultant records a visit as themselves; consultant_id must be your own id",
                       field="consultant_id")
    return consultant_id


def check_open(status: str) -> None:
    """Work on a lost or closed lead is refused: reopen it first; a merged duplicate takes no work at all."""
    if status == "lost":
        raise DomainError("The lead is lost (战败); it cannot be worked on.")
    check_not_merged(status)


def check_not_merged(status: str) -> None:
    """A duplicate merged into another file (已合并) is closed for good: its work goes to the surviving lead."""
    if status == "merged":
        raise DomainError("The lead was merged into another lead (a duplicate file); work on that lead instead.")


def qualify(status: str, new_status: str) -> str:
    """Move a lead along potential -> intention; deal comes from an order, lost from /lost."""
    check_open(status)
    if new_status not in ("potential", "intention"):
        raise InvalidInput("status", "may be set to potential or intention; deal follows an order")
    if status == "deal":
        raise DomainError("The lead already has a deal; its stage follows its order.")
    return new_status


def check_lost_reason(reason_code: str | None, competitor_brand: str | None) -> None:
    """A loss names its reason from the store's fixed list; the competitor's brand goes with, and only with,
    a loss to a competitor (the lost-reasons report counts per reason and per brand)."""
    if reason_code not in LOST_REASONS:
        raise InvalidInput("reason_code", f"must be one of {', '.join(LOST_REASONS)}")
    has_brand = bool(competitor_brand and competitor_brand.strip())
    if reason_code == "competitor" and not has_brand:
        raise InvalidInput("competitor_brand", "a lead lost to a competitor names the competitor's brand")
    if reason_code != "competitor" and competitor_brand is not None:
        raise InvalidInput("competitor_brand", "only a lead lost to a competitor names a competitor's brand")


def mark_lost(status: str, reason_code: str | None, competitor_brand: str | None = None) -> str:
    """A lost lead (战败) needs a reason from the list; a lead with a deal cannot be lost."""
    check_lost_reason(reason_code, competitor_brand)
    check_not_merged(status)
    if status == "lost":
        raise DomainError("The lead is already lost.")
    if status == "deal":
        raise DomainError("The lead has a deal; cancel the order instead.")
    return "lost"


def reopen(status: str, status_before_lost: str | None) -> str:
    """A lost lead reopened (by its owner or a manager) works as before: back to the stage it was lost from.

    Only potential and intention can be lost (a deal cannot), so that is where it goes; a lead lost
    before the stage was remembered goes back to potential (潜在), the stage every lead starts at.
    """
    if status != "lost":
        raise DomainError(f"The lead is {status}, not lost; only a lost lead can be reopened.")
    return status_before_lost if status_before_lost in ("potential", "intention") else "potential"


def status_on_order_placed(status: str) -> str | None:
    """An order placed makes the lead a deal (成交); None when it already is one."""
    return None if status == "deal" else "deal"


def status_on_order_cancelled(status: str) -> str | None:
    """A cancelled order sends a deal back to intention (意向); any other stage stays as it is (None)."""
    return "intention" if status == "deal" else None


def check_scheduled_after_booking(scheduled_at: datetime, booked_at: datetime) -> None:
    """An invitation (邀约) is for a time still to come when it is booked: never in the past.

    ``booked_at`` is the booking's business time: now, or the paper record's time (补录) when an older
    invitation is keyed in late, which may then lie before now. A visit that happened is recorded as a
    visit with its ``occurred_at``, not booked as an appointment; counted as an appointment made and kept,
    it would lift the invitation arrival rate (邀约到店率) the team is paid on.
    """
    if scheduled_at < booked_at - BOOKING_GRACE:
        raise InvalidInput("scheduled_at", PAST_APPOINTMENT)


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


def check_still_booked(status: str) -> None:
    """Only an appointment still booked can be moved or cancelled: a kept, cancelled or missed one is history."""
    if status != "booked":
        raise DomainError(f"The appointment is {status}; only a booked appointment can be rescheduled or cancelled.")


def local_day_bounds(day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The UTC start and end of a local day (门店日) in the store's zone: [midnight, next midnight)."""
    start = datetime.combine(day, time.min, tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)
    return start.astimezone(UTC), end.astimezone(UTC)


def no_show_cutoff(now: datetime, zone: ZoneInfo) -> datetime:
    """Appointments scheduled before this moment and still booked are no-shows (爽约).

    An appointment not kept by the end of its local day is missed: the cutoff is the start of today in
    the store's zone, so one for 21:00 today is not missed before midnight.
    """
    return local_day_bounds(now.astimezone(zone).date(), zone)[0]


def check_referrer(source: str, referrer_phone: str | None, phone: str) -> None:
    """A referral (转介绍) names the referring customer by phone; no other source names one.

    The referral rate counts leads filed from referrals, so a referral without its referrer, or a referrer
    on a lead from elsewhere, would make it a guess; a customer does not refer themselves.
    """
    if source == "referral" and not referrer_phone:
        raise InvalidInput("referrer_phone", "a lead from a referral names the referring customer's mobile")
    if source != "referral" and referrer_phone is not None:
        raise InvalidInput("referrer_phone", "only a lead with source referral names a referrer")
    if referrer_phone is not None and referrer_phone == phone:
        raise InvalidInput("referrer_phone", "a customer cannot refer themselves")


# --- the DCC's filings and the duty roster (值班表) -----------------------------------------------------------
DCC = "online_sales"  # 网销专员: files and invites, owns no lead
STAFF_ID = r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$"  # a token's sub: letters, digits and . _ @ - (no spaces, no commas)
STATUS_CHANGES = ("lost", "reopened", "owner_changed", "merged", "converted")  # what a lead's status history keeps
REASSIGNED = "reassigned by a sales manager"  # the rule of a manager's hand-over, beside the visit rules


@dataclass(frozen=True)
class Assignment:
    """Who owns a lead being filed: a named consultant, the filer, or the roster's turn (``owner_id`` None)."""

    owner_id: str | None
    assigned_by: str  # "named", "filer" or "roster" (the lead.created event says which)


def owner_on_filing(actor_id: str, role: str, is_manager: bool, named: str | None) -> Assignment:
    """Who owns a new file (建卡): a consultant owns what they file; a manager or the DCC may name the owner;
    the DCC, who owns no lead, otherwise hands it to the consultant on duty whose turn it is (轮流分配)."""
    if named and (is_manager or role == DCC):
        return Assignment(named, "named")
    if role == DCC:
        return Assignment(None, "roster")
    return Assignment(actor_id, "filer")


def consultant_in_turn(consultant_ids: list[str], turn: int, day: date) -> str:
    """The consultant whose turn the ``turn``-th lead of the roster is (1 the first), in the roster's order."""
    if not consultant_ids:
        raise DomainError(f"no consultant on duty on {day.isoformat()}: the sales manager sets the duty roster "
                          "(PUT /api/v1/roster/{date}), or name the owner with owner_id")
    return consultant_ids[(turn - 1) % len(consultant_ids)]


def turn_after_roster_change(old_ids: list[str], new_ids: list[str], turn: int) -> int:
    """A roster set again with the same list keeps its turn; a changed list starts its own rotation at its first
    name, so from the change on each consultant on duty gets one lead before anyone gets another."""
    return turn if old_ids == new_ids else 0


def check_may_invite(owner_id: str, actor_id: str, role: str, is_manager: bool) -> None:
    """An invitation to the store (邀约) is the owner's or a manager's work, and the DCC's on any lead: inviting
    is their job, and they own no lead to invite from."""
    if role != DCC:
        check_may_work_on(owner_id, actor_id, is_manager)


# --- duplicates (one person filed twice under two phones) -----------------------------------------------------
def check_merge(survivor_id: str, duplicate_id: str) -> None:
    """A lead is not merged into itself (checked before either is looked up)."""
    if survivor_id == duplicate_id:
        raise InvalidInput("duplicate_lead_id", "must name another lead than the one it is merged into")


def check_mergeable(survivor_status: str, duplicate_status: str) -> None:
    """A lead already merged, on either side, is closed: merge into the file it survives in instead."""
    if "merged" in (survivor_status, duplicate_status):
        side = "lead to keep" if survivor_status == "merged" else "duplicate"
        raise DomainError(f"The {side} was already merged into another lead; merge with that lead instead.")


def status_after_merge(survivor_status: str, duplicate_status: str) -> str:
    """The survivor keeps its stage, but an order placed on the duplicate makes it a deal (成交): the order is
    the same customer's."""
    return "deal" if duplicate_status == "deal" else survivor_status

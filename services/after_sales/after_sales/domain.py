"""After-sales rules (售后): maintenance, return visits, complaints, claims, grades.

Pure domain: no Flask, SQL or broker; callers pass plain values and store the results.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from decimal import ROUND_HALF_UP, Decimal
from types import MappingProxyType
from typing import Literal

from shared.domain import DomainError, InvalidInput

VisitKind = Literal["delivery", "service"]

SEVERITIES: tuple[str, ...] = ("low", "medium", "high", "critical")
COMPLAINT_OPEN, COMPLAINT_RESOLVED = "open", "resolved"  # 投诉: 处理中 / 已解决
COMPLAINT_CATEGORIES: tuple[str, ...] = (
    "vehicle_quality",  # 车辆质量
    "service_quality",  # 维修保养质量
    "staff_attitude",  # 服务态度
    "waiting_time",  # 等待时间
    "price",  # 价格收费
    "delivery",  # 交车
    "other",
)
VISIT_KINDS: tuple[str, ...] = ("delivery", "service")
VISIT_SCHEDULED, VISIT_COMPLETED = "scheduled", "completed"  # 回访: 待回访 / 已回访
CLAIM_KINDS: tuple[str, ...] = ("warranty", "insurance")  # 保修 / 保险理赔
CLAIM_FILED, CLAIM_APPROVED, CLAIM_REJECTED = "filed", "approved", "rejected"
GRADES: tuple[str, ...] = ("vip", "first", "second", "other")  # VIP / 一级 / 二级 / 其他


@dataclass(frozen=True)
class AfterSalesPolicy:
    """The store's after-sales terms, in one object so a store can tune them."""

    first_service_months: int = 6  # 首保
    first_service_km: int = 5000
    service_interval_months: int = 6  # 定期保养
    service_interval_km: int = 5000
    return_visit_days_after_delivery: int = 3  # 交车回访
    return_visit_days_after_service: int = 2  # 保养回访
    complaint_limits_hours: Mapping[str, int] = field(
        default_factory=lambda: MappingProxyType(
            {"low": 72, "medium": 48, "high": 24, "critical": 4}
        )
    )
    warranty_years: int = 3  # 保修期
    warranty_km: int = 100000
    # Highest grade first: a customer gets the first grade whose floor they reach.
    grade_thresholds: tuple[tuple[str, Decimal], ...] = (
        ("vip", Decimal(500000)),  # VIP客户
        ("first", Decimal(300000)),  # 一级客户
        ("second", Decimal(150000)),  # 二级客户
    )


DEFAULT_POLICY = AfterSalesPolicy()


@dataclass(frozen=True)
class Due:
    """When maintenance falls due: at due_on or due_km, whichever comes first."""

    due_on: date
    due_km: int


def add_months(d: date, months: int) -> date:
    """Step by calendar months, clamped to month end: Aug 31 + 6 months is Feb 28/29."""
    index = d.year * 12 + d.month - 1 + months
    year, month = divmod(index, 12)
    last_day = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(d.day, last_day))


def _check_mileage(field_name: str, mileage_km: int) -> None:
    if mileage_km < 0:
        raise InvalidInput(field_name, "mileage cannot be negative")


def _require_aware(field_name: str, moment: datetime) -> None:
    # Naive and aware times cannot be compared; refuse naive ones at the door.
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise InvalidInput(field_name, "time must carry a timezone")


def local_date(moment: datetime, zone: tzinfo, field_name: str = "at") -> date:
    """The store's calendar day of an instant: a 01:30 Beijing delivery is that day, not UTC's."""
    _require_aware(field_name, moment)
    return moment.astimezone(zone).date()


# --- Customer file (客户档案) ---

PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
# Province, issuing-office letter, then 5 characters (6 for new-energy plates); no I or O.
_PLATE = re.compile(rf"^[{PROVINCES}][A-HJ-NP-Z][A-HJ-NP-Z0-9]{{4,5}}[A-HJ-NP-Z0-9挂学警]$")


_VIN = re.compile(r"^[A-HJ-NPR-Z0-9]{17}$")  # ISO 3779: 17 characters, never I, O or Q


def normalise_vin(raw: str, field_name: str = "vin") -> str:
    """A VIN (车架号) in ISO 3779 shape; a car bought elsewhere may be an import without the check digit."""
    vin = (raw or "").strip().upper()
    if not _VIN.match(vin):
        raise InvalidInput(field_name, "must be 17 letters and digits, without I, O or Q")
    return vin


def normalise_plate(raw: str) -> str:
    """A mainland plate (车牌号) as the registry writes it: 京A12345, 粤BD12345."""
    plate = re.sub(r"[\s·.\-]", "", raw or "").upper()
    if not _PLATE.match(plate):
        raise InvalidInput(
            "plate", "must be a mainland plate: province, letter, 5 or 6 characters (京A12345)"
        )
    return plate


# --- Maintenance reminders (保养提醒) ---


def first_service_due(
    delivered_on: date, policy: AfterSalesPolicy = DEFAULT_POLICY
) -> Due:
    """The first service (首保) falls due a set time or mileage after delivery."""
    return Due(
        add_months(delivered_on, policy.first_service_months), policy.first_service_km
    )


def next_service_due(
    service_date: date, mileage_km: int, policy: AfterSalesPolicy = DEFAULT_POLICY
) -> Due:
    """Each service record sets the next due date and mileage from that visit."""
    _check_mileage("mileage_km", mileage_km)
    return Due(
        add_months(service_date, policy.service_interval_months),
        mileage_km + policy.service_interval_km,
    )


def check_service_record(
    service_date: date,
    mileage_km: int,
    delivered_on: date,
    today: date,
    last_service_on: date | None,
    last_mileage_km: int | None,
) -> None:
    """A service record must fit the car's history, or the next due date would be wrong."""
    _check_mileage("mileage_km", mileage_km)
    if service_date < delivered_on:
        raise InvalidInput("service_date", f"is before the car's delivery on {delivered_on}")
    if service_date > today:
        raise InvalidInput("service_date", "cannot be in the future")
    if last_service_on is not None and service_date < last_service_on:
        raise InvalidInput(
            "service_date", f"is before the last recorded service on {last_service_on}"
        )
    if last_mileage_km is not None and mileage_km < last_mileage_km:
        raise InvalidInput(
            "mileage_km", f"is below the last recorded mileage of {last_mileage_km} km"
        )


def is_due(due: Due, today: date, current_km: int | None, window_days: int = 0) -> bool:
    """Remind the customer once the date is in the window or the mileage is reached."""
    if window_days < 0:
        raise InvalidInput("window_days", "window cannot be negative")
    if due.due_on <= today + timedelta(days=window_days):
        return True
    return current_km is not None and current_km >= due.due_km


# --- Return visits (回访) ---


def return_visit_date(
    after: date, kind: VisitKind, policy: AfterSalesPolicy = DEFAULT_POLICY
) -> date:
    """Call the customer a few days after delivery or a service, while it is fresh."""
    days = {
        "delivery": policy.return_visit_days_after_delivery,
        "service": policy.return_visit_days_after_service,
    }
    if kind not in days:
        raise InvalidInput(
            "kind", f"unknown return visit kind {kind!r}: delivery or service"
        )
    return after + timedelta(days=days[kind])


def validate_satisfaction(score: int) -> int:
    """Satisfaction (满意度) is scored 1 to 5 so the CSI average stays comparable."""
    if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
        raise InvalidInput("satisfaction", "score must be a whole number from 1 to 5")
    return score


def opens_complaint(score: int) -> bool:
    """An unhappy return visit (score 1 or 2) becomes a complaint so someone owns it."""
    return validate_satisfaction(score) <= 2


def complaint_from_return_visit(kind: VisitKind, score: int) -> tuple[str, str]:
    """Category and severity of the complaint an unhappy call opens: a 1 is graver than a 2."""
    if not opens_complaint(score):
        raise InvalidInput("satisfaction", "only a score of 1 or 2 opens a complaint")
    category = "delivery" if kind == "delivery" else "service_quality"
    return category, "high" if score == 1 else "medium"


QUESTIONS: tuple[str, ...] = ("sales_process", "delivery", "facility")  # 销售流程 / 交车 / 设施, 1-5 each
RECOMMEND = "recommend"  # 推荐意愿, 0-10


def check_answers(answers: Mapping[str, int]) -> dict[str, int]:
    """The questionnaire (问卷): three answers 1-5 and would-recommend 0-10, all four given."""
    checked = {}
    for name, top, bottom in (*((q, 5, 1) for q in QUESTIONS), (RECOMMEND, 10, 0)):
        value = answers.get(name)
        if isinstance(value, bool) or not isinstance(value, int) or not bottom <= value <= top:
            raise InvalidInput(f"answers.{name}", f"must be a whole number from {bottom} to {top}")
        checked[name] = value
    return checked


def csi(answers: Mapping[str, int]) -> Decimal:
    """CSI (满意度指数): the average of the three 1-5 answers, to two places."""
    total = sum(Decimal(answers[q]) for q in QUESTIONS)
    return (total / len(QUESTIONS)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def satisfaction_of(csi_score: Decimal) -> int:
    """The 1-5 satisfaction a questionnaire stands for when none is given: its CSI rounded half up."""
    return int(csi_score.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def nps(recommend_scores: Iterable[int]) -> Decimal | None:
    """NPS: % promoters (9-10) minus % detractors (0-6), to one place; None without answers."""
    scores = list(recommend_scores)
    if not scores:
        return None
    promoters, detractors = sum(s >= 9 for s in scores), sum(s <= 6 for s in scores)
    return (Decimal(100 * (promoters - detractors)) / len(scores)).quantize(Decimal("0.1"), ROUND_HALF_UP)


# --- Complaints (投诉) ---


def complaint_deadline(
    opened_at: datetime, severity: str, policy: AfterSalesPolicy = DEFAULT_POLICY
) -> datetime:
    """The time by which a complaint must be resolved; graver ones get less time."""
    _require_aware("opened_at", opened_at)
    if severity not in SEVERITIES or severity not in policy.complaint_limits_hours:
        raise InvalidInput(
            "severity", f"unknown severity {severity!r}: {', '.join(SEVERITIES)}"
        )
    return opened_at + timedelta(hours=policy.complaint_limits_hours[severity])


def should_escalate(
    status: str, escalated: bool, deadline: datetime, now: datetime
) -> bool:
    """Escalate (升级) an open complaint once, as soon as it runs past its deadline."""
    _require_aware("deadline", deadline)
    _require_aware("now", now)
    return status == COMPLAINT_OPEN and not escalated and now > deadline


def resolve(status: str, note: str) -> str:
    """Close a complaint; the note records what was done for the customer."""
    if status == COMPLAINT_RESOLVED:
        raise DomainError("complaint is already resolved")
    if status != COMPLAINT_OPEN:
        raise InvalidInput("status", f"unknown complaint status {status!r}")
    if not note.strip():
        raise InvalidInput("note", "a resolution note is required")
    return COMPLAINT_RESOLVED


# --- Warranty (保修) and insurance (保险理赔) claims ---


def warranty_last_day(
    delivered_on: date, policy: AfterSalesPolicy = DEFAULT_POLICY
) -> date:
    """Last day of cover: the day before the delivery anniversary ends the term."""
    return add_months(delivered_on, policy.warranty_years * 12) - timedelta(days=1)


def check_claim_date(claim_date: date, delivered_on: date, today: date) -> None:
    """A claim is for something that happened to the car while the customer had it, up to today."""
    if claim_date > today:
        raise InvalidInput("claim_date", "cannot be in the future")
    if claim_date < delivered_on:
        raise InvalidInput("claim_date", f"is before the car's delivery on {delivered_on}")


def check_warranty(
    delivered_on: date,
    claim_date: date,
    mileage_km: int | None,
    policy: AfterSalesPolicy = DEFAULT_POLICY,
) -> None:
    """Refuse a warranty claim for a car past its term in years or km, saying which."""
    if claim_date < delivered_on:
        raise InvalidInput("claim_date", "claim date is before delivery")
    last_day = warranty_last_day(delivered_on, policy)
    reasons: list[str] = []
    if claim_date > last_day:
        reasons.append(f"warranty of {policy.warranty_years} years ended on {last_day}")
    if mileage_km is not None:
        _check_mileage("mileage_km", mileage_km)
        if mileage_km > policy.warranty_km:
            reasons.append(
                f"warranty ended at {policy.warranty_km} km, car has {mileage_km} km"
            )
    if reasons:
        raise DomainError("out of warranty: " + "; ".join(reasons))


def decide_claim(status: str, approved: bool, reason: str = "") -> str:
    """Approve or reject a filed claim once; a rejection must tell the customer why."""
    if status in (CLAIM_APPROVED, CLAIM_REJECTED):
        raise DomainError(f"claim is already {status}")
    if status != CLAIM_FILED:
        raise InvalidInput("status", f"unknown claim status {status!r}")
    if approved:
        return CLAIM_APPROVED
    if not reason.strip():
        raise InvalidInput("reason", "a rejection needs a reason")
    return CLAIM_REJECTED


# --- Customer grade (客户等级) ---


def customer_spend(
    car_prices: Iterable[Decimal], service_costs: Iterable[Decimal]
) -> Decimal:
    """What a customer has spent with the store: cars bought plus services paid."""
    return sum(car_prices, Decimal(0)) + sum(service_costs, Decimal(0))


def spend_window_start(today: date) -> date:
    """The first day of "the last 12 months" a grade counts spend from: today 12 calendar months back, + 1 day."""
    return add_months(today, -12) + timedelta(days=1)


def customer_grade(
    total_spent: Decimal, policy: AfterSalesPolicy = DEFAULT_POLICY
) -> str:
    """Grade a customer by spend so the best customers get the best service."""
    if total_spent < 0:
        raise InvalidInput("total_spent", "spend cannot be negative")
    for grade, floor in policy.grade_thresholds:
        if total_spent >= floor:
            return grade
    return "other"

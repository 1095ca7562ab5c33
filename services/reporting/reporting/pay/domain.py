"""The store's pay rules, free of any framework: who reads what, the scorecard sheet, commission (提成).

Who reads: a sales manager every group; a group's supervisor (主管, whoever the group names, whatever
their role) their groups; a consultant their own commission rows. Meetings, weekly plans: the group's
supervisor or a sales manager records them. The groups' and weekly reports are also the back office's
and ops' to read, like every report.

The scorecard (绩效考核表): a line scores weight × min(actual ÷ target, 1) × 100, weights as fractions
that add up to 1, so the card's total is 0–100; computed in Decimal and rounded half-up to 2 places
at the end (each line's score for display, the total from the unrounded lines).

Commission (提成), per group and month: each unit a member delivers earns CNY 50 when the group's
unit completion is 100% or more, completion × 50 below; for each model class whose target the group
reached less than 90% of, each member's commission is reduced by that class's deduction (扣发, CNY
100–300, default 200); never below zero. A class with no target is not checked; a group with no
target has no completion, and its units earn nothing.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

MANAGER = "sales_manager"
REPORT_READERS = ("sales_manager", "ops", "back_office")  # every group's groups and weekly reports
MEMBER_ROLES = ("consultant", "online_sales")  # read their own commission rows

CENTS, RATE_PLACES = Decimal("0.01"), Decimal("0.0001")
ONE, HUNDRED = Decimal(1), Decimal(100)


@dataclass(frozen=True)
class SheetLine:
    """One line of the scorecard (绩效考核表): its KPI, weight and target, both as fractions."""

    line: int
    kpi: str
    weight: Decimal
    target: Decimal


KPIS = (  # each line's KPI in order; lines 2–6 are the group funnel's rates of the same name
    "meetings_on_time",  # 1 晨会夕会: on-time meetings with minutes ÷ meetings due
    "filing_rate",  # 2 小组建卡率
    "return_visit_rate",  # 3 小组再回展厅率
    "appointment_arrival_rate",  # 4 邀约到店率
    "test_drive_rate",  # 5 试乘试驾率
    "conversion_30d",  # 6 30天转化率
    "unit_completion",  # 7 销量完成率
)
# DOMAIN.md's sheet for the online-sales supervisor: weights 20/15/10/15/10/10/20, targets 100/90/23/22/60/13/100%.
DEFAULT_WEIGHTS = ("0.20", "0.15", "0.10", "0.15", "0.10", "0.10", "0.20")
DEFAULT_TARGETS = ("1.00", "0.90", "0.23", "0.22", "0.60", "0.13", "1.00")
DEFAULT_SHEET = tuple(SheetLine(n, kpi, Decimal(w), Decimal(t))
                      for n, (kpi, w, t) in enumerate(zip(KPIS, DEFAULT_WEIGHTS, DEFAULT_TARGETS, strict=True), 1))

FULL_RATE = Decimal(50)  # CNY per unit at 100% completion or more
CLASS_THRESHOLD = Decimal("0.90")  # each model class's share of its target for full pay
DEFAULT_DEDUCTION, MIN_DEDUCTION, MAX_DEDUCTION = Decimal(200), Decimal(100), Decimal(300)  # 扣发 per class, CNY


def cents(value: Decimal) -> Decimal:
    """Money and scores: half-up to 2 places."""
    return value.quantize(CENTS, rounding=ROUND_HALF_UP)


def four_places(value: Decimal) -> Decimal:
    """Rates and completions as shown: half-up to 4 places."""
    return value.quantize(RATE_PLACES, rounding=ROUND_HALF_UP)


def ratio(numerator: Decimal | int, denominator: Decimal | int) -> Decimal:
    """A rate as a Decimal; 0 when there is nothing to divide by."""
    return Decimal(numerator) / Decimal(denominator) if denominator else Decimal(0)


def line_score(weight: Decimal, target: Decimal, actual: Decimal) -> Decimal:
    """weight × min(actual ÷ target, 1) × 100, unrounded; a line with a zero target is met."""
    reached = min(actual / target, ONE) if target else ONE
    return weight * reached * HUNDRED


def weights_problem(weights: Iterable[Decimal]) -> str | None:
    """The sheet's weights must add up to 100%."""
    total = sum(weights, Decimal(0))
    return None if total == ONE else f"the weights add up to {total * HUNDRED:f}%, not 100%"


def rate_per_unit(completion: Decimal | None) -> Decimal:
    """CNY 50 a unit at 100% completion or more, completion × 50 below; nothing without a target."""
    if completion is None:
        return Decimal(0)
    return FULL_RATE * min(completion, ONE)


def classes_short(class_units: dict[str, int], class_targets: dict[str, Decimal]) -> list[str]:
    """The model classes with a target the group reached less than 90% of, sorted."""
    return sorted(name for name, target in class_targets.items()
                  if target > 0 and Decimal(class_units.get(name, 0)) / target < CLASS_THRESHOLD)


def net_commission(units: int, completion: Decimal | None, short: list[str],
                   deductions: dict[str, Decimal]) -> tuple[Decimal, Decimal, Decimal]:
    """(gross, deductions, net) of one member in one group, each to the cent; net never below zero."""
    gross = cents(units * rate_per_unit(completion))
    taken = sum((deductions.get(name, DEFAULT_DEDUCTION) for name in short), Decimal(0))
    return gross, cents(taken), cents(max(gross - taken, Decimal(0)))


def day_share(amount: int, days_in_group: int, days_in_month: int) -> Decimal:
    """A moved consultant's target split by the days of the month spent in each group (Decimal, unrounded)."""
    return Decimal(amount) * days_in_group / days_in_month

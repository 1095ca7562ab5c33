"""Where projections keep their rows: the database, or plain dictionaries in unit tests.

A projection asks for the row of a key and changes it; ``row`` creates it with
its defaults when it does not exist yet, so events may arrive in any order.
"""
from __future__ import annotations

from typing import Any, Protocol, TypeVar

from sqlalchemy.orm import Session

from reporting.models import (
    AppointmentFact,
    Base,
    CampaignFact,
    CampaignLeadFact,
    CarDueFact,
    ComplaintFact,
    ConsultantDayCount,
    ConsultantDayPairCount,
    CustomerFact,
    DailyCount,
    DayPairCount,
    InquiryFact,
    LeadFact,
    LostReasonCount,
    NoticeFact,
    OrderFact,
    PaperworkFact,
    PhoneFact,
    QuestionnaireFact,
    ReminderCallFact,
    SaleFact,
    ServiceAppointmentFact,
    VehicleFact,
)

T = TypeVar("T", bound=Base)

# The value a new row starts with, column by column, for the columns that are not nullable.
DEFAULTS: dict[type[Base], dict[str, Any]] = {
    DailyCount: {"value": 0},
    DayPairCount: {"value": 0},
    ConsultantDayCount: {"value": 0},
    ConsultantDayPairCount: {"value": 0},
    LostReasonCount: {"value": 0},
    InquiryFact: {"filed": False, "on_file": False},
    AppointmentFact: {"kept": False, "no_show": False, "cancelled": False},
    LeadFact: {"converted_30d": False, "visit_days": "", "test_drive_days": "", "direct_contact": False,
               "order_entries": ""},
    OrderFact: {"cancelled": False},
    PhoneFact: {"ambiguous": False, "order_entries": "", "unkeyed_ambiguous": False},
    SaleFact: {},
    VehicleFact: {},
    ComplaintFact: {},
    CarDueFact: {},
    CampaignFact: {},
    CampaignLeadFact: {"invited": False},
    # the paperwork and after-sales rows (round 2)
    PaperworkFact: {"loan_disbursed": False, "compulsory_insurance": False, "commercial_insurance": False},
    ReminderCallFact: {}, QuestionnaireFact: {}, CustomerFact: {}, NoticeFact: {"recipients": 0},
    ServiceAppointmentFact: {"kept": False, "missed": False, "cancelled": False},
}


class Facts(Protocol):
    """Rows of the projections, by primary key."""

    def row(self, model: type[T], **key: Any) -> T:
        """The row with this key, created with its defaults when new."""

    def find(self, model: type[T], **key: Any) -> T | None:
        """The row with this key, or None."""


class SqlFacts:
    """Rows in the database, read and written in the caller's transaction.

    Rows already touched in this session are kept at hand (the session only holds
    weak references to unchanged rows), so a batch of events reads each row once.
    """

    def __init__(self, session: Session) -> None:
        self.session = session
        self.at_hand: dict[tuple[type[Base], tuple[tuple[str, Any], ...]], Base] = session.info.setdefault(
            "reporting_rows", {})

    def find(self, model: type[T], **key: Any) -> T | None:
        handle = (model, tuple(sorted(key.items())))
        found = self.at_hand.get(handle)
        if found is not None and found in self.session:  # a rolled-back savepoint drops the rows it added
            return found  # type: ignore[return-value]
        found = self.session.get(model, key)
        if found is not None:
            self.at_hand[handle] = found
        return found  # type: ignore[return-value]

    def row(self, model: type[T], **key: Any) -> T:
        found = self.find(model, **key)
        if found is None:
            found = model(**key, **DEFAULTS.get(model, {}))
            self.session.add(found)
            self.at_hand[(model, tuple(sorted(key.items())))] = found
        return found

    def forget(self) -> None:
        """Let go of the rows at hand (after the session let go of them too)."""
        self.at_hand.clear()


class MemoryFacts:
    """Rows in dictionaries: the projections' unit tests run on these."""

    def __init__(self) -> None:
        self.rows: dict[tuple[type[Base], tuple[tuple[str, Any], ...]], Base] = {}

    def find(self, model: type[T], **key: Any) -> T | None:
        found = self.rows.get((model, tuple(sorted(key.items()))))
        return found  # type: ignore[return-value]

    def row(self, model: type[T], **key: Any) -> T:
        found = self.find(model, **key)
        if found is None:
            found = model(**key, **DEFAULTS.get(model, {}))
            self.rows[(model, tuple(sorted(key.items())))] = found
        return found

    def all(self, model: type[T]) -> list[T]:
        """Every row of one projection."""
        return [row for (kind, _), row in self.rows.items() if kind is model]  # type: ignore[misc]


def count(facts: Facts, day: Any, metric: str, consultant_id: str | None = None, by: int = 1) -> None:
    """Add to one day's count of a metric for a consultant."""
    facts.row(DailyCount, day=day, metric=metric, consultant_id=consultant_id or "").value += by

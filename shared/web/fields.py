"""Marshmallow fields for values several services take: phones, ID numbers, money, times (in the store's zone)."""
from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import marshmallow as ma

from shared.business_time import from_store_time, problem_with, to_store_time
from shared.domain import InvalidInput
from shared.privacy import normalise_phone, validate_id_number

MAX_MONEY = Decimal("100000000.00")


class Phone(ma.fields.String):
    """A mainland mobile number, normalised to 11 digits."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("metadata", {"pattern": r"^1[3-9][0-9]{9}$", "example": "13812345678"})
        super().__init__(**kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        raw = super()._deserialize(value, attr, data, **kwargs)
        try:
            return normalise_phone(raw)
        except InvalidInput as exc:
            raise ma.ValidationError(exc.extra["errors"][exc.field][0]) from None


class IdNumber(ma.fields.String):
    """An 18-character resident ID number with its check character."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("metadata", {"pattern": r"^[0-9]{17}[0-9X]$", "example": "110101199003074514"})
        super().__init__(**kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        raw = super()._deserialize(value, attr, data, **kwargs)
        try:
            return validate_id_number(raw)
        except InvalidInput as exc:
            raise ma.ValidationError(exc.extra["errors"][exc.field][0]) from None


class Money(ma.fields.Decimal):
    """CNY as a decimal string with at most two places ("189900.00"), never a float."""

    def __init__(self, **kwargs: Any) -> None:
        # Documented as what it is on the wire (a decimal string), not as the JSON number apispec would say.
        kwargs.setdefault("metadata", {"type": "string", "pattern": r"^(0|[1-9][0-9]{0,7})(\.[0-9]{1,2})?$",
                                       "example": "189900.00"})
        super().__init__(places=2, as_string=True, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Decimal:
        if isinstance(value, float):
            raise ma.ValidationError('Send money as a decimal string, e.g. "189900.00".')
        try:
            amount = Decimal(str(value))
        except InvalidOperation:
            raise ma.ValidationError("Not a valid amount.") from None
        if not amount.is_finite() or amount.as_tuple().exponent < -2:  # type: ignore[operator]
            raise ma.ValidationError("At most two decimal places.")
        if amount < 0 or amount > MAX_MONEY:
            raise ma.ValidationError(f"Must be between 0 and {MAX_MONEY}.")
        return amount.quantize(Decimal("0.01"))


STORE_TIME_OUT = ("ISO 8601 with the offset of the store's time zone (DEALER_TZ, default Asia/Shanghai: "
                  "+08:00), e.g. 2027-01-05T14:00:00+08:00")
STORE_TIME_IN = ("ISO 8601 date-time. A time without an offset (2027-01-05T14:00:00) is taken in the store's time "
                 "zone (DEALER_TZ, default Asia/Shanghai), as a person at the store means it; with an offset it is "
                 "that moment. Years 2000-2100. Stored in UTC, answered in the store's zone with its offset.")


def _with_metadata(kwargs: dict[str, Any], **defaults: Any) -> dict[str, Any]:
    """``kwargs`` whose ``metadata`` has ``defaults`` for the keys the caller did not set."""
    return {**kwargs, "metadata": {**defaults, **kwargs.get("metadata", {})}}


class StoreTime(ma.fields.DateTime):
    """A time as the store reads it: ISO 8601 in the store's zone (``DEALER_TZ``) with its offset.

    Times are stored in UTC and SQLite hands them back naive; dumped as they came, an appointment made
    for 14:00+08:00 read back as 06:00+00:00, or with no offset at all. Naive values are UTC as stored.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**_with_metadata(kwargs, description=STORE_TIME_OUT, example="2027-01-05T14:00:00+08:00"))

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        if value is None:
            return None
        return to_store_time(value).isoformat()


class AwareDateTime(StoreTime):
    """A time sent in: with its offset that moment, without one the store's time (门店时间); read as UTC.

    A person at the store typing 14:00 means 14:00 in the store, so a naive time is taken in ``DEALER_TZ``
    rather than refused; UTC because SQLite keeps no offset (a +08:00 time stored as given would read back
    8 hours off). Answered, like every time, in the store's zone with its offset.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**_with_metadata(kwargs, description=STORE_TIME_IN))

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> datetime:
        moment = super()._deserialize(value, attr, data, **kwargs)
        if moment.year < 2000 or moment.year > 2100:
            raise ma.ValidationError("Must be between the years 2000 and 2100.")
        return from_store_time(moment)


class OccurredAt(AwareDateTime):
    """When it happened, for a past paper record keyed in now (补录); omitted means now."""

    def __init__(self, **kwargs: Any) -> None:
        description = ("business time of a past record (补录): not in the future, at most a year back; omitted "
                       "means now. " + STORE_TIME_IN)
        super().__init__(load_default=None, allow_none=True, load_only=True,
                         **_with_metadata(kwargs, description=description, example="2026-11-20T09:30:00+08:00"))

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> datetime:
        moment = super()._deserialize(value, attr, data, **kwargs)
        problem = problem_with(moment, datetime.now(UTC))
        if problem:
            raise ma.ValidationError(problem.capitalize() + ".")
        return moment


def text(max_length: int, required: bool = True, **kwargs: Any) -> ma.fields.String:
    """A trimmed text field of bounded length."""
    minimum = 1 if required else 0
    return ma.fields.String(required=required, validate=ma.validate.Length(min=minimum, max=max_length), **kwargs)

"""Marshmallow fields for values several services take: phones, ID numbers, money, times."""
from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import marshmallow as ma

from shared.business_time import problem_with
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


class AwareDateTime(ma.fields.AwareDateTime):
    """An ISO 8601 time that must carry its offset (store time is ambiguous otherwise), read as UTC.

    UTC because SQLite keeps no offset: a +08:00 time stored as given would read back 8 hours off.
    """

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> datetime:
        moment = super()._deserialize(value, attr, data, **kwargs)
        if moment.year < 2000 or moment.year > 2100:
            raise ma.ValidationError("Must be between the years 2000 and 2100.")
        return moment.astimezone(UTC)


class OccurredAt(AwareDateTime):
    """When it happened, for a past paper record keyed in now (补录); omitted means now."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("metadata", {"description": "business time of a past record (补录): not in the "
                                                      "future, at most a year back; omitted means now"})
        super().__init__(load_default=None, allow_none=True, load_only=True, **kwargs)

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

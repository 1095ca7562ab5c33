"""Request and response schemas of the inventory API (also the OpenAPI document)."""
from __future__ import annotations

from datetime import date
from typing import Any

import marshmallow as ma
from marshmallow import validate

from inventory.domain import ModelClass, VehicleKind, VehicleStatus
from inventory.stock import BUCKETS
from shared.web.fields import AwareDateTime, Money, OccurredAt, StoreTime
from shared.web.pagination import PageArgs, page_schema

KINDS = tuple(VehicleKind)
STATUSES = tuple(VehicleStatus)
MODEL_CLASSES = tuple(ModelClass)


# PostgreSQL refuses a NUL in any text, and a name or a filter has no business holding a control character:
# both are 422s naming the field, never a 500.
CONTROL_CHARACTERS = frozenset(map(chr, (*range(32), 127)))


def one_line(value: str) -> None:
    """A one-line name or filter: no control character at all."""
    if CONTROL_CHARACTERS.intersection(value):
        raise ma.ValidationError("must not contain control characters")


def no_nul(value: str) -> None:
    """Free text may break lines, but never hold a NUL."""
    if "\x00" in value:
        raise ma.ValidationError("must not contain a NUL character")


def name_text(max_length: int, **kwargs: Any) -> ma.fields.String:
    """A required one-line name (model, store, holder): 1 to ``max_length`` characters, no control characters."""
    return ma.fields.String(required=True, validate=[validate.Length(min=1, max=max_length), one_line], **kwargs)


def note_text(max_length: int) -> ma.fields.String:
    """An optional free-text note: line breaks allowed, a NUL not."""
    return ma.fields.String(load_default="", validate=[validate.Length(max=max_length), no_nul])


def filter_text(max_length: int, **kwargs: Any) -> ma.fields.String:
    """A text filter of a list: bounded, one line."""
    return ma.fields.String(validate=[validate.Length(max=max_length), one_line], **kwargs)


class VehicleIn(ma.Schema):
    vin = ma.fields.String(required=True, validate=validate.Length(min=1, max=40))  # checked in full by the use case
    model = name_text(100)
    trim = name_text(100)
    color = name_text(50)
    msrp = Money(required=True)
    cost = Money(required=True)
    kind = ma.fields.String(load_default=VehicleKind.STOCK.value, validate=validate.OneOf(KINDS))
    # 车型大类; absent or null: the catalogue's class for the model, else none until the catalogue learns it.
    model_class = ma.fields.String(load_default=None, allow_none=True, validate=validate.OneOf(MODEL_CLASSES))
    location = name_text(100)
    arrived_at = AwareDateTime(load_default=None, allow_none=True)  # default: now; earlier for cars moved in


class VehicleOut(ma.Schema):
    vin = ma.fields.String()
    model = ma.fields.String()
    trim = ma.fields.String()
    color = ma.fields.String()
    msrp = Money()
    cost = Money()
    kind = ma.fields.String()
    model_class = ma.fields.String(allow_none=True)
    status = ma.fields.String()
    location = ma.fields.String()
    arrived_at = StoreTime()
    stock_age_days = ma.fields.Integer()
    received_by = ma.fields.String()
    inspection_notes = ma.fields.String()
    inspected_at = StoreTime(allow_none=True)
    reserved_for_order_id = ma.fields.String(allow_none=True)
    reserved_at = StoreTime(allow_none=True)
    delivered_at = StoreTime(allow_none=True)
    key_holder = ma.fields.String(allow_none=True)


VehiclePage = page_schema(VehicleOut)


FORMATS = ("json", "csv")
MAX_AGE_DAYS = 36600  # a century: anything larger is a typo, not a car
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2999, 12, 31)  # beyond them a date is a typo (and out of range)


def plausible_day(day: date) -> None:
    """A store date from 1900 to 2999: beyond them it is a typo (and past what times can hold)."""
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ma.ValidationError(f"must be between {FIRST_DAY} and {LAST_DAY}")


def _not_reversed(data: dict[str, Any], low: str, high: str) -> None:
    """A range whose end lies before its start is a 422 naming the end."""
    if data.get(low) is not None and data.get(high) is not None and data[low] > data[high]:
        raise ma.ValidationError(f"must not be before {low} ({data[low]})", field_name=high)


class VehicleFilter(PageArgs):
    status = ma.fields.String(validate=validate.OneOf(STATUSES))
    kind = ma.fields.String(validate=validate.OneOf(KINDS))
    model = filter_text(100)
    trim = filter_text(100)
    color = filter_text(50)
    location = filter_text(100)
    reserved_for_order_id = filter_text(36)
    model_class = ma.fields.String(validate=validate.OneOf((*MODEL_CLASSES, "none")))  # none: not classed yet
    # 库龄 in store days; an age filter leaves delivered cars out (they no longer age)
    min_age_days = ma.fields.Integer(validate=validate.Range(min=0, max=MAX_AGE_DAYS))
    max_age_days = ma.fields.Integer(validate=validate.Range(min=0, max=MAX_AGE_DAYS))
    # first arrival at the group, store dates, both ends included
    arrived_from = ma.fields.Date(validate=plausible_day)
    arrived_to = ma.fields.Date(validate=plausible_day)
    format = ma.fields.String(load_default="json", validate=validate.OneOf(FORMATS))  # csv: every match, no paging

    @ma.validates_schema
    def ranges_run_forwards(self, data: dict[str, Any], **_: Any) -> None:
        _not_reversed(data, "min_age_days", "max_age_days")
        _not_reversed(data, "arrived_from", "arrived_to")


class ModelClassIn(ma.Schema):
    model_class = ma.fields.String(required=True, validate=validate.OneOf(MODEL_CLASSES))


class CatalogueModelOut(ma.Schema):
    model = ma.fields.String()
    model_class = ma.fields.String()
    set_by = ma.fields.String()
    set_at = StoreTime()


class ClassifiedModelOut(CatalogueModelOut):
    vehicles_classed = ma.fields.Integer()  # cars of the model received without a class, classed by this change


CataloguePage = page_schema(CatalogueModelOut)


class InspectionIn(ma.Schema):
    passed = ma.fields.Boolean(required=True, truthy={True}, falsy={False})
    notes = note_text(2000)
    occurred_at = OccurredAt()  # the date on the inspection sheet (接车检验单)


class TransferIn(ma.Schema):
    to_location = name_text(100)
    note = note_text(500)


class TransferOut(ma.Schema):
    id = ma.fields.String()
    vin = ma.fields.String()
    from_location = ma.fields.String()
    to_location = ma.fields.String()
    note = ma.fields.String()
    by = ma.fields.String()
    at = StoreTime()


class KeysIn(ma.Schema):
    action = ma.fields.String(required=True, validate=validate.OneOf(("issue", "return")))
    holder = name_text(64)
    purpose = note_text(200)


class KeyMovementOut(KeysIn):
    id = ma.fields.String()
    vin = ma.fields.String()
    by = ma.fields.String()
    at = StoreTime()


class StockFilter(ma.Schema):
    # all: sale stock and the fleet, each on lines of its own; or one kind
    kind = ma.fields.String(load_default="all", validate=validate.OneOf((*KINDS, "all")))
    location = filter_text(100, load_default=None)
    format = ma.fields.String(load_default="json", validate=validate.OneOf(FORMATS))


class StockCounts(ma.Schema):
    on_hand = ma.fields.Integer()
    by_status = ma.fields.Dict(keys=ma.fields.String(validate=validate.OneOf(STATUSES)), values=ma.fields.Integer())
    ageing = ma.fields.Dict(keys=ma.fields.String(validate=validate.OneOf(BUCKETS)), values=ma.fields.Integer())


class StockLine(StockCounts):
    kind = ma.fields.String()  # stock 库存车 | test_drive 试驾车 | demo 展车: never mixed on one line
    model = ma.fields.String()
    trim = ma.fields.String()
    color = ma.fields.String()


class StockOut(ma.Schema):
    as_of = StoreTime()
    as_of_date = ma.fields.Date()  # the store day ages are counted to
    kind = ma.fields.String()
    location = ma.fields.String(allow_none=True)
    items = ma.fields.List(ma.fields.Nested(StockLine))
    totals = ma.fields.Nested(StockCounts)  # the sale stock's (a fleet kind's when only it is asked for)
    by_kind = ma.fields.Dict(keys=ma.fields.String(validate=validate.OneOf(KINDS)),
                             values=ma.fields.Nested(StockCounts))

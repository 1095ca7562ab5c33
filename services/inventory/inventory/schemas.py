"""Request and response schemas of the inventory API (also the OpenAPI document)."""
from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from inventory.domain import ModelClass, VehicleKind, VehicleStatus
from inventory.stock import BUCKETS
from shared.web.fields import AwareDateTime, Money, OccurredAt, StoreTime, text
from shared.web.pagination import PageArgs, page_schema

KINDS = tuple(VehicleKind)
STATUSES = tuple(VehicleStatus)
MODEL_CLASSES = tuple(ModelClass)


class VehicleIn(ma.Schema):
    vin = ma.fields.String(required=True, validate=validate.Length(min=1, max=40))  # checked in full by the use case
    model = text(100)
    trim = text(100)
    color = text(50)
    msrp = Money(required=True)
    cost = Money(required=True)
    kind = ma.fields.String(load_default=VehicleKind.STOCK.value, validate=validate.OneOf(KINDS))
    # 车型大类; absent or null: the catalogue's class for the model, else none until the catalogue learns it.
    model_class = ma.fields.String(load_default=None, allow_none=True, validate=validate.OneOf(MODEL_CLASSES))
    location = text(100)
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


class VehicleFilter(PageArgs):
    status = ma.fields.String(validate=validate.OneOf(STATUSES))
    kind = ma.fields.String(validate=validate.OneOf(KINDS))
    model = ma.fields.String(validate=validate.Length(max=100))
    trim = ma.fields.String(validate=validate.Length(max=100))
    color = ma.fields.String(validate=validate.Length(max=50))
    location = ma.fields.String(validate=validate.Length(max=100))
    reserved_for_order_id = ma.fields.String(validate=validate.Length(max=36))
    model_class = ma.fields.String(validate=validate.OneOf((*MODEL_CLASSES, "none")))  # none: not classed yet


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
    notes = text(2000, required=False, load_default="")
    occurred_at = OccurredAt()  # the date on the inspection sheet (接车检验单)


class TransferIn(ma.Schema):
    to_location = text(100)
    note = text(500, required=False, load_default="")


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
    holder = text(64)
    purpose = text(200, required=False, load_default="")


class KeyMovementOut(KeysIn):
    id = ma.fields.String()
    vin = ma.fields.String()
    by = ma.fields.String()
    at = StoreTime()


class StockFilter(ma.Schema):
    kind = ma.fields.String(load_default=VehicleKind.STOCK.value,
                            validate=validate.OneOf((*KINDS, "all")))
    location = ma.fields.String(load_default=None, validate=validate.Length(max=100))


class StockCounts(ma.Schema):
    on_hand = ma.fields.Integer()
    by_status = ma.fields.Dict(keys=ma.fields.String(validate=validate.OneOf(STATUSES)), values=ma.fields.Integer())
    ageing = ma.fields.Dict(keys=ma.fields.String(validate=validate.OneOf(BUCKETS)), values=ma.fields.Integer())


class StockLine(StockCounts):
    model = ma.fields.String()
    trim = ma.fields.String()
    color = ma.fields.String()


class StockOut(ma.Schema):
    as_of = StoreTime()
    kind = ma.fields.String(allow_none=True)
    location = ma.fields.String(allow_none=True)
    items = ma.fields.List(ma.fields.Nested(StockLine))
    totals = ma.fields.Nested(StockCounts)

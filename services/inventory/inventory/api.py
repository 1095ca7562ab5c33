"""HTTP routes of the inventory service: load the schema, call the use case, dump the answer."""
from __future__ import annotations

from datetime import date
from typing import Any

from inventory import exports, queries, services
from inventory.domain import VehicleKind
from inventory.models import KeyMovement, Transfer, Vehicle
from inventory.schemas import (
    CataloguePage,
    ClassifiedModelOut,
    InspectionIn,
    KeyMovementOut,
    KeysIn,
    ModelClassIn,
    StockFilter,
    StockOut,
    TransferIn,
    TransferOut,
    VehicleFilter,
    VehicleIn,
    VehicleOut,
    VehiclePage,
)
from inventory.stock import local_day, stock_age_days
from shared.business_time import aware
from shared.clock import utcnow
from shared.web import csv_safe
from shared.web.app import db, settings
from shared.web.auth import current_actor, require
from shared.web.blueprint import Blueprint
from shared.web.pagination import PageArgs

blp = Blueprint("inventory", __name__, url_prefix="/api/v1", description="Cars in stock, keys and transfers")
CLERKS = ("inventory_clerk",)
KEY_KEEPERS = ("inventory_clerk", "back_office")
CATALOGUERS = ("sales_manager", "inventory_clerk")  # the manager sets targets per class; the clerk receives cars
READERS = ("consultant", "sales_manager", "back_office", "inventory_clerk", "after_sales", "ops", "service")
VIEW_COLUMNS = tuple(name for name in VehicleOut().fields if hasattr(Vehicle, name))  # once, not per car


def present(car: Vehicle) -> dict[str, Any]:
    """A car with its stock age (库龄) in store days: to now, or to its delivery once it has left stock."""
    view = {column: getattr(car, column) for column in VIEW_COLUMNS}
    until = aware(car.delivered_at) if car.delivered_at is not None else utcnow()
    return {**view, "stock_age_days": stock_age_days(aware(car.arrived_at), until, settings().timezone)}


def _today() -> date:
    return local_day(utcnow(), settings().timezone)


@blp.post("/vehicles")
@blp.arguments(VehicleIn)
@blp.response(201, VehicleOut)
@require(*CLERKS)
def receive_vehicle(data: dict[str, Any]) -> dict[str, Any]:
    """A car arrives (新车入库): VIN checked, then it waits for inspection; a known VIN is 409."""
    return present(services.receive_vehicle(db(), data, current_actor()))


@blp.get("/vehicles")
@blp.arguments(VehicleFilter, location="query")
@blp.response(200, VehiclePage)
@require(*READERS)
def list_vehicles(args: dict[str, Any]) -> Any:
    """Cars, oldest arrival first, filtered by status, kind, model, trim, colour, store, class (车型大类),
    arrival and stock age (库龄); ``?format=csv`` downloads every match."""
    if args["format"] == "csv":
        cars = [present(car) for car in queries.vehicle_list(db(), args, _today(), settings().timezone)]
        return csv_safe.csv_response(*exports.vehicle_table(cars, settings().timezone), f"vehicles-{_today()}")
    page = queries.vehicle_page(db(), args, _today(), settings().timezone)
    return {**page, "items": [present(car) for car in page["items"]]}


@blp.get("/vehicles/<vin>")
@blp.response(200, VehicleOut)
@require(*READERS)
def get_vehicle(vin: str) -> dict[str, Any]:
    """One car; other departments ask here, e.g. whether it is in the test-drive fleet (试驾车)."""
    return present(services.get_vehicle(db(), vin))


@blp.post("/vehicles/<vin>/inspection")
@blp.arguments(InspectionIn)
@blp.response(200, VehicleOut)
@require(*CLERKS)
def inspect_vehicle(data: dict[str, Any], vin: str) -> dict[str, Any]:
    """Arrival inspection (接车检验): pass makes the car available, fail puts it on hold with notes."""
    car = services.inspect_vehicle(db(), vin, data["passed"], data["notes"], current_actor(), data["occurred_at"])
    return present(car)


@blp.post("/vehicles/<vin>/transfers")
@blp.arguments(TransferIn)
@blp.response(201, TransferOut)
@require(*CLERKS)
def transfer_vehicle(data: dict[str, Any], vin: str) -> Transfer:
    """Move a car to another store of the group (调拨)."""
    return services.transfer_vehicle(db(), vin, data, current_actor())


@blp.get("/vehicles/<vin>/transfers")
@blp.response(200, TransferOut(many=True))
@require(*READERS)
def list_transfers(vin: str) -> list[Transfer]:
    """The car's moves between stores, oldest first."""
    return queries.transfers_of(db(), vin)


@blp.post("/vehicles/<vin>/keys")
@blp.arguments(KeysIn)
@blp.response(201, KeyMovementOut)
@require(*KEY_KEEPERS)
def move_keys(data: dict[str, Any], vin: str) -> KeyMovement:
    """Issue the car's keys to someone, or take them back (钥匙管理)."""
    return services.move_keys(db(), vin, data, current_actor())


@blp.get("/vehicles/<vin>/keys")
@blp.response(200, KeyMovementOut(many=True))
@require(*READERS)
def list_key_movements(vin: str) -> list[KeyMovement]:
    """Who held the car's keys, and when."""
    return queries.key_movements_of(db(), vin)


@blp.get("/stock")
@blp.arguments(StockFilter, location="query")
@blp.response(200, StockOut)
@require(*READERS)
def stock(args: dict[str, Any]) -> Any:
    """Counts per model/trim/colour by status, and stock-age buckets (库龄) from arrival at the group;
    sale stock and the test-drive/demo fleet on lines of their own. ``?format=csv`` downloads it."""
    kinds = tuple(VehicleKind) if args["kind"] == "all" else (args["kind"],)
    report = queries.stock_report(db(), utcnow(), settings().timezone, kinds, args["location"])
    if args["format"] == "csv":
        return csv_safe.csv_response(*exports.stock_table(report), f"stock-{report['as_of_date']}")
    return report


@blp.put("/models/<model>")
@blp.arguments(ModelClassIn)
@blp.response(200, ClassifiedModelOut)
@require(*CATALOGUERS)
def classify_model(data: dict[str, Any], model: str) -> dict[str, Any]:
    """Put a model in its class (车型大类); its cars received without a class take it, so targets count them."""
    entry, classed = services.classify_model(db(), model, data["model_class"], current_actor())
    return {"model": entry.model, "model_class": entry.model_class, "set_by": entry.set_by,
            "set_at": entry.set_at, "vehicles_classed": classed}


@blp.get("/models")
@blp.arguments(PageArgs, location="query")
@blp.response(200, CataloguePage)
@require(*READERS)
def list_models(args: dict[str, Any]) -> dict[str, Any]:
    """The model catalogue (车型目录): each model's class, who set it and when."""
    return queries.catalogue_page(db(), args)

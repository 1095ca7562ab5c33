"""Inventory's events: each car's status, kind, place and arrival (库存, 库龄)."""
from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from reporting.dates import aware, parse_time
from reporting.models import VehicleFact
from reporting.projections.common import Projector, business_time, earliest, text
from reporting.projections.facts import Facts


def _car(event: dict[str, Any], facts: Facts) -> VehicleFact:
    return facts.row(VehicleFact, vin=text(event["data"], "vin", event.get("subject", "")).upper())


def _set_status(car: VehicleFact, status: str, at: datetime) -> None:
    """The latest event by business time decides the status, whatever order events arrive in."""
    if car.status_at is None or at >= aware(car.status_at):
        car.status, car.status_at = status, at


def _describe(car: VehicleFact, data: dict[str, Any]) -> None:
    for field in ("model", "trim", "color"):
        if data.get(field) and not getattr(car, field):
            setattr(car, field, str(data[field]))


def vehicle_received(event: dict[str, Any], facts: Facts, tz: ZoneInfo) -> None:
    """A new car in (新车入库): its stock age counts from here, even across transfers."""
    data, car = event["data"], _car(event, facts)
    _describe(car, data)
    car.kind = text(data, "kind", car.kind or "stock")
    car.location = car.location or text(data, "location")
    arrived = parse_time(data.get("arrived_at")) or business_time(event, "at")
    car.arrived_at = earliest(aware(car.arrived_at) if car.arrived_at else None, arrived)
    _set_status(car, text(data, "status", "pending_inspection"), arrived)


def vehicle_inspected(event: dict[str, Any], facts: Facts, tz: ZoneInfo) -> None:
    """Arrival inspection (接车检验): for sale, or on hold until fixed."""
    data = event["data"]
    status = text(data, "status") or ("available" if data.get("passed") else "on_hold")
    _set_status(_car(event, facts), status, business_time(event, "at"))


def vehicle_reserved(event: dict[str, Any], facts: Facts, tz: ZoneInfo) -> None:
    """A car held for an order (配车)."""
    car = _car(event, facts)
    _describe(car, event["data"])
    _set_status(car, "reserved", business_time(event, "at"))


def vehicle_released(event: dict[str, Any], facts: Facts, tz: ZoneInfo) -> None:
    """Back on sale after its order let go of it."""
    _set_status(_car(event, facts), "available", business_time(event, "at"))


def vehicle_delivered(event: dict[str, Any], facts: Facts, tz: ZoneInfo) -> None:
    """Out of stock (出库) on delivery."""
    car, at = _car(event, facts), business_time(event, "at")
    car.delivered_at = at
    _set_status(car, "delivered", at)


def vehicle_transferred(event: dict[str, Any], facts: Facts, tz: ZoneInfo) -> None:
    """Moved to another store (调拨); the stock age keeps counting."""
    _car(event, facts).location = text(event["data"], "to_location")


PROJECTORS: dict[str, Projector] = {
    "inventory.vehicle.received": vehicle_received,
    "inventory.vehicle.inspected": vehicle_inspected,
    "inventory.vehicle.reserved": vehicle_reserved,
    "inventory.vehicle.released": vehicle_released,
    "inventory.vehicle.delivered": vehicle_delivered,
    "inventory.vehicle.transferred": vehicle_transferred,
}

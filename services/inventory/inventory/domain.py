"""Rules for cars in stock (库存): inspection, reservation, outbound, transfer, age, keys.

Functions take any object with a vehicle's attributes (a SQLAlchemy model or a
test fake), check the rule and change the attributes; they never save anything.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum
from typing import Protocol, TypeVar

from shared.domain import DomainError, InvalidInput


class VehicleStatus(StrEnum):
    """Where a car is in its life at the store."""

    IN_TRANSIT = "in_transit"  # 在途
    PENDING_INSPECTION = "pending_inspection"  # 待接车检验
    AVAILABLE = "available"  # 可售
    ON_HOLD = "on_hold"  # 检验未通过, 暂不可售
    RESERVED = "reserved"  # 已配车
    DELIVERED = "delivered"  # 已出库


class VehicleKind(StrEnum):
    """What a car is used for; only stock cars are sold."""

    STOCK = "stock"  # 库存车
    TEST_DRIVE = "test_drive"  # 试驾车
    DEMO = "demo"  # 展车


class ModelClass(StrEnum):
    """A model class (车型大类): unit targets and commission deductions are set per class."""

    SUV = "SUV"
    SEDAN = "sedan"  # 轿车
    MPV = "MPV"
    NEV = "NEV"  # 新能源车
    OTHER = "other"


def class_of_received_car(given: str | None, catalogued: str | None) -> str | None:
    """The class a car arrives with: the clerk's word on the car wins over the catalogue; None when neither
    knows it (old clients send no class, so the car is taken in and classed when the catalogue learns its model)."""
    return given or catalogued


class VehicleLike(Protocol):
    """The attributes these rules read and write."""

    vin: str
    model: str
    trim: str
    color: str
    kind: str
    status: str
    arrived_at: (
        datetime  # arrival at the group; a transfer keeps it, so 库龄 stays honest
    )
    location: str
    reserved_for_order_id: str | None


V = TypeVar("V", bound=VehicleLike)

INSPECTABLE = (VehicleStatus.PENDING_INSPECTION, VehicleStatus.ON_HOLD)
NOT_TRANSFERABLE = (VehicleStatus.RESERVED, VehicleStatus.DELIVERED)


def inspect(vehicle: VehicleLike, passed: bool, notes: str) -> str:
    """Record the arrival inspection (接车检验): a car that fails is not for sale until fixed."""
    if vehicle.status not in INSPECTABLE:
        raise DomainError(
            f"vehicle {vehicle.vin} is {vehicle.status}; only a car pending inspection "
            "or on hold after a failed one can be inspected"
        )
    if not passed and not notes.strip():
        raise InvalidInput("notes", "a failed inspection must say what needs fixing")
    vehicle.status = VehicleStatus.AVAILABLE if passed else VehicleStatus.ON_HOLD
    return vehicle.status


class AllocationStatus(StrEnum):
    """Where an order's claim on a car stands, as inventory records it (配车)."""

    WAITING = "waiting"  # 等车: no matching car yet
    RESERVED = "reserved"  # 已配车
    CANCELLED = "cancelled"  # 已退订: the claim is void
    DELIVERED = "delivered"  # 已出库


def fits_order(vehicle: VehicleLike, model: str, trim: str, color: str, vin: str | None = None) -> bool:
    """Whether a car is what the order asks for; an order naming a VIN may leave the rest empty."""
    wanted = {"model": model, "trim": trim, "color": color}
    if any(value and getattr(vehicle, name) != value for name, value in wanted.items()):
        return False
    if vin is None:
        return all(wanted.values())
    return vehicle.vin == vin.strip().upper()


def choose_vehicle_for_order(
    candidates: Iterable[V], model: str, trim: str, color: str, vin: str | None = None
) -> V | None:
    """Pick the oldest matching stock car, so stock age (库龄) stays low; None means backorder."""
    matching = [
        v
        for v in candidates
        if v.kind == VehicleKind.STOCK
        and v.status == VehicleStatus.AVAILABLE
        and fits_order(v, model, trim, color, vin)
    ]
    return min(matching, key=lambda v: (v.arrived_at, v.vin), default=None)


def is_for_sale(vehicle: VehicleLike) -> bool:
    """Only an available stock car can be reserved for an order."""
    return vehicle.kind == VehicleKind.STOCK and vehicle.status == VehicleStatus.AVAILABLE


def reserve(vehicle: VehicleLike, order_id: str) -> None:
    """Hold a car for one order (配车), so it cannot be sold twice."""
    if vehicle.kind != VehicleKind.STOCK:
        raise DomainError(
            f"vehicle {vehicle.vin} is a {vehicle.kind} car; only stock cars are sold"
        )
    if vehicle.status == VehicleStatus.RESERVED:
        raise DomainError(
            f"vehicle {vehicle.vin} is already reserved for order {vehicle.reserved_for_order_id}"
        )
    if vehicle.status != VehicleStatus.AVAILABLE:
        raise DomainError(
            f"vehicle {vehicle.vin} is {vehicle.status}, not available for sale"
        )
    vehicle.status = VehicleStatus.RESERVED
    vehicle.reserved_for_order_id = order_id


def release(vehicle: VehicleLike, order_id: str) -> None:
    """Put a reserved car back on sale when its order lets go of it (e.g. cancellation)."""
    _require_reserved_for(vehicle, order_id, "release")
    vehicle.status = VehicleStatus.AVAILABLE
    vehicle.reserved_for_order_id = None


def deliver(vehicle: VehicleLike, order_id: str) -> None:
    """Take the car out of stock on delivery (出库); it keeps the order it went to."""
    _require_reserved_for(vehicle, order_id, "deliver")
    vehicle.status = VehicleStatus.DELIVERED


def delivery_time(reported: datetime | None, reserved_at: datetime | None, now: datetime) -> datetime:
    """The day the car left stock: the day the customer took it (a delivery keyed in late keeps its date),
    never in the future nor before the car was reserved; now when orders gave no time."""
    moment = min(reported or now, now)
    return max(moment, reserved_at) if reserved_at is not None else moment


def transfer(vehicle: VehicleLike, to_location: str) -> None:
    """Move a car to another store of the group (调拨); its stock age keeps counting."""
    destination = to_location.strip()
    if not destination:
        raise InvalidInput("to_location", "must name the store the car goes to")
    if vehicle.status in NOT_TRANSFERABLE:
        raise DomainError(
            f"vehicle {vehicle.vin} is {vehicle.status} and cannot be transferred"
        )
    if destination == vehicle.location:
        raise DomainError(f"vehicle {vehicle.vin} is already at {destination}")
    vehicle.location = destination


def issue_key(current_holder: str | None, to: str) -> str:
    """Hand a car's keys to a person (钥匙管理); returns the new holder to record."""
    receiver = to.strip()
    if not receiver:
        raise InvalidInput("to", "must name who takes the keys")
    if current_holder is not None:
        raise DomainError(
            f"the keys are already out with {current_holder}; they must be returned first"
        )
    return receiver


def return_key(current_holder: str | None, by: str) -> None:
    """Accept keys back only from the person who holds them, so custody is never lost."""
    if current_holder is None:
        raise DomainError("the keys are not out; there is nothing to return")
    if current_holder != by.strip():
        raise DomainError(f"the keys are held by {current_holder}, not {by}")


def _require_reserved_for(vehicle: VehicleLike, order_id: str, action: str) -> None:
    """Only the order holding a car may release it or take delivery of it."""
    if vehicle.status != VehicleStatus.RESERVED:
        raise DomainError(
            f"cannot {action} vehicle {vehicle.vin}: it is {vehicle.status}, not reserved"
        )
    if vehicle.reserved_for_order_id != order_id:
        raise DomainError(
            f"cannot {action} vehicle {vehicle.vin}: it is reserved for order "
            f"{vehicle.reserved_for_order_id}, not {order_id}"
        )


def check_keys_in_custody(vehicle: VehicleLike) -> None:
    """A delivered car's keys left with the customer: the store can no longer issue them."""
    if vehicle.status == VehicleStatus.DELIVERED:
        raise DomainError(f"vehicle {vehicle.vin} was delivered; its keys went with it to the customer")

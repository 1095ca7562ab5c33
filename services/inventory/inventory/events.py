"""The events the inventory service publishes: routing keys and payloads.

Vehicle and key events name the car (``subject`` = VIN); a failed reservation
names the order it answers (``subject`` = order id); a catalogue change names the
model (``subject`` = model). Vehicle events carry the car's ``model_class``
(车型大类), null while the catalogue does not know its model.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from inventory.models import Allocation, CatalogueModel, Inspection, KeyMovement, Transfer, Vehicle
from shared.business_time import aware
from shared.envelope import make_event
from shared.outbox import record_event

SERVICE = "inventory"


def publish(session: Session, routing_key: str, subject: str, data: dict[str, Any]) -> None:
    """Write one event to the outbox in the caller's transaction."""
    record_event(session, make_event(SERVICE, routing_key, subject, data))


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def vehicle_received(car: Vehicle) -> dict[str, Any]:
    return {"vin": car.vin, "model": car.model, "trim": car.trim, "color": car.color, "kind": car.kind,
            "model_class": car.model_class, "location": car.location, "msrp": f"{car.msrp:.2f}", "status": car.status,
            "arrived_at": _iso(car.arrived_at)}


def vehicle_inspected(inspection: Inspection, status: str) -> dict[str, Any]:
    return {"vin": inspection.vin, "passed": inspection.passed, "status": status, "notes": inspection.notes,
            "at": _iso(inspection.at)}


def vehicle_reserved(car: Vehicle, order_id: str) -> dict[str, Any]:
    return {"vin": car.vin, "order_id": order_id, "model": car.model, "trim": car.trim, "color": car.color,
            "model_class": car.model_class, "at": _iso(car.reserved_at)}


def reservation_failed(allocation: Allocation, reason: str, at: datetime) -> dict[str, Any]:
    return {"order_id": allocation.order_id, "model": allocation.model, "trim": allocation.trim,
            "color": allocation.color, "vin": allocation.requested_vin, "reason": reason, "at": _iso(at)}


def vehicle_left_order(car: Vehicle, order_id: str, at: datetime) -> dict[str, Any]:
    """Payload of ``released`` and ``delivered``: which car (and its class), which order, when."""
    return {"vin": car.vin, "order_id": order_id, "model_class": car.model_class, "at": _iso(at)}


def vehicle_transferred(transfer: Transfer, car: Vehicle) -> dict[str, Any]:
    """The move, and the car's first arrival at the group, which the move does not reset (库龄)."""
    return {"vin": transfer.vin, "from_location": transfer.from_location, "to_location": transfer.to_location,
            "at": _iso(transfer.at), "arrived_at": _iso(aware(car.arrived_at))}


def model_classified(entry: CatalogueModel) -> dict[str, Any]:
    return {"model": entry.model, "model_class": entry.model_class, "set_by": entry.set_by,
            "set_at": _iso(entry.set_at)}


def key_moved(movement: KeyMovement) -> dict[str, Any]:
    return {"vin": movement.vin, "holder": movement.holder, "by": movement.by, "at": _iso(movement.at)}

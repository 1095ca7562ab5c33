"""Reads of the inventory service for its lists and the stock report: the SQL the routes need lives here."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from inventory.models import CatalogueModel, KeyMovement, Transfer, Vehicle
from inventory.services import get_vehicle
from inventory.stock import summarise
from shared.business_time import aware
from shared.web.pagination import page_of

EQUAL_FILTERS = ("status", "kind", "model", "trim", "color", "location", "reserved_for_order_id")


def vehicle_page(session: Session, filters: dict[str, Any]) -> dict[str, Any]:
    """One page of cars, oldest arrival first, filtered by status, kind, model, trim, colour, store and class
    (``model_class=none``: the cars still waiting for the catalogue to class their model)."""
    query = select(Vehicle).order_by(Vehicle.arrived_at, Vehicle.vin)
    for column in EQUAL_FILTERS:
        if column in filters:
            query = query.where(getattr(Vehicle, column) == filters[column])
    if "model_class" in filters:
        wanted = filters["model_class"]
        query = query.where(Vehicle.model_class.is_(None) if wanted == "none" else Vehicle.model_class == wanted)
    return page_of(session, query, filters["page"], filters["page_size"])


def catalogue_page(session: Session, filters: dict[str, Any]) -> dict[str, Any]:
    """One page of the model catalogue (车型目录), by model name."""
    query = select(CatalogueModel).order_by(CatalogueModel.model)
    return page_of(session, query, filters["page"], filters["page_size"])


def transfers_of(session: Session, vin: str) -> list[Transfer]:
    """A car's moves between stores, oldest first (404 for an unknown car)."""
    car = get_vehicle(session, vin)
    return list(session.scalars(select(Transfer).where(Transfer.vin == car.vin).order_by(Transfer.at)))


def key_movements_of(session: Session, vin: str) -> list[KeyMovement]:
    """Who held a car's keys, and when, oldest first (404 for an unknown car)."""
    car = get_vehicle(session, vin)
    return list(session.scalars(select(KeyMovement).where(KeyMovement.vin == car.vin).order_by(KeyMovement.at)))


def stock_report(session: Session, now: datetime, kind: str | None, location: str | None) -> dict[str, Any]:
    """The stock report (库存报表) over the cars of one kind (all kinds when None), at one store or all."""
    query = select(Vehicle.model, Vehicle.trim, Vehicle.color, Vehicle.status, Vehicle.arrived_at)
    if kind:
        query = query.where(Vehicle.kind == kind)
    if location:
        query = query.where(Vehicle.location == location)
    rows = [(m, t, c, s, aware(a)) for m, t, c, s, a in session.execute(query)]
    return {"as_of": now, "kind": kind, "location": location, **summarise(rows, now)}

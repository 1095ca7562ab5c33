"""Reads of the inventory service for its lists and the stock report: the SQL the routes need lives here."""
from __future__ import annotations

from datetime import date, datetime, timedelta, tzinfo
from typing import Any

from sqlalchemy import Select, case, func, literal, select
from sqlalchemy.orm import Session

from inventory.domain import VehicleStatus
from inventory.models import CatalogueModel, KeyMovement, Transfer, Vehicle
from inventory.services import get_vehicle
from inventory.stock import Counted, arrival_window, band_starts, local_day, start_of_day, summarise
from shared.web.pagination import page_of

EQUAL_FILTERS = ("status", "kind", "model", "trim", "color", "location", "reserved_for_order_id")


def vehicle_page(session: Session, filters: dict[str, Any], today: date, zone: tzinfo) -> dict[str, Any]:
    """One page of cars, oldest arrival first, filtered as ``_vehicles`` says."""
    return page_of(session, _vehicles(filters, today, zone), filters["page"], filters["page_size"])


def vehicle_list(session: Session, filters: dict[str, Any], today: date, zone: tzinfo) -> list[Vehicle]:
    """Every car the filters ask for, oldest arrival first (the CSV export: no paging)."""
    return list(session.scalars(_vehicles(filters, today, zone)))


def _vehicles(filters: dict[str, Any], today: date, zone: tzinfo) -> Select[tuple[Vehicle]]:
    """Cars filtered by status, kind, model, trim, colour, store, order, class (``model_class=none``: not
    classed yet), first arrival at the group (store dates) and stock age (库龄, store days). An age filter
    asks about cars still held: a delivered car has left stock and no longer ages, so it is left out."""
    query = select(Vehicle).order_by(Vehicle.arrived_at, Vehicle.vin)
    for column in EQUAL_FILTERS:
        if column in filters:
            query = query.where(getattr(Vehicle, column) == filters[column])
    if "model_class" in filters:
        wanted = filters["model_class"]
        query = query.where(Vehicle.model_class.is_(None) if wanted == "none" else Vehicle.model_class == wanted)
    if "arrived_from" in filters:
        query = query.where(Vehicle.arrived_at >= start_of_day(filters["arrived_from"], zone))
    if "arrived_to" in filters:
        query = query.where(Vehicle.arrived_at < start_of_day(filters["arrived_to"] + timedelta(days=1), zone))
    earliest, before = arrival_window(today, zone, filters.get("min_age_days"), filters.get("max_age_days"))
    if earliest is not None or before is not None:
        query = query.where(Vehicle.status != VehicleStatus.DELIVERED)
    if earliest is not None:
        query = query.where(Vehicle.arrived_at >= earliest)
    if before is not None:
        query = query.where(Vehicle.arrived_at < before)
    return query


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


def stock_report(session: Session, now: datetime, zone: tzinfo, kinds: tuple[str, ...],
                 location: str | None) -> dict[str, Any]:
    """The stock report (库存报表) of the given kinds, at one store or across the group.

    The database counts the cars per kind, configuration, status and age band (the bands' store-day
    starts as bounds on ``arrived_at``), so the report reads a few hundred counts, not every car.
    """
    today = local_day(now, zone)
    band = case(*((Vehicle.arrived_at >= start, name) for name, start in band_starts(today, zone)),
                else_=literal("over_90")).label("band")
    cars = select(Vehicle.kind, Vehicle.model, Vehicle.trim, Vehicle.color, Vehicle.status, band) \
        .where(Vehicle.kind.in_(kinds))
    if location:
        cars = cars.where(Vehicle.location == location)
    banded = cars.subquery()
    counts = select(*banded.c, func.count()).group_by(*banded.c)  # grouped outside: the band's bounds are binds
    counted = [Counted(*row) for row in session.execute(counts)]
    return {"as_of": now, "as_of_date": today, "kind": kinds[0] if len(kinds) == 1 else "all",
            "location": location, **summarise(counted, kinds)}

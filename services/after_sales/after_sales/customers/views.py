"""What each caller may see of a customer: phone, ID number and address in full only for
after-sales coordinators and managers (客户隐私); masked for every other role.
"""
from __future__ import annotations

import re
from typing import Any

from after_sales import domain
from after_sales.customers.schemas import CustomerOut, VehicleOut
from after_sales.domain import AfterSalesPolicy
from after_sales.models import Customer, Vehicle
from shared.actors import Actor
from shared.privacy import mask_id_number, mask_phone

FULL_VIEW_ROLES = ("after_sales",)
_DISTRICT = re.compile(r"^.{1,10}?[区县]")  # 上海市浦东新区 …: the district is shown, the street never


def sees_personal_data(actor: Actor) -> bool:
    """After-sales coordinators and managers see full numbers; everyone else sees them masked."""
    return actor.role in FULL_VIEW_ROLES or actor.is_manager


def phone_for(actor: Actor, phone: str) -> str | None:
    """The phone as this caller may see it."""
    return phone if sees_personal_data(actor) else mask_phone(phone)


def mask_address(address: str | None) -> str | None:
    """上海市浦东新区**** : the district at most (or the first three characters), the rest hidden."""
    if not address:
        return address
    district = _DISTRICT.match(address)
    return (district.group(0) if district else address[:3]) + "****"


def vehicle_view(vehicle: Vehicle, policy: AfterSalesPolicy, history: bool = False) -> dict[str, Any]:
    """A car on file, with its warranty's last day (a car sold here), and its service history when asked."""
    view = {name: getattr(vehicle, name) for name in VehicleOut().fields
            if name not in ("warranty_until", "services", "interval_months", "interval_km")}
    view["interval_months"], view["interval_km"] = vehicle.plan_months, vehicle.plan_km
    sold_here = vehicle.source == "sale"
    view["warranty_until"] = domain.warranty_last_day(vehicle.delivered_on, policy) if sold_here else None
    if history:
        view["services"] = list(vehicle.services)
    return view


def customer_view(customer: Customer, actor: Actor, policy: AfterSalesPolicy,
                  history: bool = False) -> dict[str, Any]:
    """A customer file as this caller may see it."""
    view = {name: getattr(customer, name) for name in CustomerOut().fields if name != "vehicles"}
    if not sees_personal_data(actor):
        view["phone"], view["id_number"] = mask_phone(customer.phone), mask_id_number(customer.id_number)
        view["address"] = mask_address(customer.address)
    view["vehicles"] = [vehicle_view(v, policy, history) for v in customer.vehicles]
    return view

"""What each caller may see of a customer: phone and ID numbers in full only for
after-sales coordinators and managers (客户隐私); masked for every other role.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from after_sales import domain
from after_sales.customers.schemas import CustomerOut, VehicleOut
from after_sales.domain import AfterSalesPolicy
from after_sales.models import Customer, Vehicle
from shared.actors import Actor
from shared.privacy import mask_id_number, mask_phone

FULL_VIEW_ROLES = ("after_sales",)


def sees_personal_data(actor: Actor) -> bool:
    """After-sales coordinators and managers see full numbers; everyone else sees them masked."""
    return actor.role in FULL_VIEW_ROLES or actor.is_manager


def phone_for(actor: Actor, phone: str) -> str | None:
    """The phone as this caller may see it."""
    return phone if sees_personal_data(actor) else mask_phone(phone)


def vehicle_view(vehicle: Vehicle, policy: AfterSalesPolicy, history: bool = False) -> dict[str, Any]:
    """A car on file, with its warranty's last day, and its service history when asked."""
    view = {name: getattr(vehicle, name) for name in VehicleOut().fields if name not in ("warranty_until",
                                                                                          "services")}
    view["warranty_until"] = domain.warranty_last_day(vehicle.delivered_on, policy)
    if history:
        view["services"] = list(vehicle.services)
    return view


def customer_view(customer: Customer, actor: Actor, policy: AfterSalesPolicy,
                  history: bool = False) -> dict[str, Any]:
    """A customer file as this caller may see it."""
    view = {name: getattr(customer, name) for name in CustomerOut().fields if name != "vehicles"}
    if not sees_personal_data(actor):
        view["phone"], view["id_number"] = mask_phone(customer.phone), mask_id_number(customer.id_number)
    view["vehicles"] = [vehicle_view(v, policy, history) for v in customer.vehicles]
    return view


def reminder_view(vehicle: Vehicle, actor: Actor, today: date) -> dict[str, Any]:
    """One car to call about its service (保养提醒), and why it is due."""
    by_mileage = vehicle.last_mileage_km is not None and vehicle.last_mileage_km >= vehicle.next_due_km
    return {"vin": vehicle.vin, "customer_id": vehicle.customer_id, "customer_name": vehicle.customer.name,
            "phone": phone_for(actor, vehicle.customer.phone), "model": vehicle.model, "plate": vehicle.plate,
            "delivered_on": vehicle.delivered_on, "next_due_on": vehicle.next_due_on,
            "next_due_km": vehicle.next_due_km, "last_service_on": vehicle.last_service_on,
            "last_mileage_km": vehicle.last_mileage_km,
            "due_by": "mileage" if by_mileage and vehicle.next_due_on > today else "date",
            "days_overdue": (today - vehicle.next_due_on).days}

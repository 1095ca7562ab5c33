"""HTTP routes of customer files, plates, service records and reminders (客户档案, 保养提醒)."""
from __future__ import annotations

from typing import Any

from after_sales.customers import queries, services
from after_sales.customers.schemas import (
    CustomerFilter,
    CustomerOut,
    CustomerPage,
    PlateIn,
    ReminderPage,
    ServiceRecordFilter,
    ServiceRecordIn,
    ServiceRecordOut,
    ServiceRecordPage,
    VehicleOut,
    WindowArgs,
)
from after_sales.customers.views import customer_view, reminder_view, vehicle_view
from after_sales.web import FILE_READERS, LIST_READERS, WRITERS, policy, store_today, window
from shared.web.app import db
from shared.web.auth import current_actor, require
from shared.web.blueprint import Blueprint
from shared.web.pagination import page_of

blp = Blueprint("customers", __name__, url_prefix="/api/v1", description="Customer files, services, reminders")
REMINDER_WINDOW_DAYS = 30


@blp.get("/customers")
@blp.arguments(CustomerFilter, location="query")
@blp.response(200, CustomerPage)
@require(*FILE_READERS)
def list_customers(args: dict[str, Any]) -> dict[str, Any]:
    """Customer files, newest first, by phone, VIN, grade or name."""
    page = page_of(db(), queries.customers(args), args["page"], args["page_size"])
    return {**page, "items": [customer_view(c, current_actor(), policy()) for c in page["items"]]}


@blp.get("/customers/<customer_id>")
@blp.response(200, CustomerOut)
@require(*FILE_READERS)
def get_customer(customer_id: str) -> dict[str, Any]:
    """One customer file with each car's service history."""
    return customer_view(services.get_customer(db(), customer_id), current_actor(), policy(), history=True)


@blp.put("/customers/<customer_id>/vehicles/<vin>/plate")
@blp.arguments(PlateIn)
@blp.response(200, VehicleOut)
@require(*WRITERS)
def register_plate(data: dict[str, Any], customer_id: str, vin: str) -> dict[str, Any]:
    """Set the car's plate (车牌号) once it is registered (上牌)."""
    return vehicle_view(services.register_plate(db(), customer_id, vin, data["plate"]), policy())


@blp.post("/service-records")
@blp.arguments(ServiceRecordIn)
@blp.response(201, ServiceRecordOut)
@require(*WRITERS)
def record_service(data: dict[str, Any]) -> Any:
    """Record a service (保养/维修): it sets the next due date and books a return visit."""
    return services.record_service(db(), data, current_actor(), policy(), store_today())


@blp.get("/service-records")
@blp.arguments(ServiceRecordFilter, location="query")
@blp.response(200, ServiceRecordPage)
@require(*LIST_READERS)
def list_service_records(args: dict[str, Any]) -> dict[str, Any]:
    """Service history, newest first, by car or customer."""
    return page_of(db(), queries.service_records(args), args["page"], args["page_size"])


@blp.get("/reminders")
@blp.arguments(WindowArgs, location="query")
@blp.response(200, ReminderPage)
@require(*LIST_READERS)
def list_reminders(args: dict[str, Any]) -> dict[str, Any]:
    """Services due in the window (default: overdue or due within 30 days), oldest first (保养提醒)."""
    due_from, due_to = window(args, REMINDER_WINDOW_DAYS)
    assert due_to is not None
    page = page_of(db(), queries.reminders(due_from, due_to), args["page"], args["page_size"])
    today = store_today()
    return {**page, "items": [reminder_view(v, current_actor(), today) for v in page["items"]]}

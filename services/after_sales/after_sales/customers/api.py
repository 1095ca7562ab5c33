"""HTTP routes of customer files, walk-in owners, plates and service records (客户档案, 外购车, 保养)."""
from __future__ import annotations

from typing import Any

from after_sales.customers import queries, services
from after_sales.customers.schemas import (
    CustomerFilter,
    CustomerOut,
    CustomerPage,
    PlateIn,
    ServiceRecordFilter,
    ServiceRecordIn,
    ServiceRecordOut,
    ServiceRecordPage,
    VehicleOut,
    WalkInIn,
)
from after_sales.customers.views import customer_view, mask_address, vehicle_view
from after_sales.web import FILE_READERS, LIST_READERS, WRITERS, policy, store_today
from shared.business_time import store_zone
from shared.web.app import db
from shared.web.auth import current_actor, require
from shared.web.blueprint import Blueprint
from shared.web.pagination import page_of

blp = Blueprint("customers", __name__, url_prefix="/api/v1", description="Customer files, walk-ins, services")


@blp.get("/customers")
@blp.arguments(CustomerFilter, location="query")
@blp.response(200, CustomerPage)
@require(*FILE_READERS)
def list_customers(args: dict[str, Any]) -> dict[str, Any]:
    """Customer files, newest first, by phone, VIN, grade or name."""
    page = page_of(db(), queries.customers(args), args["page"], args["page_size"])
    return {**page, "items": [customer_view(c, current_actor(), policy()) for c in page["items"]]}


@blp.post("/customers")
@blp.arguments(WalkInIn)
@blp.response(201, CustomerOut)
@blp.alt_response(200, schema=CustomerOut, description="the phone already had a file: the car joined it")
@require(*WRITERS)
def file_walk_in(data: dict[str, Any]) -> tuple[dict[str, Any], int]:
    """File a car bought elsewhere (外购车) and its owner; one phone, one file: a known phone gets the car added
    (200, the file it joined). The answer shows the address masked, as it may be stored for a replay; the file
    (GET) shows it in full to those allowed."""
    customer, is_new = services.open_walk_in_file(db(), data, policy(), store_today(), store_zone())
    view = customer_view(customer, current_actor(), policy())
    return {**view, "address": mask_address(customer.address)}, 201 if is_new else 200


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

"""One stored thing of each kind per service, so generated requests reach past "not found".

``seed(service, app)`` returns real values for the path parameters of that service's routes
(``lead_id``, ``order_id``, ``vin``, ...). Each seed goes through the service's own API, except
the after-sales customer file, which only a delivery event opens (applied through its handler).
``VALID_BODIES`` holds request bodies the main creating routes accept.
"""
from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from flask import Flask
from security_kit import headers_for

from shared.envelope import make_event

VIN = "LSVAU2182N2183290"
PHONE, ID_NUMBER = "13800138000", "110101199003074514"


def _post(app: Flask, role: str, path: str, body: dict[str, Any], method: str = "POST") -> dict[str, Any]:
    response = app.test_client().open(path, method=method, json=body, headers=headers_for(role, "seed"))
    assert response.status_code in (200, 201, 202), (path, response.get_json())
    return dict(response.get_json())


def _leads(app: Flask) -> dict[str, str]:
    lead = _post(app, "consultant", "/api/v1/leads", {"name": "Wang Lei", "phone": PHONE, "source": "walk_in",
                                                     "model_interest": "Aurora", "id_number": ID_NUMBER})
    inquiry = _post(app, "consultant", "/api/v1/inquiries", {"channel": "phone", "phone": "13900139000"})
    roster = _post(app, "sales_manager", "/api/v1/roster/2026-11-23", {"consultant_ids": ["c1", "c2"]},
                   method="PUT")
    return {"lead_id": lead["id"], "inquiry_id": inquiry["id"], "date": roster["date"]}


def _orders(app: Flask) -> dict[str, str]:
    order = _post(app, "consultant", "/api/v1/orders", {
        "customer": {"name": "Wang Lei", "phone": PHONE, "id_number": ID_NUMBER},
        "vehicle": {"model": "Aurora", "trim": "2.0T Luxury", "color": "white"},
        "msrp": "199900.00", "price": "189900.00", "deposit": "5000.00"})
    return {"order_id": order["id"]}


def _inventory(app: Flask) -> dict[str, str]:
    _post(app, "inventory_clerk", "/api/v1/vehicles", {
        "vin": VIN, "model": "Aurora", "trim": "2.0T Luxury", "color": "white", "msrp": "199900.00",
        "cost": "171000.00", "location": "main"})
    _post(app, "inventory_clerk", f"/api/v1/vehicles/{VIN}/inspection", {"passed": True})
    return {"vin": VIN}


def _after_sales(app: Flask) -> dict[str, str]:
    from sqlalchemy import select

    from after_sales.consumers import order_delivered
    from after_sales.models import Customer, ReturnVisit

    order_id = str(uuid.uuid4())
    event = make_event("orders", "orders.order.delivered", order_id, {
        "order_id": order_id, "lead_id": None, "consultant_id": "c1",
        "customer": {"name": "Wang Lei", "phone": PHONE, "id_number": ID_NUMBER}, "vin": VIN, "model": "Aurora",
        "trim": "2.0T Luxury", "color": "white", "msrp": "199900.00", "price": "189900.00",
        "delivered_at": datetime.now(UTC).isoformat()})
    with app.extensions["dealer"].sessions() as session, session.begin():
        order_delivered(session, event)
    with app.extensions["dealer"].sessions() as session:
        customer_id = session.scalars(select(Customer.id)).one()
        visit_id = session.scalars(select(ReturnVisit.id)).first()
    complaint = _post(app, "after_sales", "/api/v1/complaints", {
        "customer_id": customer_id, "vin": VIN, "category": "delivery", "severity": "low", "description": "late"})
    claim = _post(app, "after_sales", "/api/v1/warranty-claims", {
        "kind": "warranty", "vin": VIN, "description": "window motor"})
    return {"customer_id": customer_id, "vin": VIN, "visit_id": visit_id or "", "complaint_id": complaint["id"],
            "claim_id": claim["id"]}


def _reporting(app: Flask) -> dict[str, str]:
    """Staff on the directory and a group first: targets are only for known staff."""
    _post(app, "sales_manager", "/api/v1/staff/m1", {"name": "Zhou Min", "role": "sales_manager", "active": True},
          method="PUT")
    _post(app, "sales_manager", "/api/v1/staff/c1", {"name": "Li Na", "role": "consultant", "active": True},
          method="PUT")
    _post(app, "sales_manager", "/api/v1/groups/g1", {"name": "展厅一组", "supervisor_id": "m1", "members": ["c1"]},
          method="PUT")
    _post(app, "sales_manager", "/api/v1/targets/2026-11", {"targets": [{"consultant_id": "c1", "units": 5}]},
          method="PUT")
    run = _post(app, "ops", "/api/v1/admin/rebuild", {})
    return {"month": "2026-11", "run_id": run["id"], "staff_id": "c1", "group_id": "g1"}


SEEDS: dict[str, Callable[[Flask], dict[str, str]]] = {
    "leads": _leads, "orders": _orders, "inventory": _inventory, "after_sales": _after_sales,
    "reporting": _reporting,
}


def seed(service: str, app: Flask) -> dict[str, str]:
    """Real values for the service's path parameters (empty for a service this file does not know)."""
    values = SEEDS.get(service, lambda _app: {})(app)
    return {name: value for name, value in values.items() if value}


CAR = {"vin": "LSVAU2189N2777777", "model": "Aurora", "trim": "2.0T Luxury", "color": "white",
       "msrp": "199900.00", "cost": "171000.00", "location": "main"}
# Bodies each operation accepts, so an attack in one field is not stopped by another field's check first.
VALID_BODIES: dict[str, Callable[[dict[str, str]], dict[str, Any]]] = {
    "POST /api/v1/orders": lambda _: {
        "customer": {"name": "Li Na", "phone": "13700137000", "id_number": "110101199003074514"},
        "vehicle": {"model": "Aurora", "trim": "2.0T Luxury", "color": "white"},
        "msrp": "199900.00", "price": "189900.00", "deposit": "5000.00"},
    "POST /api/v1/vehicles": lambda _: CAR,
    "PUT /api/v1/roster/{date}": lambda _: {"consultant_ids": ["c1", "c2"]},
    "POST /api/v1/complaints": lambda stored: {"customer_id": stored.get("customer_id", "none"), "vin": VIN,
                                               "category": "delivery", "severity": "low", "description": "late"},
    "POST /api/v1/warranty-claims": lambda _: {"kind": "warranty", "vin": VIN,
                                               "description": "window motor"},
    "POST /api/v1/service-records": lambda _: {"vin": VIN, "mileage_km": 5000,
                                               "items": ["oil change"], "cost": "300.00"},
}

"""The whole sale across the running services, over HTTP and the real broker."""
from __future__ import annotations

import os
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from dealer_testing import wait_for
from shared.service import installed_services

CHECKLIST = {"exterior": True, "interior": True, "fuel": True, "accessories": True, "documents": True, "keys": True}


def start_departments(start_service: Any, *names: str) -> dict[str, Any]:
    """Start the named services, plus after-sales when it is installed (it consumes the delivery)."""
    wanted = [*names, *(["after_sales"] if "after_sales" in installed_services() else [])]
    return {name: start_service(name) for name in wanted}


def status_of(caller: Any, path: str, wanted: str) -> Any:
    """Wait until the resource at ``path`` has the wanted status; return it."""
    return wait_for(lambda: (found := caller.json(path))["status"] == wanted and found, timeout=30, interval=0.2,
                    message=f"{path} to become {wanted}")


def test_a_car_is_sold_from_lead_to_delivery(start_service, caller, receive_car, order_body) -> None:
    running = start_departments(start_service, "leads", "inventory", "orders")
    leads, inventory, orders = running["leads"], running["inventory"], running["orders"]
    consultant, clerk = caller(leads, "consultant", "c1"), caller(inventory, "inventory_clerk", "k1")
    lead = consultant.post("/api/v1/leads", {"name": "Wang Lei", "phone": "13812345678", "source": "walk_in",
                                             "model_interest": "Aurora", "level": "A"}).json()

    # A car with a mistyped VIN is refused and nothing is stored; two good cars arrive, the older one with a dent.
    bad = clerk.post("/api/v1/vehicles", {"vin": "LSVAU2183N2183290", "model": "Aurora", "trim": "2.0T Luxury",
                                          "color": "white", "msrp": "199900.00", "cost": "171000.00",
                                          "location": "main"})
    assert bad.status_code == 422 and bad.headers["Content-Type"] == "application/problem+json"
    assert "LSVAU2183N2183290" in bad.json()["detail"] and clerk.json("/api/v1/vehicles")["total"] == 0
    older = receive_car(clerk, passed=False)
    newer = receive_car(clerk)
    assert clerk.post(f"/api/v1/vehicles/{older}/inspection", {"passed": True}).json()["status"] == "available"

    # The order is placed; inventory reserves the oldest car over the bus; the lead becomes a deal.
    sales = caller(orders, "consultant", "c1")
    placed = sales.post("/api/v1/orders", order_body(lead["id"]))
    assert placed.status_code == 201 and placed.json()["status"] == "pending"
    order_path = f"/api/v1/orders/{placed.json()['id']}"
    assert status_of(sales, order_path, "reserved")["vin"] == older
    assert clerk.json(f"/api/v1/vehicles/{older}")["reserved_for_order_id"] == placed.json()["id"]
    assert clerk.json(f"/api/v1/vehicles/{newer}")["status"] == "available"
    status_of(consultant, f"/api/v1/leads/{lead['id']}", "deal")

    # Contract: the back office reviews it (审核); a 10000.00 discount is over the consultant's 5000.00 limit, so
    # the back office alone cannot approve it and the manager does, after the review.
    assert sales.post(f"{order_path}/contract").status_code == 201
    assert sales.post(f"{order_path}/contract/approve").status_code == 403  # consultants approve nothing
    desk = caller(orders, "back_office", "b1")
    refused = desk.post(f"{order_path}/contract/approve")
    assert refused.status_code == 409 and "exceeds the consultant's limit" in refused.json()["detail"]
    assert sales.json(order_path)["contract"]["status"] == "drafted"
    manager = caller(orders, "sales_manager", "m1")
    early = manager.post(f"{order_path}/contract/approve")
    assert early.status_code == 409 and "review" in early.json()["detail"]
    assert desk.post(f"{order_path}/contract/review", {"passed": True}).json()["status"] == "reviewed"
    assert manager.post(f"{order_path}/contract/approve").json()["order_status"] == "contracted"

    # Payment: an overpayment is refused and changes nothing; the balance makes it paid.
    over = desk.post(f"{order_path}/payments", {"amount": "184900.01", "method": "bank_transfer", "kind": "balance"})
    assert over.status_code == 409 and sales.json(order_path)["paid_total"] == "5000.00"
    paid = desk.post(f"{order_path}/payments", {"amount": "184900.00", "method": "bank_transfer", "kind": "balance"})
    assert paid.status_code == 201 and paid.json()["order_status"] == "paid"

    # The invoice: the price with 13 % VAT inside, 189900.00 × 13 ÷ 113 = 21846.90.
    invoice = desk.post(f"{order_path}/invoice", {"invoice_no": "04400001", "issued_on": today()})
    assert (invoice.json()["amount"], invoice.json()["tax"]) == ("189900.00", "21846.90")

    # Delivery needs a compulsory policy (交强险) covering the day: without one it is refused.
    uninsured = sales.post(f"{order_path}/deliver", {"checklist": CHECKLIST})
    assert uninsured.status_code == 409 and "交强险" in uninsured.json()["detail"]
    policy = {"insurer": "PICC", "policy_no": "JQX-E2E-0001", "kind": "compulsory", "premium": "950.00",
              "starts_on": today(), "ends_on": today(364)}
    assert desk.post(f"{order_path}/insurance", policy).status_code == 201

    # Delivery: one failed checklist item stops it and changes nothing; then the car goes out.
    failed = sales.post(f"{order_path}/deliver", {"checklist": {**CHECKLIST, "documents": False}})
    assert failed.status_code == 409 and failed.json()["failed"] == ["documents"]
    assert sales.json(order_path)["status"] == "paid"
    delivered = sales.post(f"{order_path}/deliver", {"checklist": CHECKLIST})
    assert delivered.status_code == 200 and delivered.json()["status"] == "delivered"
    assert status_of(clerk, f"/api/v1/vehicles/{older}", "delivered")["delivered_at"]
    assert consultant.json(f"/api/v1/leads/{lead['id']}")["status"] == "deal"

    # Registration (上牌) by the store under the customer's power of attorney (委托书).
    plate = sales.post(f"{order_path}/registration", {"plate_no": "京A12345", "registered_on": today(), "by": "store",
                                                     "power_of_attorney": True})
    assert plate.status_code == 201 and plate.json()["vin"] == older


def today(days: int = 0) -> str:
    """The store's local date (Asia/Shanghai unless DEALER_TZ says), ``days`` on."""
    zone = ZoneInfo(os.environ.get("DEALER_TZ") or "Asia/Shanghai")
    return (datetime.now(zone).date() + timedelta(days=days)).isoformat()


def test_a_cancelled_order_frees_its_car_for_the_next_backorder(start_service, caller, receive_car,
                                                                order_body) -> None:
    running = start_departments(start_service, "leads", "inventory", "orders")
    leads, inventory, orders = running["leads"], running["inventory"], running["orders"]
    consultant, clerk = caller(leads, "consultant", "c1"), caller(inventory, "inventory_clerk", "k1")
    sales = caller(orders, "consultant", "c1")
    vin = receive_car(clerk)
    first_lead, second_lead = (consultant.post("/api/v1/leads", {
        "name": "Wang Lei", "phone": phone, "source": "phone_in", "model_interest": "Aurora"}).json()
        for phone in ("13812345678", "13912345678"))
    first = sales.post("/api/v1/orders", order_body(first_lead["id"])).json()
    assert status_of(sales, f"/api/v1/orders/{first['id']}", "reserved")["vin"] == vin
    second = sales.post("/api/v1/orders", order_body(second_lead["id"], phone="13912345678")).json()
    waiting = status_of(sales, f"/api/v1/orders/{second['id']}", "backordered")
    assert "no available stock car matches" in waiting["backorder_reason"]

    cancelled = sales.post(f"/api/v1/orders/{first['id']}/cancel", {"reason": "customer changed mind"})
    assert cancelled.status_code == 200
    assert (cancelled.json()["refund"], cancelled.json()["forfeited"]) == ("5000.00", "0.00")
    assert status_of(sales, f"/api/v1/orders/{second['id']}", "reserved")["vin"] == vin
    assert clerk.json(f"/api/v1/vehicles/{vin}")["reserved_for_order_id"] == second["id"]
    status_of(consultant, f"/api/v1/leads/{first_lead['id']}", "intention")
    assert consultant.json(f"/api/v1/leads/{second_lead['id']}")["status"] == "deal"

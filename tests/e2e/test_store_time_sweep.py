"""Every time in every answer of the five services reads in the store's zone with its offset (issue 12).

A sale is worked from the car's arrival to the after-sales claim through the running services and the real
broker; then the main reads of each service are asked, and every string in them that is an ISO 8601 date-time
must carry +08:00 (DEALER_TZ=Asia/Shanghai). SQLite keeps no offset, so an answer built from a stored time
showed none; a time kept in UTC showed +00:00. Orders runs on PostgreSQL, the others on SQLite.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests

from dealer_testing import RunningService, token, wait_for
from dealer_testing.paperwork import compulsory_policy, store_today
from inventory.vin import check_digit

SHANGHAI = ZoneInfo("Asia/Shanghai")
ISO_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$")
CHECKLIST = dict.fromkeys(("exterior", "interior", "fuel", "accessories", "documents", "keys"), True)


def vin(serial: int) -> str:
    """A VIN with a correct ISO 3779 check digit (inventory refuses any other)."""
    draft = f"LSVAU2180N2{serial:06d}"
    return draft[:8] + check_digit(draft) + draft[9:]


FLEET_VIN, STOCK_VIN = vin(901), vin(902)
# Every time field the reads below show; each must be found, so the sweep cannot pass by finding none.
TIME_FIELDS = {
    "leads": {"received_at", "created_at", "at", "next_follow_up_at", "scheduled_at", "booked_at", "visited_at"},
    "inventory": {"arrived_at", "inspected_at", "reserved_at", "delivered_at", "at", "as_of"},
    "orders": {"placed_at", "reserved_at", "delivered_at", "drafted_at", "approved_at", "at", "reviewed_at",
               "recorded_at"},
    "after_sales": {"created_at", "delivered_at", "recorded_at", "scheduled_at", "completed_at", "opened_at",
                    "deadline", "resolved_at", "filed_at", "decided_at"},
    "reporting": {"requested_at", "finished_at"},
}


class Desk:
    """One member of staff calling one service; remembers every answer for the sweep."""

    def __init__(self, service: RunningService, role: str, sub: str, answers: list[Any]) -> None:
        self.base, self.headers, self.answers = f"{service.url}/api/v1", token(role, sub), answers

    def call(self, method: str, path: str, body: Any = None) -> Any:
        answer = requests.request(method, self.base + path, json=body, headers=self.headers, timeout=10)
        assert answer.status_code in (200, 201, 202), f"{method} {path}: {answer.status_code} {answer.text[:400]}"
        self.answers.append(answer.json())
        return answer.json()

    def get(self, path: str) -> Any:
        return self.call("GET", path)

    def post(self, path: str, body: Any = None) -> Any:
        return self.call("POST", path, body or {})


def store_time(days_ago: float) -> str:
    """A time as a clerk types it from the paper register: the store's wall clock, no offset."""
    return (datetime.now(SHANGHAI) - timedelta(days=days_ago)).replace(tzinfo=None, microsecond=0).isoformat()


def times_in(answer: Any, key: str = "") -> Iterator[tuple[str, str]]:
    """Every (field, value) in ``answer`` whose value is an ISO 8601 date-time, at any depth."""
    if isinstance(answer, dict):
        for name, value in answer.items():
            yield from times_in(value, name)
    elif isinstance(answer, list):
        for item in answer:
            yield from times_in(item, key)
    elif isinstance(answer, str) and ISO_DATE_TIME.match(answer):
        yield key, answer


@pytest.fixture
def five(start_service, monkeypatch, second_postgres_url: str) -> dict[str, RunningService]:
    monkeypatch.setenv("DEALER_TZ", "Asia/Shanghai")  # the services inherit it
    return {name: start_service(name, second_postgres_url if name == "orders" else None)
            for name in ("inventory", "leads", "orders", "after_sales", "reporting")}


def sell_a_car(svc: dict[str, RunningService], seen: dict[str, list[Any]]) -> None:
    """Arrival, the customer's visits, the sale and delivery: every answer kept per service."""
    clerk = Desk(svc["inventory"], "inventory_clerk", "k1", seen["inventory"])
    for vin, kind in ((FLEET_VIN, "test_drive"), (STOCK_VIN, "stock")):
        clerk.post("/vehicles", {"vin": vin, "model": "Aurora", "trim": "2.0T Luxury", "color": "white",
                                 "msrp": "199900.00", "cost": "171000.00", "kind": kind, "location": "main",
                                 "arrived_at": store_time(20)})
        clerk.post(f"/vehicles/{vin}/inspection", {"passed": True, "occurred_at": store_time(19)})
    clerk.post(f"/vehicles/{FLEET_VIN}/transfers", {"to_location": "showroom"})
    clerk.post(f"/vehicles/{FLEET_VIN}/keys", {"action": "issue", "holder": "c1", "purpose": "test drive"})

    c1 = Desk(svc["leads"], "consultant", "c1", seen["leads"])
    inquiry = c1.post("/inquiries", {"channel": "phone", "phone": "13800000001", "occurred_at": store_time(3)})
    lead = c1.post("/leads", {"name": "Wang Lei", "phone": "13800000001", "source": "phone_in",
                              "model_interest": "Aurora", "inquiry_id": inquiry["id"], "occurred_at": store_time(3)})
    c1.post(f"/leads/{lead['id']}/follow-ups", {"channel": "phone", "summary": "invited",
                                                 "next_follow_up_at": store_time(-2)})
    invited = c1.post(f"/leads/{lead['id']}/appointments",
                      {"scheduled_at": (datetime.now(UTC) + timedelta(hours=1)).isoformat()})
    c1.post(f"/leads/{lead['id']}/visits", {"appointment_id": invited["id"]})
    c1.post(f"/leads/{lead['id']}/test-drives", {"vin": FLEET_VIN, "driver_license_no": "D1234567", "escort_id": "c1"})
    for read in (f"/leads/{lead['id']}", "/leads", f"/inquiries/{inquiry['id']}"):
        c1.get(read)

    sales = Desk(svc["orders"], "consultant", "c1", seen["orders"])
    order = sales.post("/orders", {"lead_id": lead["id"], "customer": {
        "name": "Wang Lei", "phone": "13800000001", "id_number": "110101199003074514"},
        "vehicle": {"model": "Aurora", "trim": "2.0T Luxury", "color": "white"},
        "msrp": "199900.00", "price": "189900.00", "deposit": "5000.00"})
    path = f"/orders/{order['id']}"
    wait_for(lambda: sales.get(path)["status"] == "reserved", timeout=30, message="inventory to reserve the car")
    sales.post(f"{path}/contract")
    back_office = Desk(svc["orders"], "back_office", "b1", seen["orders"])
    back_office.post(f"{path}/contract/review", {"passed": True})  # 10000.00 off: over the limit, a manager too
    Desk(svc["orders"], "sales_manager", "m1", seen["orders"]).post(f"{path}/contract/approve")
    back_office.post(f"{path}/payments", {"amount": "184900.00", "method": "bank_transfer", "kind": "balance"})
    back_office.post(f"{path}/insurance", compulsory_policy())
    back_office.post(f"{path}/invoice", {"invoice_no": "04400001", "issued_on": store_today()})
    sales.post(f"{path}/deliver", {"checklist": CHECKLIST})
    sales.post(f"{path}/registration", {"plate_no": "京A12345", "registered_on": store_today(), "by": "customer"})
    for read in (path, "/orders", f"{path}/payments", f"{path}/insurance"):
        sales.get(read)
    wait_for(lambda: clerk.get(f"/vehicles/{STOCK_VIN}")["status"] == "delivered", timeout=30,
             message="inventory to hear of the delivery")
    for read in ("/vehicles", f"/vehicles/{STOCK_VIN}", f"/vehicles/{FLEET_VIN}/transfers",
                 f"/vehicles/{FLEET_VIN}/keys", "/stock"):
        clerk.get(read)


def care_for_it(svc: dict[str, RunningService], seen: dict[str, list[Any]]) -> None:
    """After-sales: the return call, a complaint, a service, a claim; and every read of them."""
    desk = Desk(svc["after_sales"], "after_sales", "a1", seen["after_sales"])
    call = wait_for(lambda: desk.get(f"/return-visits?vin={STOCK_VIN}&within_days=30")["items"], timeout=30,
                    message="after-sales to schedule the delivery's return call")[0]
    desk.post(f"/return-visits/{call['id']}/complete", {"satisfaction": 5})
    complaint = desk.post("/complaints", {"customer_id": call["customer_id"], "category": "delivery",
                                          "severity": "low", "description": "a floor mat was missing"})
    desk.post(f"/complaints/{complaint['id']}/resolve", {"note": "mat delivered"})
    desk.post("/service-records", {"vin": STOCK_VIN, "mileage_km": 1200, "items": ["first service"],
                                   "cost": "0.00"})
    claim = desk.post("/warranty-claims", {"kind": "warranty", "vin": STOCK_VIN, "description": "window motor"})
    desk.post(f"/warranty-claims/{claim['id']}/decide", {"decision": "approved"})
    for read in ("/customers", f"/customers/{call['customer_id']}", "/service-records", "/reminders?within_days=366",
                 f"/return-visits?status=completed&vin={STOCK_VIN}", f"/return-visits/{call['id']}", "/complaints",
                 f"/complaints/{complaint['id']}", "/warranty-claims", f"/warranty-claims/{claim['id']}"):
        desk.get(read)


def ask_reporting(svc: dict[str, RunningService], seen: dict[str, list[Any]]) -> None:
    """The managers' reports, and ops' rebuild and status."""
    manager = Desk(svc["reporting"], "sales_manager", "m1", seen["reporting"])
    wait_for(lambda: manager.get("/reports/funnel")["deliveries"] == 1, timeout=60,
             message="reporting to hear of the delivery")
    for read in ("/reports/sales", "/reports/sales/daily", "/reports/consultants", "/reports/stock",
                 "/reports/after-sales", "/admin/status"):
        manager.get(read)
    ops = Desk(svc["reporting"], "ops", "o1", seen["reporting"])
    run = ops.post("/admin/rebuild")
    wait_for(lambda: ops.get(f"/admin/rebuilds/{run['id']}")["finished_at"], timeout=60, message="the rebuild")
    manager.get("/admin/status")


def test_every_time_in_every_answer_of_the_five_services_carries_the_store_offset(five) -> None:
    seen: dict[str, list[Any]] = {name: [] for name in five}
    sell_a_car(five, seen)
    care_for_it(five, seen)
    ask_reporting(five, seen)
    for service, answers in seen.items():
        found = [(field, value) for answer in answers for field, value in times_in(answer)]
        wrong = [(field, value) for field, value in found if not value.endswith("+08:00")]
        assert wrong == [], f"{service}: {wrong}"
        assert TIME_FIELDS[service] <= {field for field, _ in found}, (service, TIME_FIELDS[service] - {
            field for field, _ in found})

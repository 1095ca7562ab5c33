"""What the staff do in the fault tests' stream: receive cars, file leads, place orders, deliver.

Each action is one business action as the dealership counts it, done through the
services' HTTP APIs by the member of staff whose job it is, and written in the
ledger only once the service confirmed it.
"""
from __future__ import annotations

import itertools
import threading
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from dealer_testing.paperwork import compulsory_policy
from faultkit.http import ALREADY_DONE, NO_KEY, Answers, Client
from inventory.vin import check_digit

CONSULTANTS = ("c1", "c2", "c3", "c4")
CAR = {"model": "Aurora", "trim": "2.0T Luxury", "color": "white", "msrp": "199900.00", "cost": "171000.00",
       "location": "main"}
PRICE, DEPOSIT = Decimal("199900.00"), Decimal("5000.00")
CHECKLIST = {"exterior": True, "interior": True, "fuel": True, "accessories": True, "documents": True, "keys": True}


@dataclass
class Ledger:
    """What the stream did, as the services confirmed it (2xx answers only)."""

    leads: dict[str, str] = field(default_factory=dict)  # lead id -> owner
    orders: dict[str, str] = field(default_factory=dict)  # order id -> consultant
    delivered: set[str] = field(default_factory=set)
    cars: list[str] = field(default_factory=list)
    fleet: list[str] = field(default_factory=list)
    test_drives: int = 0

    @property
    def actions(self) -> int:
        return len(self.leads) + len(self.orders) + len(self.delivered) + self.test_drives

    def figures(self) -> dict[str, int]:
        return {"leads_filed": len(self.leads), "orders_placed": len(self.orders),
                "deliveries": len(self.delivered), "test_drives": self.test_drives, "actions": self.actions}


class Desk:
    """The store's staff at work: a clerk, a cashier and four consultants, each calling their service."""

    def __init__(self, urls: dict[str, str], answers: Answers, abort: threading.Event) -> None:
        self.ledger, self.lock = Ledger(), threading.Lock()
        self._serial = itertools.count(1)
        self._prefix = f"{uuid.uuid4().int % 10**4:04d}"

        def client(service: str, role: str, sub: str) -> Client:
            return Client(service, urls[service], role, sub, answers, abort=abort)

        self.clerk, self.cashier = client("inventory", "inventory_clerk", "k1"), client("orders", "back_office", "b1")
        self.leads_of = {c: client("leads", "consultant", c) for c in CONSULTANTS}
        self.orders_of = {c: client("orders", "consultant", c) for c in CONSULTANTS}
        self._unordered: list[str] = []
        self._delivering: set[str] = set()

    def close(self) -> None:
        """Close every client's connections."""
        for client in (self.clerk, self.cashier, *self.leads_of.values(), *self.orders_of.values()):
            client.close()

    def first_lead(self) -> tuple[str, str]:
        """The first lead filed, and its owner."""
        with self.lock:
            return next(iter(self.ledger.leads.items()))

    def new_vin(self) -> str:
        """A VIN no car of this stream has, with its check digit right (ISO 3779)."""
        draft = f"LSVAU2180N{self._prefix[:1]}{next(self._serial):06d}"
        return draft[:8] + check_digit(draft) + draft[9:]

    def receive_car(self, kind: str = "stock", vin: str | None = None, **changes: str) -> str:
        """A car arrives and passes inspection (setup for the orders)."""
        vin = vin or self.new_vin()
        self.clerk.post("/api/v1/vehicles", {**CAR, "vin": vin, "kind": kind, **changes}, key=f"car-{vin}")
        self.clerk.post(f"/api/v1/vehicles/{vin}/inspection", {"passed": True, "notes": ""}, key=f"check-{vin}")
        with self.lock:
            (self.ledger.cars if kind == "stock" else self.ledger.fleet).append(vin)
        return vin

    def receive_fleet_car(self) -> None:
        self.receive_car(kind="test_drive")

    def file_lead(self) -> None:
        """A consultant files a customer (建卡)."""
        number = next(self._serial)
        consultant = CONSULTANTS[number % len(CONSULTANTS)]
        phone = f"13{self._prefix}{number:05d}"
        body = {"name": f"Customer {number}", "phone": phone, "source": "walk_in", "model_interest": "Aurora",
                "level": "A"}
        # No Idempotency-Key: the phone is the lead's own key (one customer, one file); a retry of a filing
        # that went through is answered 409 with the lead it made.
        lead = self.leads_of[consultant].send("POST", "/api/v1/leads", body, ok=(201, 409), key=NO_KEY)
        if "existing_lead_id" in lead:
            lead = {"id": lead["existing_lead_id"], "owner_id": consultant}
        with self.lock:
            self.ledger.leads[lead["id"]] = lead["owner_id"]
            self._unordered.append(lead["id"])

    def test_drive(self) -> None:
        """A test drive in a fleet car; leads checks the car with inventory over HTTP."""
        with self.lock:
            lead_id = self._unordered[-1] if self._unordered else next(iter(self.ledger.leads))
            owner, vin = self.ledger.leads[lead_id], self.ledger.fleet[self.ledger.test_drives % 2]
        self.leads_of[owner].post(f"/api/v1/leads/{lead_id}/test-drives", {
            "vin": vin, "driver_license_no": "D1234567", "escort_id": owner})
        with self.lock:
            self.ledger.test_drives += 1

    def place_order(self) -> None:
        """The lead's consultant takes an order with a deposit (订金) for a white Aurora."""
        with self.lock:
            lead_id = self._unordered.pop(0)
            consultant = self.ledger.leads[lead_id]
        order = self.orders_of[consultant].post("/api/v1/orders", {
            "lead_id": lead_id, "customer": {"name": "Wang Lei", "phone": "13812345678",
                                             "id_number": "110101199003074514"},
            "vehicle": {"model": CAR["model"], "trim": CAR["trim"], "color": CAR["color"]},
            "msrp": str(PRICE), "price": str(PRICE), "deposit": str(DEPOSIT), "payment_method": "cash"},
            key=f"order-{lead_id}")
        if ALREADY_DONE in order:  # placed, answer lost: find it by its lead
            order = self.orders_of[consultant].get(f"/api/v1/orders?lead_id={lead_id}")["items"][0]
        with self.lock:
            self.ledger.orders[order["id"]] = consultant

    def deliver(self, order_id: str) -> None:
        """Contract, the back office's approval (no discount: it is the review), the balance, the compulsory policy
        (交强险), the handover checklist (交车)."""
        sales = self.orders_of[self.ledger.orders[order_id]]
        path = f"/api/v1/orders/{order_id}"
        sales.post(f"{path}/contract", key=f"contract-{order_id}")
        self.cashier.post(f"{path}/contract/approve", key=f"approve-{order_id}")
        self.cashier.post(f"{path}/payments", {"amount": str(PRICE - DEPOSIT), "method": "bank_transfer",
                                               "kind": "balance"}, key=f"pay-{order_id}")
        self.cashier.post(f"{path}/insurance", compulsory_policy(policy_no=f"JQX-{order_id}"),
                          key=f"insure-{order_id}")
        sales.post(f"{path}/deliver", {"checklist": CHECKLIST}, key=f"deliver-{order_id}")
        with self.lock:
            self.ledger.delivered.add(order_id)

    def reserved_orders(self) -> list[str]:
        """Orders inventory has reserved a car for and nobody is delivering yet."""
        found: list[str] = []
        page = 1
        while True:
            listing: dict[str, Any] = self.cashier.get(f"/api/v1/orders?status=reserved&page_size=200&page={page}")
            found += [item["id"] for item in listing["items"]]
            if page * 200 >= listing["total"]:
                break
            page += 1
        with self.lock:
            fresh = [order for order in found if order not in self._delivering and order in self.ledger.orders]
            self._delivering.update(fresh)
        return fresh

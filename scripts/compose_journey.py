"""The smoke journey `make compose-test` runs against the compose stack's published ports.

A whole sale crosses every service and the broker inside the containers: an inquiry (来电登记), a lead
(销售线索), a car received and inspected (到车验车), an order reserved over the bus (订单配车), contract
(合同), payment (收款), delivery (交车), the customer file in after-sales (客户档案) and the sale in the
report (销售日报). Then a stream of inquiries keeps coming while a worker and the broker restart, and
every one of them must reach reporting's funnel: nothing lost. The stack is fresh (`down -v` before),
so every expected count is known by hand.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import requests

from inventory.vin import check_digit
from shared.web.auth import mint_token

PORTS = {"leads": 8001, "orders": 8002, "inventory": 8003, "after_sales": 8004, "reporting": 8005}
CHECKLIST = {"exterior": True, "interior": True, "fuel": True, "accessories": True, "documents": True, "keys": True}
VIN_DRAFT = "LSVAU2180N2000001"
VIN = VIN_DRAFT[:8] + check_digit(VIN_DRAFT) + VIN_DRAFT[9:]


class JourneyFailed(AssertionError):
    """A step of the journey did not answer as the store's rules say."""


class Caller:
    """One member of staff calling one service on its published port."""

    def __init__(self, service: str, role: str, sub: str, secret: str) -> None:
        self.base = f"http://127.0.0.1:{PORTS[service]}"
        self.headers = {"Authorization": f"Bearer {mint_token(secret, role, sub)}"}

    def post(self, path: str, body: dict[str, Any] | None = None, want: int = 201) -> Any:
        response = requests.post(self.base + path, json=body or {}, headers=self.headers, timeout=30)
        if response.status_code != want:
            raise JourneyFailed(f"POST {path}: {response.status_code}, wanted {want}: {response.text[:300]}")
        return response.json()

    def get(self, path: str) -> Any:
        response = requests.get(self.base + path, headers=self.headers, timeout=30)
        if response.status_code != 200:
            raise JourneyFailed(f"GET {path}: {response.status_code}: {response.text[:300]}")
        return response.json()


def until(check: Callable[[], Any], what: str, timeout: float = 60.0) -> Any:
    """Poll ``check`` until it gives something truthy, else fail naming what was awaited."""
    deadline, last = time.monotonic() + timeout, None
    while time.monotonic() < deadline:
        try:
            if found := check():
                return found
        except (requests.RequestException, JourneyFailed) as error:  # a restarting container answers nothing
            last = error
        time.sleep(0.5)
    raise JourneyFailed(f"timed out after {timeout:.0f} s waiting for {what} (last error: {last})")


def store_today() -> date:
    """Today in the store's zone (the stack runs with DEALER_TZ=Asia/Shanghai, the default)."""
    return datetime.now(ZoneInfo("Asia/Shanghai")).date()


def sell_a_car(secret: str) -> None:
    """Inquiry to delivery, then the customer file and the report; fails at the first wrong answer."""
    consultant = Caller("leads", "consultant", "c1", secret)
    clerk = Caller("inventory", "inventory_clerk", "k1", secret)
    consultant.post("/api/v1/inquiries", {"channel": "phone", "phone": "13812345678", "note": "asked price"})
    lead = consultant.post("/api/v1/leads", {"name": "Wang Lei", "phone": "13812345678", "source": "walk_in",
                                             "model_interest": "Aurora", "level": "A"})
    clerk.post("/api/v1/vehicles", {"vin": VIN, "model": "Aurora", "trim": "2.0T Luxury", "color": "white",
                                    "msrp": "199900.00", "cost": "171000.00", "kind": "stock", "location": "main"})
    clerk.post(f"/api/v1/vehicles/{VIN}/inspection", {"passed": True, "notes": ""}, want=200)
    sales = Caller("orders", "consultant", "c1", secret)
    customer = {"name": "Wang Lei", "phone": "13812345678", "id_number": "110101199003074514"}
    order = sales.post("/api/v1/orders", {
        "lead_id": lead["id"], "customer": customer,
        "vehicle": {"model": "Aurora", "trim": "2.0T Luxury", "color": "white"}, "msrp": "199900.00",
        "price": "189900.00", "deposit": "5000.00", "payment_method": "cash"})
    path = f"/api/v1/orders/{order['id']}"
    until(lambda: sales.get(path)["vin"] == VIN, "inventory to reserve the car over the bus")
    sales.post(f"{path}/contract")
    back_office = Caller("orders", "back_office", "b1", secret)
    # 10000.00 off is over the consultant's 5000.00 limit: the back office reviews, then the manager approves.
    back_office.post(f"{path}/contract/review", {"passed": True}, want=200)
    Caller("orders", "sales_manager", "m1", secret).post(f"{path}/contract/approve", want=200)
    # The balance: price 189900.00 - deposit 5000.00 = 184900.00 makes the order paid.
    paid = back_office.post(f"{path}/payments", {"amount": "184900.00", "method": "bank_transfer", "kind": "balance"})
    if paid["order_status"] != "paid":
        raise JourneyFailed(f"after the balance the order is {paid['order_status']}, not paid")
    today = store_today()
    back_office.post(f"{path}/insurance", {"insurer": "PICC", "policy_no": "JQX-COMPOSE-1", "kind": "compulsory",
                                           "premium": "950.00", "starts_on": today.isoformat(),
                                           "ends_on": (today + timedelta(days=364)).isoformat()})
    sales.post(f"{path}/deliver", {"checklist": CHECKLIST}, want=200)
    after_sales = Caller("after_sales", "after_sales", "a1", secret)
    until(lambda: after_sales.get(f"/api/v1/customers?vin={VIN}")["total"] == 1, "the customer file in after-sales")
    manager = Caller("reporting", "sales_manager", "m1", secret)
    report = f"/api/v1/reports/sales?period=day&date={store_today().isoformat()}"
    # One car sold today at 189900.00: units 1, revenue 189900.00.
    until(lambda: (lambda r: (r["units"], r["revenue"]) == (1, "189900.00"))(manager.get(report)),
          "the sale in the report")


def inquiries_counted(manager: Caller) -> int:
    """Reporting's count of inquiries from yesterday to tomorrow (a run across midnight still counts all)."""
    today = store_today()
    span = f"from={(today - timedelta(days=1)).isoformat()}&to={(today + timedelta(days=1)).isoformat()}"
    return int(manager.get(f"/api/v1/reports/funnel?{span}")["inquiries"])


class InquiryStream(threading.Thread):
    """Logs phone inquiries one after another until told to stop; counts those the store accepted (201)."""

    def __init__(self, secret: str) -> None:
        super().__init__(daemon=True)
        self.caller, self.accepted, self.refused = Caller("leads", "consultant", "c1", secret), 0, 0
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            try:
                self.caller.post("/api/v1/inquiries", {"channel": "phone", "phone": f"139{self.accepted:08d}",
                                                       "note": "stream"})
                self.accepted += 1
            except (requests.RequestException, JourneyFailed):
                self.refused += 1  # not accepted, so not expected in the report
            time.sleep(0.1)


def restart_mid_stream(secret: str, restart: Callable[[str], None]) -> str:
    """Restart reporting's worker, then the broker, while inquiries stream in; every accepted one is counted."""
    manager = Caller("reporting", "sales_manager", "m1", secret)
    until(lambda: inquiries_counted(manager) == 1, "the journey's one inquiry in the funnel")
    stream = InquiryStream(secret)
    stream.start()
    for container in ("reporting-worker", "rabbitmq"):
        mark = stream.accepted
        until(lambda: stream.accepted >= mark + 10, f"10 inquiries before restarting {container}")  # noqa: B023
        restart(container)
    mark = stream.accepted
    until(lambda: stream.accepted >= mark + 10, "10 inquiries after the restarts")
    stream.stopping.set()
    stream.join(timeout=30)
    expected = 1 + stream.accepted  # the journey's inquiry plus every one the stream had accepted
    until(lambda: inquiries_counted(manager) == expected, f"{expected} inquiries in the funnel", timeout=180)
    return f"{stream.accepted} inquiries streamed ({stream.refused} refused), all {expected} counted"

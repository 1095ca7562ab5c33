"""Leads asks the real inventory whether a car is in the test-drive fleet (试驾车), and never hangs on it."""
from __future__ import annotations

import socket
import time
from typing import Any

import pytest

TIMEOUT = 1.0  # leads' HTTP timeout towards inventory in these tests


@pytest.fixture
def showroom(start_service, caller, receive_car) -> dict[str, Any]:
    """Inventory with a test-drive car and a stock car, and leads with one customer filed."""
    inventory = start_service("inventory", worker=False)
    leads = start_service("leads", worker=False, extra_env={"DEALER_HTTP_TIMEOUT": str(TIMEOUT)})
    clerk, consultant = caller(inventory, "inventory_clerk", "k1"), caller(leads, "consultant", "c1")
    lead = consultant.post("/api/v1/leads", {"name": "Wang Lei", "phone": "13812345678", "source": "walk_in",
                                             "model_interest": "Aurora"}).json()

    def drive(vin: str) -> tuple[int, dict, float]:
        started = time.monotonic()
        response = consultant.post(f"/api/v1/leads/{lead['id']}/test-drives",
                                   {"vin": vin, "driver_license_no": "D1234567", "escort_id": "c1"})
        return response.status_code, response.json(), time.monotonic() - started

    return {"inventory": inventory, "drive": drive, "fleet_car": receive_car(clerk, kind="test_drive"),
            "stock_car": receive_car(clerk)}


def test_a_test_drive_passes_in_a_fleet_car_and_is_409_in_a_stock_car(showroom) -> None:
    status, drive, _ = showroom["drive"](showroom["fleet_car"])
    assert status == 201 and drive["vin"] == showroom["fleet_car"]
    status, problem, _ = showroom["drive"](showroom["stock_car"])
    assert status == 409 and "not in the test-drive fleet" in problem["detail"]


def test_a_test_drive_is_a_quick_503_when_inventory_is_stopped_or_silent(showroom) -> None:
    showroom["inventory"].stop()
    status, problem, took = showroom["drive"](showroom["fleet_car"])
    assert status == 503 and problem["status"] == 503 and took < TIMEOUT + 2

    with socket.socket() as silent:  # something on inventory's port that accepts and never answers
        silent.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        silent.bind(("127.0.0.1", showroom["inventory"].port))
        silent.listen(8)
        status, problem, took = showroom["drive"](showroom["fleet_car"])
    assert status == 503 and "inventory" in problem["detail"] and took < TIMEOUT + 2

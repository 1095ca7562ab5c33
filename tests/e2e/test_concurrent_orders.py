"""Fifty customers order the same car at once on PostgreSQL: ten cars, ten reservations, the rest wait in turn."""
from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

from dealer_testing import wait_for

CARS, ORDERS, ARRIVING = 10, 50, 5


def answered(sales, count: int) -> list[dict]:
    """Every order, once inventory has answered each one (reserved or backordered)."""
    def settled() -> list[dict] | None:
        items = sales.json("/api/v1/orders?page_size=200")["items"]
        done = [o for o in items if o["status"] in ("reserved", "backordered")]
        return items if len(done) == count else None
    return wait_for(settled, timeout=40, interval=0.5, message=f"answers to {count} orders")


def by_age(orders: list[dict]) -> list[dict]:
    return sorted(orders, key=lambda o: (datetime.fromisoformat(o["placed_at"]), o["id"]))


def test_fifty_orders_for_ten_cars_reserve_ten_and_new_cars_serve_the_oldest_backorders(
        postgres_url, second_postgres_url, start_service, caller, receive_car, order_body) -> None:
    inventory = start_service("inventory", postgres_url)
    inventory.start_worker()  # two inventory workers compete for the order events
    orders = start_service("orders", second_postgres_url)
    orders.start_worker()
    clerk, sales = caller(inventory, "inventory_clerk", "k1"), caller(orders, "consultant", "c1")
    first_cars = {receive_car(clerk) for _ in range(CARS)}

    with ThreadPoolExecutor(max_workers=ORDERS) as pool:
        placed = list(pool.map(lambda n: sales.post("/api/v1/orders", order_body(phone=f"139{n:08d}")),
                               range(ORDERS)))
    assert [p.status_code for p in placed] == [201] * ORDERS

    settled = answered(sales, ORDERS)
    reserved = [o for o in settled if o["status"] == "reserved"]
    backordered = [o for o in settled if o["status"] == "backordered"]
    assert (len(reserved), len(backordered)) == (CARS, ORDERS - CARS)
    assert {o["vin"] for o in reserved} == first_cars
    assert Counter(o["vin"] for o in reserved).most_common(1)[0][1] == 1
    held = clerk.json("/api/v1/vehicles?status=reserved")["items"]
    assert {c["reserved_for_order_id"] for c in held} == {o["id"] for o in reserved}

    new_cars = {receive_car(clerk) for _ in range(ARRIVING)}
    oldest_waiting = {o["id"] for o in by_age(backordered)[:ARRIVING]}

    def served() -> list[dict] | None:
        items = sales.json("/api/v1/orders?status=reserved&page_size=200")["items"]
        return items if len(items) == CARS + ARRIVING else None
    now_reserved = wait_for(served, timeout=30, interval=0.5, message="the new cars to serve backorders")
    newly = {o["id"]: o["vin"] for o in now_reserved if o["id"] not in {r["id"] for r in reserved}}
    assert set(newly) == oldest_waiting
    assert set(newly.values()) == new_cars
    assert sales.json("/api/v1/orders?status=backordered")["total"] == ORDERS - CARS - ARRIVING

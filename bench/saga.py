"""Benchmark 5: the sale saga's latency, order placed -> vehicle reserved -> order reserved, at 10 orders/s.

    python bench/saga.py [--quick] [--database sqlite|postgresql|both]

Orders and inventory run as processes (gunicorn web and worker each); enough
cars are received and inspected first; orders are placed over HTTP at a fixed
rate and the orders database is polled (every 2 ms) for each order's status
``reserved``. Raw figure from the same run: a persistent message through two
queues in a row with plain pika (the saga's two hops) at the same rate.
"""
from __future__ import annotations

import argparse
import itertools
from concurrent.futures import ThreadPoolExecutor

import requests
from fixedrate import Watcher, fire, summary
from rawlatency import round_trip
from report import amqp_url, print_table, write_results
from sqlalchemy import text
from stack import Stack, load_average

from dealer_testing import token
from inventory.vin import check_digit

RATE = 10
CAR = {"model": "Aurora", "trim": "2.0T Luxury", "color": "white", "msrp": "199900.00", "cost": "171000.00",
       "kind": "stock", "location": "main"}
_serials = itertools.count(1)


def make_vin() -> str:
    draft = f"LSVAU2180N2{next(_serials):06d}"
    return draft[:8] + check_digit(draft) + draft[9:]


def receive_cars(base: str, count: int) -> None:
    """Cars arrive and pass inspection, eight clerks at a time."""
    headers = token("inventory_clerk", "k1")

    def receive(_n: int) -> None:
        vin = make_vin()
        with requests.Session() as http_session:
            arrived = http_session.post(f"{base}/api/v1/vehicles", json={**CAR, "vin": vin}, headers=headers,
                                        timeout=30)
            assert arrived.status_code == 201, arrived.text
            inspected = http_session.post(f"{base}/api/v1/vehicles/{vin}/inspection",
                                          json={"passed": True, "notes": ""}, headers=headers, timeout=30)
            assert inspected.status_code == 200, inspected.text

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(receive, range(count)))


def order_body(n: int) -> dict[str, object]:
    customer = {"name": "Wang Lei", "phone": f"138{n:08d}", "id_number": "110101199003074514"}
    return {"lead_id": None, "customer": customer,
            "vehicle": {"model": "Aurora", "trim": "2.0T Luxury", "color": "white"}, "msrp": "199900.00",
            "price": "189900.00", "deposit": "5000.00", "payment_method": "cash", "special_requests": ""}


def reserved_orders(conn) -> list[str]:  # noqa: ANN001 - a SQLAlchemy connection
    """A poll of the orders database: every order now reserved."""
    return list(conn.execute(text("SELECT id FROM orders WHERE status = 'reserved'")).scalars())


def one_database(kind: str, orders_count: int) -> dict[str, object]:
    """Place ``orders_count`` orders at 10/s with as many cars in stock; the saga's latency."""
    with Stack(kind) as stack:
        inventory = stack.start("inventory")
        orders = stack.start("orders")
        receive_cars(inventory.url, orders_count + 5)
        url = f"{orders.url}/api/v1/orders"
        with Watcher(stack.urls["orders"], reserved_orders) as watcher:
            warm = fire(url, order_body, token("consultant", "c1"), 5, 5)  # warm-up: every path loaded
            watcher.wait_for([s.key for s in warm], timeout=60)
            sent = fire(url, lambda n: order_body(n + 10), token("consultant", "c1"), RATE, orders_count)
            watcher.wait_for([s.key for s in sent], timeout=30)
            figures = summary(sent, watcher.seen, RATE, orders_count / RATE)
        figures["memory_mb"] = stack.memory()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="30 orders, SQLite only")
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default=None)
    parser.add_argument("--orders", type=int, default=None)
    args = parser.parse_args()
    count = args.orders or (30 if args.quick else 300)
    kinds = {"both": ["sqlite", "postgresql"], None: ["sqlite"] if args.quick else ["sqlite", "postgresql"]}.get(
        args.database, [args.database])
    load_before = load_average()
    raw = round_trip(amqp_url(), RATE, min(count, 100), hops=2)
    rows = [("broker", "raw pika: 2 queues in a row, confirms", f"{RATE}/s", f"{raw['p50_ms']:.1f}",
             f"{raw['p99_ms']:.1f}", "", "")]
    runs, memory = {}, {}
    for kind in kinds:
        figures = one_database(kind, count)
        memory.update({f"{k} ({kind})": v for k, v in figures.pop("memory_mb").items()})
        runs[kind] = figures
        rows.append((kind, "order placed -> reserved", f"{RATE}/s", f"{figures['p50_ms']:.1f}",
                     f"{figures['p99_ms']:.1f}", figures["failed"] + figures["unseen"],
                     f"p50 x{figures['p50_ms'] / raw['p50_ms']:.0f} of raw"))
        rows.append((kind, "  of which: HTTP answer (POST /orders)", "", f"{figures['http_p50_ms']:.1f}",
                     f"{figures['http_p99_ms']:.1f}", "", ""))
    title = f"Saga: {count} orders at {RATE}/s, each with a car in stock"
    header = ["database", "what", "rate", "p50 ms", "p99 ms", "lost", "ratio"]
    print_table(title, header, rows)
    write_results("saga", {"quick": args.quick, "orders": count, "raw_round_trip": raw, "runs": runs,
                           "goal": {"p50_ms": 100, "p99_ms": 400}, "memory_mb": memory,
                           "load_average": {"before": load_before, "after": load_average()},
                           "table": {"title": title, "header": header, "rows": rows}})


if __name__ == "__main__":
    main()

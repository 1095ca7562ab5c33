"""Benchmark: printing an order's papers (单据) as PDF, GET /api/v1/orders/{id}/documents/{kind}.

    python bench/documents.py [--renders 50] [--save-dir DIR]

One order on a fresh SQLite database, placed, reserved, its contract drafted and paid in full (so all six
papers exist), then each paper fetched ``--renders`` times over HTTP through the Flask test client as the
back office (auth, the query, the layout, ReportLab's font subsetting and the PDF all included). The first
render of the process, which loads the CJK font, is timed apart, and so is the layout alone (ReportLab laying
out the filled-in paper and writing the PDF, no HTTP, no query). Prints p50/p99/max per paper and the PDF's
size; it never fails on time. ``--save-dir`` keeps the six PDFs to look at.
"""
from __future__ import annotations

import argparse
import logging
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from report import print_table, time_gets, write_results
from stack import load_average

SECRET = "bench-secret-0123456789abcdef0123456789"
KINDS = ("quote", "intention", "deposit_receipt", "contract", "delivery_checklist", "settlement")
VIN = "LSVAU2182N2183290"
ORDER = {"lead_id": "L-1", "customer": {"name": "王磊", "phone": "13812345678", "id_number": "110101199003074514"},
         "vehicle": {"model": "Aurora 极光", "trim": "2.0T 豪华版", "color": "珍珠白"}, "msrp": "199900.00",
         "price": "189900.00", "deposit": "5000.00", "payment_method": "cash", "special_requests": "赠送脚垫、贴膜"}


def settled_order(app: Any, headers: Any) -> str:
    """An order every paper can be printed for: placed with its deposit, reserved, contract drafted, paid."""
    from orders import services

    client = app.test_client()
    order_id = client.post("/api/v1/orders", json=ORDER, headers=headers("consultant", "c1")).get_json()["id"]
    with app.extensions["dealer"].sessions() as session:  # inventory's answer, as the consumer applies it
        services.confirm_reservation(session, order_id, VIN, model="", trim="", color="", at=None)
        session.commit()
    assert client.post(f"/api/v1/orders/{order_id}/contract", headers=headers("consultant", "c1")).status_code == 201
    paid = client.post(f"/api/v1/orders/{order_id}/payments", headers=headers("back_office", "b1"),
                       json={"amount": "184900.00", "method": "bank_transfer", "kind": "balance"})
    assert paid.status_code == 201, paid.get_json()
    return str(order_id)


def time_layout(app: Any, order_id: str, kind: str, renders: int) -> dict[str, float]:
    """p50/p99 of ReportLab's part alone: the filled-in paper laid out and written as PDF, no HTTP, no query."""
    from orders.documents import queries
    from orders.documents.papers import sheet_of
    from orders.documents.render import render
    from orders.documents.sheet import Store
    from shared.clock import utcnow

    with app.app_context(), app.extensions["dealer"].sessions() as session:
        customer = {"name": "王磊", "phone": "13812345678", "id_number": "110101199003074514"}
        sheet = sheet_of(kind, queries.paper_data(session, order_id, kind, Store("4S 店"), lambda _o: customer),
                         utcnow())
        times = []
        for _ in range(renders):
            started = time.perf_counter()
            render(sheet)
            times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return {"p50_ms": statistics.median(times), "p99_ms": times[max(int(len(times) * 0.99) - 1, 0)]}


def run(renders: int, save_dir: Path | None) -> dict[str, Any]:
    """Time every paper of one settled order; figures per kind."""
    from orders.app import create_app
    from shared.db import dispose_engines
    from shared.migrations import upgrade
    from shared.service import service
    from shared.web.auth import mint_token

    def headers(role: str, sub: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {mint_token(SECRET, role, sub)}"}

    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'orders.db'}"
        upgrade(service("orders"), url)
        app = create_app({"DATABASE_URL": url, "JWT_SECRET": SECRET, "TESTING": True})
        order_id = settled_order(app, headers)
        client, office = app.test_client(), headers("back_office", "b1")
        started = time.perf_counter()
        first = client.get(f"/api/v1/orders/{order_id}/documents/quote", headers=office)
        cold_ms = (time.perf_counter() - started) * 1000
        assert first.status_code == 200, first.get_data(as_text=True)[:300]
        results: dict[str, Any] = {"first_render_ms": cold_ms}
        for kind in KINDS:
            path = f"/api/v1/orders/{order_id}/documents/{kind}"
            results[kind] = {**time_gets(client, lambda _n, path=path: path, office, renders),
                             "bytes": len(client.get(path, headers=office).data),
                             "layout": time_layout(app, order_id, kind, renders)}
            if save_dir:
                save_dir.mkdir(parents=True, exist_ok=True)
                (save_dir / f"{kind}.pdf").write_bytes(client.get(path, headers=office).data)
        dispose_engines()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--renders", type=int, default=50)
    parser.add_argument("--save-dir", type=Path, default=None)
    args = parser.parse_args()
    os.environ.setdefault("DEALER_TZ", "Asia/Shanghai")
    os.environ.setdefault("DEALER_JWT_SECRET", SECRET)
    logging.getLogger("dealer.access").disabled = True  # one line per call otherwise
    load_before = load_average()
    results = run(args.renders, args.save_dir)
    load_after = load_average()
    rows = [(kind, f"p50 {f['p50_ms']:.1f} ms", f"p99 {f['p99_ms']:.1f} ms", f"max {f['max_ms']:.1f} ms",
             f"p50 {f['layout']['p50_ms']:.1f} ms", f"p99 {f['layout']['p99_ms']:.1f} ms",
             f"{f['bytes'] / 1024:.0f} KiB")
            for kind, f in results.items() if kind in KINDS]
    print_table(f"Printed papers over HTTP (Flask test client, SQLite), {args.renders} renders each; first render of "
                f"the process (font load) {results['first_render_ms']:.0f} ms; load average "
                f"{' / '.join(map(str, load_before))} before, {' / '.join(map(str, load_after))} after",
                ["paper", "HTTP p50", "HTTP p99", "HTTP max", "layout p50", "layout p99", "PDF size"], rows)
    path = write_results("documents", {"renders": args.renders, "results": results, "via": "HTTP, Flask test client",
                                       "load_average": {"before": load_before, "after": load_after}})
    print(f"\nwritten {path}")


if __name__ == "__main__":
    main()

"""The same POST sent twenty times at once with one ``Idempotency-Key`` makes one resource, on every service.

Each service runs as its real gunicorn process (two workers) on its own database; the twenty answers
are the same answer (the first, replayed: 19 marked ``Idempotent-Replayed``, with any phone or ID number
masked, as stored answers keep none in full), and the service's database holds exactly one new resource.
The same key with another body is refused (422 naming the header).
"""
from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import requests

from dealer_testing import RunningService, token
from shared.envelope import make_event

VIN = "LSVAU2182N2183290"
CAR = {"vin": VIN, "model": "Aurora", "trim": "2.0T Luxury", "color": "white", "msrp": "199900.00",
       "cost": "171000.00", "location": "main"}
ORDER = {"customer": {"name": "Wang Lei", "phone": "13812345678", "id_number": "110101199003074514"},
         "vehicle": {"model": "Aurora", "trim": "2.0T Luxury", "color": "white"},
         "msrp": "199900.00", "price": "189900.00", "deposit": "5000.00"}
LEAD = {"name": "Wang Lei", "phone": "13812345678", "source": "walk_in", "model_interest": "Aurora"}


def a_delivered_customer(database: Path) -> str:
    """Open a customer file the way a delivery does (through after-sales' own handler); returns its id."""
    from after_sales.consumers import order_delivered
    from shared.db import session_factory

    order_id = str(uuid.uuid4())
    event = make_event("orders", "orders.order.delivered", order_id, {
        "order_id": order_id, "lead_id": None, "consultant_id": "c1", "customer": ORDER["customer"], "vin": VIN,
        "model": "Aurora", "trim": "2.0T Luxury", "color": "white", "msrp": "199900.00", "price": "189900.00",
        "delivered_at": datetime.now(UTC).isoformat()})
    with session_factory(f"sqlite:///{database}")() as session, session.begin():
        order_delivered(session, event)
    return str(sqlite3_value(database, "SELECT id FROM customers"))


def sqlite3_value(database: Path, query: str) -> Any:
    """One value read straight from a service's SQLite database."""
    with sqlite3.connect(database) as conn:
        value = conn.execute(query).fetchone()[0]
    conn.close()
    return value


# service -> (role, route, body made from the test's folder, SQL counting what the route makes)
CASES: dict[str, tuple[str, str, Callable[[Path], dict[str, Any]], str]] = {
    "leads": ("consultant", "/api/v1/leads", lambda _: LEAD, "SELECT count(*) FROM leads"),
    "orders": ("consultant", "/api/v1/orders", lambda _: ORDER, "SELECT count(*) FROM orders"),
    "inventory": ("inventory_clerk", "/api/v1/vehicles", lambda _: CAR, "SELECT count(*) FROM vehicles"),
    "after_sales": ("after_sales", "/api/v1/complaints", lambda folder: {
        "customer_id": a_delivered_customer(folder / "after_sales.db"), "vin": VIN, "category": "delivery",
        "severity": "low", "description": "the car came late"}, "SELECT count(*) FROM complaints"),
    "reporting": ("ops", "/api/v1/admin/rebuild", lambda _: {}, "SELECT count(*) FROM rebuild_runs"),
}


def twenty_at_once(running: RunningService, role: str, route: str, body: dict[str, Any]) -> list[requests.Response]:
    """The same POST, with one key, from twenty threads at once."""
    headers = {**token(role, "u1"), "Idempotency-Key": f"key-{uuid.uuid4()}"}

    def send(_: int) -> requests.Response:
        return requests.post(f"{running.url}{route}", json=body, headers=headers, timeout=60)

    with ThreadPoolExecutor(max_workers=20) as pool:
        return list(pool.map(send, range(20)))


PHONE, PHONE_MASKED = "13812345678", "138****5678"
ID_NUMBER, ID_NUMBER_MASKED = "110101199003074514", "110101********4514"


def masked(answer: requests.Response) -> Any:
    """The answer's JSON with the test customer's phone and ID number masked, as a replay shows them."""
    return json.loads(answer.text.replace(PHONE, PHONE_MASKED).replace(ID_NUMBER, ID_NUMBER_MASKED))


def fault_of(answers: list[requests.Response], made: int) -> str | None:
    """What breaks the rule: a failure, replays not marked or not the first answer, or more than one resource."""
    first = [a for a in answers if a.headers.get("Idempotent-Replayed") != "true"]
    replays = [a for a in answers if a.headers.get("Idempotent-Replayed") == "true"]
    if len(replays) != 19:
        return f"{len(replays)} answers marked as replayed, not 19"
    if first[0].status_code not in (201, 202):
        return f"{first[0].status_code}: {first[0].text[:200]}"
    if len({(a.status_code, a.text) for a in replays}) != 1:  # one stored answer, replayed byte for byte
        return f"different replays: {sorted({a.status_code for a in replays})} {replays[0].text[:200]}"
    if (replays[0].status_code, replays[0].json()) != (first[0].status_code, masked(first[0])):
        return f"the replay is not the first answer: {first[0].text[:200]} / {replays[0].text[:200]}"
    return None if made == 1 else f"{made} resources made"


def test_twenty_concurrent_posts_with_one_key_make_one_resource(
        service: str, start_service: Callable[..., RunningService], tmp_path: Path) -> None:
    role, route, body_for, count = CASES[service]
    running = start_service(service, worker=False)
    answers = twenty_at_once(running, role, route, body_for(tmp_path))
    assert fault_of(answers, sqlite3_value(tmp_path / f"{service}.db", count)) is None


def test_the_same_key_with_another_body_answers_422_naming_the_header(
        start_service: Callable[..., RunningService]) -> None:
    leads = start_service("leads", worker=False)
    headers = {**token("consultant", "c1"), "Idempotency-Key": f"key-{uuid.uuid4()}"}
    first = requests.post(f"{leads.url}/api/v1/leads", json=LEAD, headers=headers, timeout=30)
    other = requests.post(f"{leads.url}/api/v1/leads", json={**LEAD, "model_interest": "Borealis"}, headers=headers,
                          timeout=30)
    assert first.status_code == 201
    assert other.status_code == 422 and other.headers["Content-Type"] == "application/problem+json"
    assert list(other.json()["errors"]) == ["Idempotency-Key"]


def test_a_stored_answer_holds_no_full_phone_while_the_first_answer_shows_it_to_the_owner(
        start_service: Callable[..., RunningService], tmp_path: Path) -> None:
    leads = start_service("leads", worker=False)
    headers = {**token("consultant", "c1"), "Idempotency-Key": f"key-{uuid.uuid4()}"}
    first = requests.post(f"{leads.url}/api/v1/leads", json=LEAD, headers=headers, timeout=30)
    replay = requests.post(f"{leads.url}/api/v1/leads", json=LEAD, headers=headers, timeout=30)
    stored = sqlite3_value(tmp_path / "leads.db", "SELECT body FROM idempotency_keys")
    assert first.json()["phone"] == PHONE
    assert PHONE not in stored and PHONE_MASKED in stored
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert (replay.json()["id"], replay.json()["phone"]) == (first.json()["id"], PHONE_MASKED)

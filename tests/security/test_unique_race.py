"""Two clerks file the same customer at the same instant: one 201, one 409 problem+json, never a 500.

Leads runs as its real gunicorn process (two workers) on PostgreSQL; for each of many phones two
threads released together by a barrier POST the same customer. Both requests pass every check before the
insert; PostgreSQL's unique index on the phone lets one in and refuses the other with a unique violation
(SQLSTATE 23505), which must come back as the duplicate-lead conflict naming the lead on file.
"""
from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import requests

from dealer_testing import RunningService, token

ATTEMPTS = 120
PROBLEM = "application/problem+json"


def _file(url: str, phone: str, barrier: threading.Barrier, sub: str) -> requests.Response:
    body = {"name": "Zhao Min", "phone": phone, "source": "walk_in", "model_interest": "Aurora", "level": "B"}
    barrier.wait(timeout=30)
    return requests.post(f"{url}/api/v1/leads", json=body, headers=token("consultant", sub), timeout=30)


def test_two_simultaneous_filings_of_one_phone_give_one_201_and_one_409_never_500(
        start_service: Callable[..., RunningService], postgres_url: str) -> None:
    leads = start_service("leads", database_url=postgres_url, worker=False)
    outcomes: list[tuple[int, int]] = []
    with ThreadPoolExecutor(max_workers=2) as pool:
        for attempt in range(ATTEMPTS):
            phone = f"1371234{attempt:04d}"
            barrier = threading.Barrier(2)
            answers = list(pool.map(_file, [leads.url] * 2, [phone] * 2, [barrier] * 2, ("c1", "c2")))
            statuses = sorted(a.status_code for a in answers)
            outcomes.append((statuses[0], statuses[1]))
            assert statuses == [201, 409], (phone, [(a.status_code, a.text[:300]) for a in answers])
            created, refused = sorted(answers, key=lambda a: a.status_code)
            assert refused.headers["Content-Type"].startswith(PROBLEM)
            assert refused.json()["existing_lead_id"] == created.json()["id"]
            assert phone not in refused.text
    assert outcomes == [(201, 409)] * ATTEMPTS

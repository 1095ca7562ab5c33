"""What every benchmark shares: where the broker and PostgreSQL are, and how figures are shown and kept."""
from __future__ import annotations

import json
import os
import platform
import statistics
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"


def amqp_url() -> str:
    return os.environ.get("AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/")


@contextmanager
def postgres_database() -> Iterator[str]:
    """A scratch PostgreSQL database for one benchmark, dropped afterwards."""
    import psycopg

    admin = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    name = f"bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield admin.rsplit("/", 1)[0] + f"/{name}"
    finally:
        from shared.db import dispose_engines

        dispose_engines()
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def print_table(title: str, header: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """A plain-text table on stdout."""
    widths = [max(len(str(x)) for x in column) for column in zip(header, *rows, strict=False)]
    print(f"\n{title}")
    for row in (header, ["-" * w for w in widths], *rows):
        print("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=False)))


def write_results(name: str, figures: dict[str, object]) -> Path:
    """Keep a benchmark's figures as JSON under bench/results/ with the machine and the date."""
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps({"benchmark": name, "at": datetime.now(UTC).isoformat(),
                                "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                                            "system": platform.platform()}, **figures}, indent=2))
    return path


def time_gets(client: Any, url: Callable[[int], str], headers: dict[str, str], calls: int) -> dict[str, object]:
    """p50, p99 and max (ms) of ``calls`` GETs of ``url(n)`` on a Flask test client, after five warm-up calls."""
    for n in range(5):  # warm up: connections, compiled statements
        assert client.get(url(n), headers=headers).status_code == 200
    times = []
    for n in range(calls):
        started = time.perf_counter()
        response = client.get(url(n), headers=headers)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.get_data(as_text=True)[:300]
    times.sort()
    return {"p50_ms": statistics.median(times), "p99_ms": times[max(int(len(times) * 0.99) - 1, 0)],
            "max_ms": times[-1], "calls": calls}

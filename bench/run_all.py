"""Run every benchmark, then write BENCHMARKS.md from bench/results/*.json.

    python bench/run_all.py [--quick] [--report-only]

Each benchmark runs as its own process (a failure is noted and the others still
run), prints its table and keeps its figures in bench/results/<name>.json; the
report gathers those with the machine it ran on.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results"
SCRIPTS = {"http": "http_rate"}  # a script named http.py would hide the standard library's http
# name, arguments for a full run, for a --quick run, how to rerun it, what it measures
BENCHMARKS = [
    ("relay", [], ["--events", "5000"], "python bench/relay.py [--events 50000] [--database sqlite|postgresql]",
     "1. Outbox relay: rows published with confirms, vs raw windowed pika publishing."),
    ("ingest", [], ["--quick"], "python bench/ingest.py [--quick] [--events 50000] [--database sqlite postgresql]",
     "2. Reporting ingest: events consumed into the store and projections, vs raw pika consume-with-ack."),
    ("e2e", [], ["--quick"], "python bench/e2e.py [--quick] [--database sqlite|postgresql|both]",
     "3. End to end: lead POST -> outbox -> relay -> reporting funnel; lag at 20/s, highest sustained rate."),
    ("http", [], ["--quick"], "python bench/http_rate.py [--quick] [--database sqlite|postgresql|both] [--seconds 15]",
     "4. HTTP: POST /api/v1/leads req/s under gunicorn vs a bare Flask + SQLAlchemy insert (wrk, 16 connections)."),
    ("saga", [], ["--quick"], "python bench/saga.py [--quick] [--orders 300] [--database sqlite|postgresql|both]",
     "5. Saga: order placed -> vehicle reserved -> order reserved at 10 orders/s."),
    ("reports", [], ["--quick"], "python bench/reports.py [--quick]",
     "6. Reports: the reporting service's report queries."),
    ("memory", [], ["--quick"], "python bench/memory.py [--quick] [--backlog 30000]",
     "7. Memory: VmRSS of every web and worker process; reporting's worker under a backlog."),
    ("agenda", [], ["--quick"], "python bench/agenda.py [--quick] [--leads 2000] [--database sqlite|postgresql|both]",
     "8. Agenda: GET /api/v1/agenda of a consultant with 2,000 leads, p50/p99 over HTTP (Flask test client)."),
]


def run(quick: bool) -> dict[str, str]:
    """Run each benchmark present; how each ended."""
    outcome = {}
    for name, full, short, _how, _what in BENCHMARKS:
        script = HERE / f"{SCRIPTS.get(name, name)}.py"
        if not script.exists():
            outcome[name] = "not present"
            continue
        started = time.monotonic()
        print(f"\n=== {name} ===", flush=True)
        code = subprocess.call([sys.executable, str(script), *(short if quick else full)], cwd=ROOT)
        outcome[name] = f"{'ok' if code == 0 else f'failed (exit {code})'} in {time.monotonic() - started:.0f} s"
        print(f"=== {name}: {outcome[name]}", flush=True)
    return outcome


def _command(*args: str) -> str:
    try:
        return subprocess.run(args, capture_output=True, text=True, timeout=30).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def machine() -> dict[str, str]:
    """What the figures were measured on."""
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    memory = next(line.split(":", 1)[1].strip() for line in Path("/proc/meminfo").read_text().splitlines()
                  if line.startswith("MemTotal"))
    postgres = _command("psql", os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"),
                        "-Atc", "SHOW server_version")
    return {"nproc": _command("nproc"), "memory": memory, "cpu": cpu, "rabbitmq": _command("rabbitmqctl", "version"),
            "postgresql": postgres, "python": platform.python_version(), "kernel": platform.release(),
            "load average now": " ".join(f"{x:.2f}" for x in os.getloadavg())}


def _table(header: list[str], rows: list[list[object]]) -> list[str]:
    lines = ["| " + " | ".join(map(str, header)) + " |", "|" + "---|" * len(header)]
    return lines + ["| " + " | ".join(str(c).replace("|", "/") for c in row) + " |" for row in rows]


def _scalars(data: dict[str, object], prefix: str = "") -> list[list[object]]:
    """The figures of a result without a table of its own, flattened."""
    rows: list[list[object]] = []
    for key, value in data.items():
        if key in ("benchmark", "at", "machine", "table", "memory_mb"):
            continue
        if isinstance(value, dict):
            rows += _scalars(value, f"{prefix}{key}.")
        elif isinstance(value, float):
            rows.append([f"{prefix}{key}", f"{value:,.2f}"])
        elif not isinstance(value, list):
            rows.append([f"{prefix}{key}", value])
    return rows


def section(name: str, how: str, what: str) -> list[str]:
    path = RESULTS / f"{name}.json"
    lines = [f"### {what}", "", f"Rerun: `{how}`", ""]
    if not path.exists():
        return [*lines, "_No results yet._", ""]
    data = json.loads(path.read_text())
    lines.append(f"Measured {data.get('at', '?')[:19].replace('T', ' ')} UTC"
                 + (" (quick mode)" if data.get("quick") else "")
                 + (f"; load average before/after: {data['load_average']['before']} / {data['load_average']['after']}"
                    if isinstance(data.get("load_average"), dict) else "") + ".")
    lines.append("")
    table = data.get("table")
    if table:
        lines += [f"**{table['title']}**", "", *_table(table["header"], table["rows"])]
    else:
        lines += _table(["figure", "value"], _scalars(data))
    return [*lines, ""]


def write_report(outcome: dict[str, str] | None) -> Path:
    """BENCHMARKS.md from the kept results."""
    info = machine()
    lines = ["# Benchmarks", "",
             "Generated by `python bench/run_all.py` (`make bench`; `make bench-quick` for the short mode) from "
             "`bench/results/*.json`. Every benchmark measures its raw figure (plain pika, or a bare Flask + "
             "SQLAlchemy endpoint) again in the same run and states the project's figure against it. None fails "
             "on time: the figures are for reading, with the machine's load beside them.", "",
             f"Written {datetime.now(UTC):%Y-%m-%d %H:%M} UTC.", "", "## Machine", "",
             *_table(["what", "value"], [[k, v] for k, v in info.items()]), ""]
    if outcome:
        lines += ["## Last run", "", *_table(["benchmark", "outcome"], [[k, v] for k, v in outcome.items()]), ""]
    lines += ["## Results", ""]
    for name, _full, _short, how, what in BENCHMARKS:
        lines += section(name, how, what)
    notes = HERE / "profile.md"
    if notes.exists():
        lines += [notes.read_text().strip(), ""]
    path = ROOT / "BENCHMARKS.md"
    path.write_text("\n".join(lines))
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="every benchmark in its short mode (under 2 minutes)")
    parser.add_argument("--report-only", action="store_true", help="only rewrite BENCHMARKS.md from the results")
    args = parser.parse_args()
    started = time.monotonic()
    last_run = RESULTS / "last_run.json"
    if args.report_only:
        outcome = json.loads(last_run.read_text()) if last_run.exists() else None
    else:
        outcome = run(args.quick)
        last_run.write_text(json.dumps(outcome, indent=2))
    print(f"\nwrote {write_report(outcome)} after {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()

"""Benchmark 4 : the leads API's requests/s as a ratio to a bare Flask insert.

Both run under the project's gunicorn settings (deploy/gunicorn.conf.py) on the
same database kind, driven by ``wrk`` with 16 connections posting unique phones.
The leads service runs with its worker (the relay publishes what the requests
write), as in production.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from report import print_table, write_results
from stack import Stack, children_of, load_average, rss_mb, scratch_database, start_gunicorn, stop, wait_ready

from dealer_testing import free_port, token

HERE = Path(__file__).resolve().parent
BODY = '{"name":"Bench Customer","phone":"%s","source":"online","model_interest":"Aurora"}'
LUA = """
local threads = 0
function setup(thread) thread:set("id", threads); threads = threads + 1 end
local n = 0
local headers = {["Content-Type"] = "application/json", ["Authorization"] = "%(auth)s"}
function request()
  n = n + 1
  local phone = string.format("1%%d%%d%%08d", 3 + id, %(run)d, n)
  return wrk.format("POST", "%(path)s", headers, string.format('%(body)s', phone))
end
"""
UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def run_wrk(base: str, path: str, seconds: float, run: int, connections: int = 16) -> dict[str, float]:
    """Requests/s, latency p50/p99 (ms) and failures of ``wrk`` posting leads with unique phones."""
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install -y wrk")
    script = LUA % {"auth": token("consultant", "c1")["Authorization"], "path": path, "body": BODY, "run": run}
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
        lua.write(script)
    try:
        command = ["wrk", "-t2", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--timeout", "10s",
                   "--latency", "-s", lua.name]
        out = subprocess.run([*command, base],
                             capture_output=True, text=True, timeout=seconds + 60, check=True).stdout
    finally:
        os.unlink(lua.name)
    latency = {p: float(v) * UNITS[u] for p, v, u in re.findall(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)}
    failed = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors:.*?(\d+).*?(\d+).*?(\d+).*?(\d+)", out)
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
            "requests": int(re.search(r"(\d+) requests in", out).group(1)),
            "p50_ms": latency.get("50", 0.0), "p99_ms": latency.get("99", 0.0),
            "failed": (int(failed.group(1)) if failed else 0) + (sum(map(int, errors.groups())) if errors else 0)}


def measure(base: str, path: str, seconds: float) -> dict[str, float]:
    """A short warm-up (discarded), then the measured run."""
    run_wrk(base, path, 1 if seconds < 5 else 2, run=0)
    return run_wrk(base, path, seconds, run=1)


def bare_rate(kind: str, seconds: float) -> tuple[dict[str, float], dict[str, float | None]]:
    """The raw figure: the bare Flask + SQLAlchemy insert under the same gunicorn."""
    import bare_app

    from shared.db import dispose_engines, get_engine

    with scratch_database(kind) as url, tempfile.TemporaryDirectory() as tmp:
        bare_app.Base.metadata.create_all(get_engine(url))
        dispose_engines()
        port = free_port()
        env = {**os.environ, "BARE_DATABASE_URL": url}
        process = start_gunicorn("bare_app:create_app()", port, env, Path(tmp) / "bare.log", pythonpath=str(HERE))
        try:
            wait_ready(f"http://127.0.0.1:{port}/")
            figures = measure(f"http://127.0.0.1:{port}", "/rows", seconds)
            memory = {"bare web master": rss_mb(process.pid)}
            memory.update({f"bare web worker {n}": rss_mb(c) for n, c in enumerate(children_of(process.pid), 1)})
        finally:
            stop(process)
    return figures, memory


def leads_rate(kind: str, seconds: float) -> tuple[dict[str, float], dict[str, float | None]]:
    """The project's figure: POST /api/v1/leads on the leads service with its worker."""
    with Stack(kind) as stack:
        leads = stack.start("leads")
        figures = measure(leads.url, "/api/v1/leads", seconds)
        time.sleep(1)  # let the relay drain what the run wrote before reading memory
        return figures, stack.memory()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="5 s per run, SQLite only")
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default=None)
    parser.add_argument("--seconds", type=float, default=None)
    args = parser.parse_args()
    seconds = args.seconds or (3 if args.quick else 15)
    kinds = {"both": ["sqlite", "postgresql"], None: ["sqlite"] if args.quick else ["sqlite", "postgresql"]}.get(
        args.database, [args.database])
    load_before = load_average()
    runs, memory, rows = {}, {}, []
    for kind in kinds:
        bare, bare_memory = bare_rate(kind, seconds)
        leads, leads_memory = leads_rate(kind, seconds)
        ratio = leads["rps"] / bare["rps"]
        runs[kind] = {"bare": bare, "leads": leads, "ratio": ratio}
        memory.update({f"{k} ({kind})": v for k, v in {**bare_memory, **leads_memory}.items()})
        for what, f in (("bare Flask + SQLAlchemy insert", bare), ("POST /api/v1/leads", leads)):
            rows.append((kind, what, f"{f['rps']:,.0f}", f"{f['p50_ms']:.1f}", f"{f['p99_ms']:.1f}", f["failed"],
                         f"{f['rps'] / bare['rps']:.2f}"))
    title = f"HTTP: gunicorn (2 sync workers) on {os.cpu_count()} CPUs, wrk 16 connections, {seconds:.0f} s per run"
    header = ["database", "endpoint", "req/s", "p50 ms", "p99 ms", "failed", "ratio"]
    print_table(title, header, rows)
    write_results("http", {"quick": args.quick, "seconds": seconds, "connections": 16, "runs": runs,
                           "ratio": min(r["ratio"] for r in runs.values()), "goal": 0.6, "memory_mb": memory,
                           "load_average": {"before": load_before, "after": load_average()},
                           "table": {"title": title, "header": header, "rows": rows}})


if __name__ == "__main__":
    main()

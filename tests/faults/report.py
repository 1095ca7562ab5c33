"""Render the faults section of ``docs/reliability.md`` from the figures the fault tests wrote.

    python tests/faults/report.py [--results test-output/faults] [--doc docs/reliability.md]

Each fault test writes ``test-output/faults/<fault>.json``; this script puts one
summary table and one section per fault between the ``faults:begin`` and
``faults:end`` markers of the document, leaving everything else in it as it is.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
BEGIN = "<!-- faults:begin: rendered by tests/faults/report.py from test-output/faults/*.json -->"
END = "<!-- faults:end -->"
ORDER = ("broker_restart", "worker_killed", "relay_killed", "database_outage", "poison_message",
         "malformed_envelopes", "slow_consumer_backlog", "inventory_down")
COMMON = {"fault", "title", "injected", "command", "measured_at", "machine", "actions", "events_expected",
          "events_found", "lost", "unexpected", "unpublished", "duplicates_applied", "store_repeats",
          "inbox_repeats", "repeated_effects", "by_type", "funnel", "dropped_duplicates", "time_to_recover_s",
          "recover_means", "settled_seconds", "conclude_seconds", "stream_seconds", "wall_seconds"}
LABELS = {
    "actions_during_fault": "actions the web APIs accepted while the broker was down",
    "events_held_in_outboxes": "events waiting in the outboxes when the broker came back",
    "server_errors_during_fault": "5xx or unanswered requests while the broker was down",
    "broker_restart_seconds": "`start_app` until the broker accepted connections (s)",
    "outbox_drained_s": "from the broker answering again until every event held in the outboxes was published (s)",
    "deaths": "worker deaths (failpoint exits, SIGKILLs from outside)",
    "recoveries": "recovery after each death",
    "during_fault": "what callers saw during each outage",
    "workers_alive_after": "workers still running after the outages (none restarted)",
    "batches_returned_to_the_queue": "batches orders' consumer gave back to the queue while its database was away",
    "attempts": "attempts before the dead letters",
    "seconds_to_dead_letter": "from publish to the dead letters (s)",
    "backoff_total_s": "back-off configured in total (s)",
    "events_applied_while_it_cycled": "other events inventory applied while the poison message was retried",
    "dlq_list": "`dealer dlq list inventory` printed",
    "dead_letters": "messages parked in each service's dead letters",
    "dlq_replay": "`dealer dlq replay inventory` said",
    "poison_applied_times": "times the replayed event was applied",
    "backlog_at_start": "messages in reporting's queue when its worker started",
    "synthetic_events": "events of another system published to make up the backlog",
    "memory": "the worker's resident memory (VmRSS) while draining",
    "drain_events_per_s": "drain rate (events/s)",
    "test_drives_while_stopped": "test drives tried while nothing listened on inventory's port",
    "test_drives_while_silent": "test drives tried while inventory's port accepted and never answered",
    "caught_up_s": "from inventory's restart until reporting held every event written before (s)",
}


def load(results: Path) -> list[dict[str, Any]]:
    """Every fault's figures, in the issue's order."""
    found = {path.stem: json.loads(path.read_text()) for path in sorted(results.glob("*.json"))}
    return [found[name] for name in (*ORDER, *sorted(set(found) - set(ORDER))) if name in found]


def _dropped(result: dict[str, Any]) -> int:
    return sum(result.get("dropped_duplicates", {}).values())


def summary(results: list[dict[str, Any]]) -> list[str]:
    lines = ["| Fault | Actions sent | Events expected | Events found | Lost | Applied twice | "
             "Redeliveries dropped | Time to recover (s) |", "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        lines.append(f"| [{r['title']}](#{_anchor(r['title'])}) | {r['actions']['actions']:,} | "
                     f"{r['events_expected']:,} | {r['events_found']:,} | {r['lost']} | {r['duplicates_applied']} | "
                     f"{_dropped(r):,} | {r['time_to_recover_s']} |")
    return lines


def section(r: dict[str, Any]) -> list[str]:
    a, f = r["actions"], r["funnel"]
    lines = [f"### {r['title']}", "", f"- Injected: {r['injected']}.", f"- Reproduce: `{r['command']}`",
             f"- Actions sent: {a['leads_filed']:,} leads filed, {a['orders_placed']:,} orders placed, "
             f"{a['deliveries']:,} deliveries" + (f", {a['test_drives']:,} test drives" if a["test_drives"] else "")
             + f" ({a['actions']:,} in all); reporting's funnel shows {f['leads']:,} leads, {f['orders']:,} orders, "
             f"{f['deliveries']:,} deliveries" + (f", {f['test_drives']:,} test drives" if a["test_drives"] else "")
             + ".",
             f"- Events: {r['events_expected']:,} expected (written to the outboxes"
             + (", plus the synthetic ones" if r.get("synthetic_events") else "") + f"), {r['events_found']:,} "
             f"found in reporting's event store; lost {r['lost']}, unexpected {r['unexpected']}.",
             f"- Applied twice: {r['duplicates_applied']} (event ids held twice in the store: {r['store_repeats']}; "
             f"in the inboxes: {r['inbox_repeats']}; second answers to one order or lead: "
             f"{r['repeated_effects']}). Redelivered or republished events the consumers recognised and skipped: "
             + ", ".join(f"{k} {v:,}" for k, v in r["dropped_duplicates"].items()) + ".",
             f"- Time to recover: {r['time_to_recover_s']} s ({r['recover_means']}).",
             f"- Stream {r['stream_seconds']} s; settled {r['settled_seconds']} s after it; whole test "
             f"{r['wall_seconds']} s (measured {r['measured_at']}, {r['machine']['cpus']} CPUs"
             + (f", load average {r['machine']['load_1min']}" if r["machine"].get("load_1min") is not None else "")
             + ")."]
    for key, value in r.items():
        if key not in COMMON:
            label = LABELS.get(key, key)
            lines.append(f"- {label[0].upper()}{label[1:]}: {_value(value)}")
    lines += ["", "<details><summary>Events by type: expected / found</summary>", "",
              "| service:routing key | expected | found |", "|---|---:|---:|"]
    lines += [f"| {k} | {v['expected']:,} | {v['found']:,} |" for k, v in r["by_type"].items()]
    return [*lines, "", "</details>", ""]


def _value(value: Any) -> str:
    if isinstance(value, str) and "\n" in value:
        return "\n\n  ```\n" + "\n".join(f"  {line}" for line in value.splitlines()) + "\n  ```"
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_value(v)}" for k, v in value.items())
    return f"`{value}`" if isinstance(value, str) and value.startswith(("replayed", "[")) else str(value)


def _anchor(title: str) -> str:
    return "".join(c for c in title.lower().replace(" ", "-") if c.isalnum() or c == "-")


INTRO = """Each fault test starts leads, inventory, orders and reporting as real processes (gunicorn web and
worker each, each on its own PostgreSQL database; leads on SQLite in the database test) on the real
RabbitMQ, drives a stream of at least 2,000 business actions through their HTTP APIs (8 clients in
parallel; every POST retried on 503 or no answer under the same `Idempotency-Key`, or for lead filing
the same phone, which the domain keeps unique, so each action happens once), injects its fault in the
middle of the stream, then waits until every outbox is published and reporting holds as many events, and
reconciles from the databases: per service and event type, the events the producer wrote (its outbox)
against the events reporting stored (its event store); no event id twice in any store or inbox; no order
or lead answered twice; and reporting's funnel (leads, orders, deliveries, test drives) equal to the
actions performed. Actions are counted as the business counts them: leads filed, orders placed,
deliveries made (each a chain of contract, approval, payment and handover), test drives; the cars
received for the orders are set-up, not counted.

Run them all with `make test-faults` (then `python tests/faults/report.py` rewrites this section); each
section below names the command that reproduces it. Lost and applied twice are 0 for every fault, or the
test fails. The figures are the last run's, on a 2-CPU machine often shared with other test runs: the
times grow with the machine's load.
"""
FOUND = """### What the fault tests changed, and what stays weak

Fixed because a fault test showed it:

- **A consumer whose database went away died.** When a batch failed on a dropped database connection, the
  consumer returned it to the queue with `basic_nack`, which py-amqp does not have: the consumer thread
  died and the worker stopped (orders' worker, in the database test: the saga stalled with 32 of 100
  orders served). Each message of the batch now goes back with `basic_reject(requeue=True)`
  (`shared/consumer.py`; kernel test `shared/tests/test_consumer_database_lost.py`).

- **SQLite locked: a hung request instead of a 503.** Every web request waited 30 s for a stuck writer's
  lock, and gunicorn killed the worker at its own 30 s timeout: callers got no answer at all. Web requests
  now wait 2 s for SQLite's lock (`shared/db.py`, `WEB_LOCK_WAIT`; workers still wait 30 s), and once a
  process found the lock stuck, its next requests try without waiting for 5 s (or until one gets the
  lock), so callers queued behind each other get their 503 at once instead of 2 s each in turn.
- **An idempotency key's answer lost with the database: the work done twice.** The key is reserved in its
  own transaction and its answer stored in another after the work; when the database went away between
  the work's commit and that second transaction, the key stayed unanswered, counted as abandoned after
  60 s, and the client's retry did the work again (a second order). The work's own transaction now marks
  the key done; a retry then gets `409 Request already carried out` (read the resource) and nothing is
  done twice (`shared/web/idempotency.py`; kernel test `shared/tests/test_idempotency_answer_lost.py`).
  Storing the key's answer when the database is gone no longer turns the answer into a 500.
- **Inventory silent: every leads worker held for the whole timeout.** With sync workers, each test drive
  waited out the HTTP timeout towards inventory, so under load a caller queued behind others waited
  several timeouts for its 503 (4 s with a 1 s timeout) and the rest of the leads API slowed too. After a
  failure, leads now answers test drives 503 at once for 3 s before asking inventory again
  (`services/leads/leads/inventory.py`).
- The relay's lease on claimed rows is configurable (`DEALER_RELAY_LEASE_SECONDS`, 30 s by default) so the
  relay-killed test need not wait 30 s per kill; consumers log how many redelivered events they skipped
  (`"skipped": n`), which is how the tests count the duplicates they dropped.

Still weak (not fixed here):

- On SQLite every transaction takes the write lock at `BEGIN` (`BEGIN IMMEDIATE`), reads included, so a
  stuck writer makes reads answer 503 too; and a test drive holds leads' SQLite lock while it asks
  inventory (up to `DEALER_HTTP_TIMEOUT`). PostgreSQL has neither problem.
- A worker that dies is restarted by its supervisor (compose `restart: unless-stopped`, Kubernetes, or
  `dealer run`, which restarts a process that exits with a back-off of 1 s doubling to 30 s); the tests
  play that supervisor.
- A message whose AMQP headers py-amqp itself cannot decode (a timestamp past the year 9999) fails before
  the consumer's callback: the consumer thread survives and reconnects, but the message comes back on each
  reconnect until the quorum queue's delivery limit parks it: declared on a cluster (`DEALER_DELIVERY_LIMIT`,
  500 by default there); on a single node it is 0 (none) unless set, so such a message keeps coming back.

Fixed since (issue 11): a relay whose publish failed, or whose broker blocked or fell silent, now gives its
rows back at once (PostgreSQL: rollback; SQLite: the lease is cleared) instead of holding them for the
lease; a malformed message is parked at once instead of killing the consumer thread (the fault above).
"""


def render(results: list[dict[str, Any]]) -> str:
    """The faults section, markers included."""
    lines = [BEGIN, "## Faults", "", INTRO, *summary(results), "",
             f"The {len(results)} tests took {sum(r['wall_seconds'] for r in results) / 60:.1f} min in all "
             "(sum of their wall times, services' start and stop included).", ""]
    for result in results:
        lines += section(result)
    return "\n".join([*lines, FOUND, END]) + "\n"


def write(doc: Path, section_text: str, begin: str = BEGIN, end: str = END) -> None:
    """Replace the section between ``begin`` and ``end`` in ``doc`` (the faults', by default), or add it at the
    end; create the document with it when there is none (the cluster suite's report writes its own section)."""
    if not doc.exists():
        doc.parent.mkdir(parents=True, exist_ok=True)
        doc.write_text("# Reliability\n\n" + section_text)
        return
    text = doc.read_text()
    if begin in text and end in text:
        before, rest = text.split(begin, 1)
        after = rest.split(end, 1)[1].lstrip("\n")
        doc.write_text(before + section_text + ("\n" + after if after else ""))
    else:
        doc.write_text(text.rstrip("\n") + "\n\n" + section_text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", type=Path, default=ROOT / "test-output" / "faults")
    parser.add_argument("--doc", type=Path, default=ROOT / "docs" / "reliability.md")
    args = parser.parse_args()
    results = load(args.results)
    write(args.doc, render(results))
    print(f"{args.doc}: faults section from {len(results)} result(s)")


if __name__ == "__main__":
    main()

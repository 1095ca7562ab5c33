"""``dealer seed``: fill the running store with a believable period, through its own APIs."""
from __future__ import annotations

import sys
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import click

from demo_store.plan import MAX_DAYS, Plan

DEPARTMENTS = ("leads", "orders", "inventory", "after_sales")


def parse_until(raw: str | None) -> datetime:
    """The period's end: an ISO time with offset, or two minutes ago (so nothing lands in the future)."""
    if raw is None:
        return (datetime.now(UTC) - timedelta(minutes=2)).replace(microsecond=0)
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise click.BadParameter("must be an ISO 8601 time with offset", param_hint="--until") from None
    if moment.tzinfo is None or moment > datetime.now(UTC):
        raise click.BadParameter("must carry an offset and not be in the future", param_hint="--until")
    return moment.astimezone(UTC)


@click.command()
@click.option("--days", default=30, show_default=True, type=click.IntRange(1, MAX_DAYS),
              help="how many days of history, ending today")
@click.option("--seed", "seed_number", default=6, show_default=True, help="the same seed makes the same store")
@click.option("--scale", default=8.0, show_default=True, type=click.FloatRange(0.5, 200),
              help="new customers a day (about; more at weekends)")
@click.option("--until", default=None, help="end of the period (ISO time with offset); default now")
@click.option("--dry-run", is_flag=True, help="print the plan, one action a line, and call nothing")
def seed(days: int, seed_number: int, scale: float, until: str | None, dry_run: bool) -> None:
    """Fill the running store (make run) with demo data: staff, customers, cars, sales, after-sales.

    Service URLs come from LEADS_URL, ORDERS_URL, ... (or *_PORT), as for every department.
    """
    from demo_store.build import build_plan
    from demo_store.client import SeedError
    from demo_store.plan import PlanArgs
    from shared.config import load_settings

    settings = load_settings("leads")
    plan = build_plan(PlanArgs(seed_number, days, scale, parse_until(until), settings.timezone))
    if dry_run:
        for action in plan.ordered():
            click.echo(action.describe())
        return
    check_store(settings.service_urls, settings.jwt_secret)
    try:
        result = seed_store(plan, settings.service_urls, settings.jwt_secret)
    except SeedError as exc:
        raise click.ClickException(f"seeding stopped: {str(exc).splitlines()[0]}") from None
    click.echo(result.summary)


def check_store(urls: dict[str, str], secret: str) -> None:
    """A store that is not running, or not empty, is the user's mistake: one line saying so, exit 2, before any call."""
    from demo_store.client import Desk, SeedError
    from demo_store.report import check_empty
    from shared.cli_errors import Mistake

    if not secret:
        raise Mistake("no token secret: start the store with `make run` first (it makes ./var/jwt-secret), "
                      "or set DEALER_JWT_SECRET to the store's")
    desk = Desk(urls, secret)
    try:
        check_empty(desk, DEPARTMENTS)
    except SeedError as exc:
        raise Mistake(str(exc)) from None
    finally:
        desk.close()


@dataclass(frozen=True)
class SeedResult:
    """What a seed did: a summary for people, the actions performed, every answer's status."""

    summary: str
    done: list[str]
    statuses: Counter[int]
    funnel: dict[str, Any] | None


def seed_store(plan: Plan, urls: dict[str, str], secret: str, progress: bool = True) -> SeedResult:
    """Play the plan against the services at ``urls``; answers what was made."""
    from demo_store.client import Desk
    from demo_store.report import check_empty, summarise, wait_for_reporting
    from demo_store.runner import Runner

    started = time.monotonic()
    desk = Desk(urls, secret)
    try:
        reporting = check_empty(desk, DEPARTMENTS)
        runner = Runner(desk, plan, reporting)
        if progress:
            with click.progressbar(length=len(plan.actions), label="seeding", file=sys.stderr) as bar:
                runner.play(bar.update)
        else:
            runner.play()
        funnel = wait_for_reporting(desk, plan) if reporting else None
        summary = summarise(plan, desk, funnel, time.monotonic() - started)
        return SeedResult(summary, runner.done, desk.statuses, funnel)
    finally:
        desk.close()

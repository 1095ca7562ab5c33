"""``dealer seed``: fill the running store with a believable period, through its own APIs."""
from __future__ import annotations

import sys
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import click

from shared.seed.plan import MAX_DAYS, Plan

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
    from shared.config import load_settings
    from shared.seed.build import build_plan
    from shared.seed.client import SeedError
    from shared.seed.plan import PlanArgs

    settings = load_settings("leads")
    plan = build_plan(PlanArgs(seed_number, days, scale, parse_until(until), settings.timezone))
    if dry_run:
        for action in plan.ordered():
            click.echo(action.describe())
        return
    try:
        result = seed_store(plan, settings.service_urls, settings.jwt_secret)
    except SeedError as exc:
        raise click.ClickException(f"seeding stopped: {exc}") from None
    click.echo(result.summary)


@dataclass(frozen=True)
class SeedResult:
    """What a seed did: a summary for people, the actions performed, every answer's status."""

    summary: str
    done: list[str]
    statuses: Counter[int]
    funnel: dict[str, Any] | None


def seed_store(plan: Plan, urls: dict[str, str], secret: str, progress: bool = True) -> SeedResult:
    """Play the plan against the services at ``urls``; answers what was made."""
    from shared.seed.client import Desk
    from shared.seed.report import check_empty, summarise, wait_for_reporting
    from shared.seed.runner import Runner

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

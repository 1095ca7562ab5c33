"""``dealer reporting ...``: rebuild the projections, backfill the event store from the feeds."""
from __future__ import annotations

import getpass
import sys
from typing import Any

import click

from reporting.rebuild.backfill import FEED_SERVICES, backfill, http_feed
from reporting.services import rebuild_now
from shared.actors import Actor
from shared.cli_errors import Mistake, plain_errors
from shared.config import load_settings
from shared.db import session_factory
from shared.domain import DomainError


@click.group("reporting")
def reporting() -> None:
    """Reporting: rebuild projections, backfill events from the departments' feeds."""


@reporting.command()
def rebuild() -> None:
    """Recompute every projection from the event store, with a progress bar (shown in /admin/status)."""
    sessions = session_factory(load_settings("reporting").database_url)
    bar: Any = None

    def progress(done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            bar = click.progressbar(length=total, label="rebuilding", file=sys.stderr)
            bar.__enter__()
        bar.update(done - bar.pos)

    try:
        with plain_errors("reporting"), sessions() as session:
            run_id, done = rebuild_now(session, Actor(command_line_user(), "ops"), progress)
    except DomainError as busy:
        raise Mistake(f"{busy} (rebuild {busy.extra.get('rebuild_id')}): wait for it to finish, "
                      "see GET /api/v1/admin/status") from None
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
    click.echo(f"rebuilt every projection from {done} event(s) (rebuild {run_id})", err=True)


def command_line_user() -> str:
    """Who asked, for the run's ``requested_by``: ``cli:<login>`` (``cli`` where the login has no name)."""
    try:
        return f"cli:{getpass.getuser()}"[:64]
    except (KeyError, OSError):
        return "cli"


@reporting.command("backfill")
@click.option("--service", "services", multiple=True, type=click.Choice(FEED_SERVICES),
              help="a department to read (all four by default); repeat for several")
@click.option("--page-size", default=500, show_default=True, type=click.IntRange(1, 5000))
def backfill_command(services: tuple[str, ...], page_size: int) -> None:
    """Fill the event store from each department's event feed (only what is missing is added)."""
    settings = load_settings("reporting")

    def progress(service: str, read: int, stored: int) -> None:
        click.echo(f"{service}: read {read}, new {stored}", err=True)

    results = backfill(session_factory(settings.database_url), services or FEED_SERVICES, http_feed(settings),
                       page_size, progress)
    for result in results:
        state = f"FAILED: {result.error}" if result.error else "up to date"
        click.echo(f"{result.service}: {result.read} event(s) read, {result.stored} new, {state}", err=True)
    if any(result.error for result in results):
        sys.exit(1)

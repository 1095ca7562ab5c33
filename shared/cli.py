"""The ``dealer`` command: tokens, migrations, the local runner, workers, dead letters.

Services may add their own subcommands (``dealer reporting rebuild``) through
their ``ServiceSpec.commands``.
"""
from __future__ import annotations

import os
import sys
from datetime import timedelta
from pathlib import Path

import click

from shared import dlq
from shared.config import (
    JWT_SECRET_VAR,
    SecretRefused,
    check_jwt_secret,
    load_settings,
    local_secret_path,
    read_jwt_secret,
)
from shared.seed.command import seed
from shared.service import ServiceSpec, installed_services, service
from shared.web.auth import ROLES, mint_token


@click.group()
def main() -> None:
    """Dealership back office: operate the services."""


@main.command()
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--sub", required=True, help="user id, e.g. c1")
@click.option("--name", default="", help="display name")
@click.option("--hours", default=12.0, show_default=True, help="validity")
def token(role: str, sub: str, name: str, hours: float) -> None:
    """Print a bearer token (only the token, so TOKEN=$(dealer token ...) works).

    Signed with ``DEALER_JWT_SECRET``, or without it with the local store's secret file, the one
    ``dealer run`` hands its processes, so a token works against ``make run`` with no configuration.
    """
    click.echo(mint_token(signing_secret(), role, sub, name, timedelta(hours=hours)))


def signing_secret() -> str:
    """The secret ``dealer run`` and ``dealer token`` use: the variable, else ./var's file (made on first use).

    A missing, published or short secret ends the command with one line saying how to make one.
    """
    path = local_secret_path()
    existed = path.exists()
    secret = read_jwt_secret(create=True)
    if not existed and path.exists() and JWT_SECRET_VAR not in os.environ:
        click.echo(f"dealer: created {path} (the local token-signing secret; {JWT_SECRET_VAR} overrides it)", err=True)
    try:
        return check_jwt_secret(secret)
    except SecretRefused as refused:
        raise click.ClickException(str(refused)) from None


@main.command()
@click.argument("services", nargs=-1)
def migrate(services: tuple[str, ...]) -> None:
    """Bring each service's database to the latest schema (all installed by default)."""
    from shared.migrations import upgrade

    for name in services or tuple(installed_services()):
        spec = service(name)
        upgrade(spec)
        declare_queues(spec)
        click.echo(f"{name}: migrated", err=True)


def declare_queues(spec: ServiceSpec) -> None:
    """Declare a consuming service's queues and bindings, so no event waits for its first start."""
    if not spec.handlers:
        return
    from shared import broker

    settings = load_settings(spec.name)
    conn = broker.connect(settings.amqp_url)
    try:
        broker.declare_consumer_queues(broker.raw_channel(conn), settings, spec.bindings or sorted(spec.handlers))
    finally:
        conn.close()


@main.command()
@click.argument("name")
def worker(name: str) -> None:
    """Run one service's worker: outbox relay, consumer, scheduled jobs."""
    from shared.worker import run_worker

    settings = load_settings(name)
    try:  # a worker signs its own calls to the other services (reporting's backfill reads their feeds)
        check_jwt_secret(settings.jwt_secret)
    except SecretRefused as refused:
        raise click.ClickException(str(refused)) from None
    run_worker(service(name), settings)


def procfile_entries(path: Path) -> dict[str, str]:
    """The ``name: command`` lines of a Procfile."""
    entries = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#") and ":" in line:
            name, command = line.split(":", 1)
            entries[name.strip()] = command.strip()
    return entries


def pick_processes(entries: dict[str, str], names: tuple[str, ...]) -> dict[str, str]:
    """The Procfile lines to run: those named, else every line of an installed service."""
    if not names:
        installed = installed_services()
        return {n: cmd for n, cmd in entries.items() if n.rsplit("-", 1)[0] in installed}
    unknown = [n for n in names if n not in entries]
    if unknown:
        raise click.BadParameter(f"not in the Procfile: {', '.join(unknown)} (it has: {', '.join(entries)})",
                                 param_hint="NAMES")
    return {n: entries[n] for n in names}


@main.command()
@click.option("--procfile", default=lambda: os.environ.get("DEALER_PROCFILE", "Procfile"), show_default="Procfile")
@click.option("--grace", default=10.0, show_default=True, help="seconds between SIGTERM and SIGKILL when stopping")
@click.argument("names", nargs=-1)
def run(procfile: str, grace: float, names: tuple[str, ...]) -> None:
    """Start every installed service's web and worker (or the NAMES given), restarting any that exits.

    Ctrl-C or SIGTERM stops them all. The processes get the token-signing secret in their environment
    (DEALER_JWT_SECRET, else ./var/jwt-secret, created on first start).
    """
    from shared.supervisor import Supervisor

    path = Path(procfile)
    if not path.is_file():
        raise click.BadParameter(f"no such file: {path}", param_hint="--procfile")
    commands = pick_processes(procfile_entries(path), names)
    env = {**os.environ, JWT_SECRET_VAR: signing_secret()}
    sys.exit(Supervisor(commands, env, grace=grace).run())


@main.group("dlq")
def dlq_group() -> None:
    """Dead letters: events a service could not apply after every retry."""


@dlq_group.command("list")
@click.argument("name")
def dlq_list(name: str) -> None:
    """List a service's dead letters with the last error."""
    letters = dlq.list_dead_letters(load_settings(service(name).name))
    for letter in letters:
        click.echo(f"{letter.event_id}  {letter.event_type}  attempts={letter.attempts}  "
                   f"failed_at={letter.failed_at}  {letter.error}")
    click.echo(f"{len(letters)} dead letter(s) in {name}", err=True)


@dlq_group.command("replay")
@click.argument("name")
def dlq_replay(name: str) -> None:
    """Send a service's dead letters back to its queue for another try."""
    count = dlq.replay_dead_letters(load_settings(service(name).name))
    click.echo(f"replayed {count} dead letter(s) to {name}", err=True)


@main.command()
@click.argument("name")
@click.option("-m", "--message", required=True)
def revision(name: str, message: str) -> None:
    """Write a new migration for a service from the difference between models and database."""
    from alembic import command

    from shared.migrations import alembic_config, upgrade

    spec = service(name)
    upgrade(spec)
    command.revision(alembic_config(spec), message=message, autogenerate=True)


main.add_command(seed)

for _spec in installed_services().values():
    if _spec.commands is not None:
        main.add_command(_spec.commands)


if __name__ == "__main__":
    main()

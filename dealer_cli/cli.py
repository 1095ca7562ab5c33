"""The ``dealer`` command: tokens, migrations, the local runner, workers, dead letters.

Services may add their own subcommands (``dealer reporting rebuild``) through
their ``ServiceSpec.commands``. A user's mistake (an unknown service, a database or broker
that is not there, no Procfile) ends in one line saying what to do, with exit code 2
(``shared.cli_errors``); ``./var`` is the checkout's (``shared.checkout``), wherever the command runs.
"""
from __future__ import annotations

import logging
import os
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import click

from demo_store.command import seed
from shared import checkout, dlq
from shared.actors import ROLES
from shared.cli_errors import Mistake, one_line, plain_errors
from shared.config import (
    JWT_SECRET_VAR,
    SecretRefused,
    check_jwt_secret,
    data_dir,
    load_settings,
    local_secret_path,
    read_jwt_secret,
    service_url,
)
from shared.service import declare_queues, installed_services, service
from shared.web.auth import mint_token

SERVICES = tuple(installed_services())
SERVICE = click.Choice(SERVICES)
SERVICES_EPILOG = f"Services: {', '.join(SERVICES)}."


class DealerGroup(click.Group):
    """The ``dealer`` group: full one-line summaries in ``--help``, and every error in one line."""

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """List every command with its whole first sentence (click cuts them at the terminal's width)."""
        rows = [(name, command.get_short_help_str(limit=200)) for name in self.list_commands(ctx)
                if (command := self.get_command(ctx, name)) is not None and not command.hidden]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

    def main(self, *args: Any, **kwargs: Any) -> Any:
        """Run a command; a usage error or a ``ClickException`` prints ``Error: ...`` in one line."""
        kwargs["standalone_mode"] = False
        kwargs.setdefault("prog_name", "dealer")  # also under `python -m dealer_cli`, so hints name the command
        try:
            result = super().main(*args, **kwargs)
        except click.UsageError as mistake:
            path = mistake.ctx.command_path if mistake.ctx is not None else "dealer"
            fail(f"{mistake.format_message()} (see `{path} --help`)", mistake.exit_code)
        except click.ClickException as problem:
            fail(problem.format_message(), problem.exit_code)
        except click.Abort:
            fail("aborted", 1)
        sys.exit(result if isinstance(result, int) else 0)


def fail(message: str, code: int) -> None:
    """Print ``Error: <message>`` as one line on stderr and exit with ``code``."""
    click.echo(f"Error: {one_line(message)}", err=True)
    sys.exit(code)


@click.group(cls=DealerGroup)
def main() -> None:
    """Dealership back office: operate the services.

    Its data (SQLite files, token secret, make run's own RabbitMQ) lives in the checkout's ./var,
    wherever the command runs; DEALER_DATA_DIR overrides it.
    """


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


@main.command(epilog=SERVICES_EPILOG)
@click.option("-v", "--verbose", is_flag=True, help="show Alembic's log of each migration step")
@click.argument("services", nargs=-1, type=SERVICE, metavar="[SERVICE]...")
def migrate(services: tuple[str, ...], verbose: bool) -> None:
    """Bring each service's database to the latest schema and declare its queues (all services by default)."""
    for name in migrate_services(services or SERVICES, verbose):
        click.echo(f"{name}: migrated", err=True)


def migrate_services(names: tuple[str, ...], verbose: bool = False) -> list[str]:
    """Migrate each service and declare its queues; the names done. Alembic's INFO lines only when ``verbose``."""
    from shared.migrations import upgrade

    if verbose:
        logging.basicConfig(level=logging.INFO, format="%(levelname)-5.5s [%(name)s] %(message)s")
    logging.getLogger("alembic").setLevel(logging.INFO if verbose else logging.WARNING)
    done = []
    for name in names:
        spec = service(name)
        with plain_errors(name):
            upgrade(spec)
            declare_queues(spec)
        done.append(name)
    return done




@main.command(epilog=SERVICES_EPILOG)
@click.argument("name", type=SERVICE, metavar="SERVICE")
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
        return {n: cmd for n, cmd in entries.items() if n.rsplit("-", 1)[0] in SERVICES}
    unknown = [n for n in names if n not in entries]
    if unknown:
        raise click.BadParameter(f"not in the Procfile: {', '.join(unknown)} (it has: {', '.join(entries)})",
                                 param_hint="NAMES")
    return {n: entries[n] for n in names}


def find_procfile(given: str | None) -> Path:
    """The Procfile to run: ``--procfile``/``DEALER_PROCFILE``, else ./Procfile, else the checkout's."""
    if given:
        path = Path(given)
        if not path.is_file():
            raise Mistake(f"no such Procfile: {path}; pass the path of the project's Procfile")
        return path.resolve()
    here = Path("Procfile")
    if here.is_file():
        return here.resolve()
    found = checkout.default_procfile()
    if found is None or not found.is_file():
        raise Mistake(f"no Procfile in {Path.cwd()} and no checkout of the project found: run `dealer run` in the "
                      "project's checkout (where `make run` works), or pass --procfile")
    return found


@main.command(epilog=f"{SERVICES_EPILOG} NAMES are Procfile lines: <service>-web or <service>-worker.")
@click.option("--procfile", default=lambda: os.environ.get("DEALER_PROCFILE"),
              help="default: ./Procfile, else the checkout's")
@click.option("--grace", default=10.0, show_default=True, help="seconds between SIGTERM and SIGKILL when stopping")
@click.argument("names", nargs=-1)
def run(procfile: str | None, grace: float, names: tuple[str, ...]) -> None:
    """Start every service's web and worker (or the NAMES given), restarting any that exits; Ctrl-C stops all.

    First, for the services it starts: uses the RabbitMQ answering at AMQP_URL, or starts one of its own
    under ./var/rabbitmq (stopped again with everything), migrates their databases and prints their URLs
    and a manager token. The processes get the token-signing secret in their environment
    (DEALER_JWT_SECRET, else ./var/jwt-secret, created on first start).
    """
    from dealer_cli.localbroker import SetupProblem, ensure_broker
    from dealer_cli.supervisor import Supervisor

    path = find_procfile(procfile)
    commands = pick_processes(procfile_entries(path), names)
    secret = signing_secret()
    env = {**os.environ, JWT_SECRET_VAR: secret, "DEALER_DATA_DIR": str(data_dir()),
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    services = tuple(name for name in SERVICES if any(n.rsplit("-", 1)[0] == name for n in commands))
    node = None
    try:
        if services:
            try:
                node, said = ensure_broker(load_settings(services[0]).amqp_url, data_dir())
            except SetupProblem as problem:
                raise Mistake(str(problem)) from None
            click.echo(said)
            click.echo(f"Databases: migrated {', '.join(migrate_services(services))} ({where_data_is(services)})")
            click.echo(banner(services, secret))
        os.chdir(path.parent)  # the Procfile's lines name files relative to it (deploy/gunicorn.conf.py)
        code = Supervisor(commands, env, grace=grace).run()
    finally:
        if node is not None:
            node.stop()
            click.echo(f"RabbitMQ: stopped our node {node.name}")
    sys.exit(code)


def where_data_is(services: tuple[str, ...]) -> str:
    """``SQLite in /…/var`` or the database URL's kind, for the line saying what was migrated."""
    urls = [load_settings(name).database_url for name in services]
    if all(url.startswith("sqlite") for url in urls):
        return f"SQLite files in {data_dir()}"
    return "databases from *_DATABASE_URL"


def banner(services: tuple[str, ...], secret: str) -> str:
    """What a newcomer needs on the first screen: the URLs, a manager token, how to load the demo store."""
    dealer = shown_path(Path(sys.executable).parent / "dealer")
    urls = [f"{name} {service_url(name)}" for name in services]
    rows = ["  ".join(urls[at:at + 3]) for at in range(0, len(urls), 3)]  # three a line: fits 120 columns
    lines = ["", *(f"{'Services:' if at == 0 else '':<10} {row}" for at, row in enumerate(rows))]
    if "reporting" in services:
        lines.append(f"Dashboard: {service_url('reporting')}/dashboard (sign in with the manager token)")
    manager = mint_token(secret, "sales_manager", "m1", "Sales Manager", timedelta(hours=12))
    lines += [f"Manager token (12 h): {manager}",
              f"More tokens: TOKEN=$({dealer} token --role consultant --sub c1)",
              f"Demo store: once all are up, in another terminal: {dealer} seed --days 30",
              "Ctrl-C stops everything.", ""]
    return "\n".join(lines)


def shown_path(path: Path) -> str:
    """``path`` relative to the working folder when it is inside it (``.venv/bin/dealer``), else absolute."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


@main.group("dlq")
def dlq_group() -> None:
    """Dead letters: events a service could not apply after every retry."""


@dlq_group.command("list", epilog=SERVICES_EPILOG)
@click.argument("name", type=SERVICE, metavar="SERVICE")
def dlq_list(name: str) -> None:
    """List a service's dead letters with the last error."""
    with plain_errors(name):
        letters = dlq.list_dead_letters(load_settings(name))
    for letter in letters:
        click.echo(f"{letter.event_id}  {letter.event_type}  attempts={letter.attempts}  "
                   f"failed_at={letter.failed_at}  {letter.error}")
    click.echo(f"{len(letters)} dead letter(s) in {name}", err=True)


@dlq_group.command("replay", epilog=SERVICES_EPILOG)
@click.argument("name", type=SERVICE, metavar="SERVICE")
def dlq_replay(name: str) -> None:
    """Send a service's dead letters back to its queue for another try."""
    with plain_errors(name):
        count = dlq.replay_dead_letters(load_settings(name))
    click.echo(f"replayed {count} dead letter(s) to {name}", err=True)


@main.command(epilog=SERVICES_EPILOG)
@click.argument("name", type=SERVICE, metavar="SERVICE")
@click.option("-m", "--message", required=True)
def revision(name: str, message: str) -> None:
    """Write a new migration for a service from the difference between models and database."""
    from alembic import command

    from shared.migrations import alembic_config, upgrade

    spec = service(name)
    with plain_errors(name):
        upgrade(spec)
        command.revision(alembic_config(spec), message=message, autogenerate=True)


main.add_command(seed)

for _spec in installed_services().values():
    if _spec.commands is not None:
        main.add_command(_spec.commands)


if __name__ == "__main__":
    main()

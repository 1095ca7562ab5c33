"""How the ``dealer`` command reports a user's mistake: one line saying what is wrong and what to do, exit 2.

A newcomer who types an unknown service, runs a command before the database or the broker is up,
or outside the checkout, must read what to do, not a traceback (issue 12). The group's ``main``
(``dealer_cli.cli``) turns click's usage errors into that one line; the commands raise ``Mistake``
themselves, and ``plain_errors`` turns a database or broker that cannot be reached into one.
Programming errors keep their traceback: those are for us, not for the user.
"""
from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

import click

MISTAKE_EXIT = 2


class Mistake(click.ClickException):
    """A mistake of the user's or of their machine's set-up: ``Error: <what>; <what to do>``, exit 2."""

    exit_code = MISTAKE_EXIT


def one_line(text: str) -> str:
    """Every run of white space, new lines included, made one space."""
    return " ".join(text.split())


def without_password(url: str) -> str:
    """A database or broker URL fit to print: its password replaced by ``***``."""
    parts = urlsplit(url)
    if not parts.password:
        return url
    return parts._replace(netloc=parts.netloc.replace(f":{parts.password}@", ":***@", 1)).geturl()


def database_message(service: str, url: str, error: BaseException) -> str:
    """What is wrong with a service's database and what to do about it."""
    cause = one_line(str(getattr(error, "orig", None) or error)).split(" [SQL:")[0][:300]
    variable = f"{service.upper()}_DATABASE_URL"
    if "no such table" in cause or ("relation" in cause and "does not exist" in cause):
        return f"{service}'s database has no tables yet ({cause}): run `dealer migrate {service}`"
    return (f"{service}'s database at {without_password(url)} cannot be used ({cause}): start or create it, "
            f"or point {variable} at one that works")


def broker_message(url: str, error: BaseException) -> str:
    """What is wrong with the broker and what to do about it."""
    cause = one_line(f"{error.__class__.__name__}: {error}")[:300]
    return (f"RabbitMQ at {without_password(url)} cannot be used ({cause}): start it (`make run` starts one of its "
            "own) or set AMQP_URL")


def _broker_errors() -> tuple[type[BaseException], ...]:
    import amqp.exceptions
    import kombu.exceptions

    return (ConnectionError, TimeoutError, socket.gaierror, amqp.exceptions.AMQPError,
            kombu.exceptions.OperationalError)


@contextmanager
def plain_errors(service: str) -> Iterator[None]:
    """Inside: a database or broker of ``service`` that cannot be reached or used ends the command in one line."""
    import sqlalchemy.exc

    from shared.config import load_settings

    settings = load_settings(service)
    try:
        yield
    except sqlalchemy.exc.DBAPIError as error:
        raise Mistake(database_message(service, settings.database_url, error)) from None
    except _broker_errors() as error:
        if _is_missing_queue(error):
            raise Mistake(f"{service} has no queues on RabbitMQ at {without_password(settings.amqp_url)} yet: "
                          f"run `dealer migrate {service}`") from None
        raise Mistake(broker_message(settings.amqp_url, error)) from None


def _is_missing_queue(error: BaseException) -> bool:
    import amqp.exceptions

    return isinstance(error, amqp.exceptions.NotFound)

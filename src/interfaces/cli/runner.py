"""What every CLI command shares: one-line refusals, the settings, and running a use case in a
request scope of the same container as the HTTP API. Part of the CLI's composition root."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import NoReturn, TypeVar

import click
from dishka import AsyncContainer

from application.shared.errors import ApplicationError
from domain.shared.errors import DomainError, InvalidValue, InvalidValues
from infrastructure.config import ConfigurationError, Settings, load_settings
from infrastructure.db import migrations
from infrastructure.di.container import make_container
from infrastructure.logging import configure_logging

R = TypeVar("R")


class Refused(click.ClickException):
    """A refused command: one clear line on stderr, exit 1, no traceback."""

    def show(self, file: object = None) -> None:
        click.echo(f"error: {self.message}", err=True)


def fail_config(error: ConfigurationError) -> NoReturn:
    click.echo("error: the configuration is not valid:", err=True)
    for problem in error.problems:
        click.echo(f"  - {problem}", err=True)
    sys.exit(1)


def settings_from_env(environ: Mapping[str, str] | None = None) -> Settings:
    try:
        return load_settings(os.environ if environ is None else environ)
    except ConfigurationError as error:
        fail_config(error)


@contextmanager
def database_errors() -> Iterator[None]:
    # Driver messages can carry connection details; say what failed, never the URL.
    try:
        yield
    except (OSError, TimeoutError) as error:
        raise Refused(f"the database is unreachable ({type(error).__name__})") from None
    except Exception as error:
        if type(error).__module__.split(".")[0] in ("sqlalchemy", "asyncpg", "alembic", "sqlite3"):
            raise Refused(f"the database refused the operation ({type(error).__name__})") from None
        raise


def upgrade_database(settings: Settings) -> None:
    """Migrations to head on the settings' database (``dev`` and ``demo seed``: the embedded one)."""
    with database_errors():
        migrations.upgrade(migrations.alembic_config(settings.database_url.reveal()))


def run_use_case(action: Callable[[AsyncContainer], Awaitable[R]], settings: Settings | None = None) -> R:
    """Open the container, run ``action`` in one request scope, close everything; errors the
    operator can act on become one line on stderr."""

    async def in_one_scope(container: AsyncContainer) -> R:
        async with container() as scope:
            return await action(scope)

    return run_in_container(in_one_scope, settings)


def run_in_container(body: Callable[[AsyncContainer], Awaitable[R]], settings: Settings | None = None) -> R:
    """``run_use_case`` for what opens its own request scopes: ``body`` gets the container itself."""
    if settings is None:
        settings = settings_from_env()
        configure_logging(level="WARNING", json=settings.log_format == "json")

    async def run() -> R:
        container = make_container(settings)
        try:
            return await body(container)
        finally:
            await container.close()

    try:
        with database_errors():
            return asyncio.run(run())
    except InvalidValue as error:
        problems = error.problems if isinstance(error, InvalidValues) else (error,)
        raise Refused("; ".join(f"{problem.field} {problem.reason}" for problem in problems)) from None
    except (ApplicationError, DomainError) as error:
        raise Refused(error.message) from None

"""The `flower-vendor` command: the operators' entry point and the composition root of the CLI.

Commands never go through the HTTP API. Servers start the HTTP app by import string, so this
package never imports the HTTP package.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import TypeVar

import click
import uvicorn

from infrastructure.config import generate_secret_key
from infrastructure.db import migrations
from infrastructure.logging import configure_logging, get_logger
from interfaces.cli import accounts
from interfaces.cli.accounts import print_demo_logins, seed_demo
from interfaces.cli.runner import Refused, database_errors, settings_from_env

APP_FACTORY = "interfaces.http.app:create_app"
# uvicorn's httptools protocol plus a header size limit, a header read deadline and a connection
# bound (MAX_HEADER_BYTES, HEADER_READ_TIMEOUT_SECONDS, MAX_CONNECTIONS), by import string too.
HTTP_PROTOCOL = "interfaces.http.front_door:GuardedHttpToolsProtocol"
# Connections the kernel may queue before a worker accepts them: about a second of work for a busy
# worker; beyond that a client is better told early (refused, retried by its TCP stack) than kept.
LISTEN_BACKLOG = 1024
R = TypeVar("R")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """flower-vendor: the florists' backend."""


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
def dev(host: str, port: int) -> None:
    """Run the API on its embedded default: SQLite under ./.data/, in-memory adapters, docs on."""
    environ = dict(os.environ)
    environ["ENVIRONMENT"] = "development"
    settings = settings_from_env(environ)
    configure_logging(level=settings.log_level, json=settings.log_format == "json")
    log = get_logger("flower_vendor.cli")
    if settings.secret_key_generated:
        # The server reads its key from the environment: hand it the one made here.
        environ["SECRET_KEY"] = settings.secret_key.reveal()
        log.warning(
            "random_signing_key",
            message="SECRET_KEY is not set: using a random per-process key; tokens end with this process.",
        )
    with database_errors():
        migrations.upgrade(migrations.alembic_config(settings.database_url.reveal()))
    print_demo_logins(seed_demo(settings))
    os.environ.update(environ)
    log.info("dev_server_starting", url=f"http://{host}:{port}", docs=f"http://{host}:{port}/schema")
    _run_server(host=host, port=port, workers=1)


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64))
def serve(host: str, port: int, workers: int) -> None:
    """Run the production server. Refuses to start on an invalid configuration."""
    settings = settings_from_env()
    if settings.is_development:
        raise Refused("ENVIRONMENT=development is for `flower-vendor dev`; serve runs production-like settings")
    configure_logging(level=settings.log_level, json=settings.log_format == "json")
    _run_server(host=host, port=port, workers=workers)


def _run_server(*, host: str, port: int, workers: int) -> None:
    uvicorn.run(
        APP_FACTORY,
        factory=True,
        host=host,
        port=port,
        workers=workers,
        http=HTTP_PROTOCOL,
        backlog=LISTEN_BACKLOG,
        log_config=None,
        access_log=False,
        server_header=False,
        proxy_headers=False,  # X-Forwarded-For is believed only from TRUSTED_PROXIES, by the app itself
        timeout_graceful_shutdown=20,
    )


@cli.command("check-config")
def check_config() -> None:
    """Validate the environment; print every problem at once."""
    settings = settings_from_env()
    click.echo(f"configuration is valid (ENVIRONMENT={settings.environment.value})")


@cli.group()
def keys() -> None:
    """Signing keys."""


@keys.command("generate")
def keys_generate() -> None:
    """Print a new strong signing key (the last line)."""
    click.echo("# a new SECRET_KEY; move the current one to SECRET_KEY_PREVIOUS while tokens it signed live", err=True)
    click.echo(generate_secret_key())


@cli.group()
def db() -> None:
    """Database migrations against DATABASE_URL."""


def _with_migrations(action: Callable[[migrations.Config], R]) -> R:
    settings = settings_from_env()
    configure_logging(level="WARNING", json=settings.log_format == "json")
    with database_errors():
        return action(migrations.alembic_config(settings.database_url.reveal()))


@db.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Apply migrations up to REVISION (default: head)."""
    now = _with_migrations(lambda config: migrations.upgrade(config, revision))
    click.echo(f"database at {now or 'base'}")


@db.command("downgrade")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    """Revert migrations down to REVISION (for example -1 or base)."""
    now = _with_migrations(lambda config: migrations.downgrade(config, revision))
    click.echo(f"database at {now or 'base'}")


@db.command("current")
def db_current() -> None:
    """Print the revision the database is at."""
    now = _with_migrations(migrations.current)
    click.echo(now or "base")


# Every bounded context's command groups: adding a context adds one line here.
CONTEXT_COMMANDS: tuple[click.Command, ...] = (*accounts.COMMANDS,)

for command in CONTEXT_COMMANDS:
    cli.add_command(command)


def main() -> None:
    try:
        cli(prog_name="flower-vendor")
    except Exception as error:  # a bug, not a refusal: still one line, the traceback only on request
        if os.environ.get("LOG_LEVEL", "").upper() == "DEBUG":
            raise
        click.echo(f"error: unexpected failure ({type(error).__name__}); rerun with LOG_LEVEL=DEBUG", err=True)
        sys.exit(1)

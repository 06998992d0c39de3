"""The `flower-vendor` command: the operators' entry point and the composition root of the CLI.

Commands never go through the HTTP API. Servers start the HTTP app by import string, so this
package never imports the HTTP package.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import click
import uvicorn

from infrastructure.accounts.file_session_store import DEV_SESSIONS_FILE
from infrastructure.config import DEV_IGNORED_VARIABLES, development_environ, generate_secret_key
from infrastructure.db import migrations
from infrastructure.logging import configure_logging, get_logger
from infrastructure.security.dev_key import dev_signing_key
from infrastructure.security.private_files import UnsafeFile, read_private
from interfaces.cli import accounts
from interfaces.cli.accounts import show_demo_logins
from interfaces.cli.demo import demo, seed_demo_shop
from interfaces.cli.runner import Refused, database_errors, settings_from_env, upgrade_database

APP_FACTORY = "interfaces.http.app:create_app"
# uvicorn's httptools protocol plus a header size limit, a header read deadline and a connection
# bound (MAX_HEADER_BYTES, HEADER_READ_TIMEOUT_SECONDS, MAX_CONNECTIONS), by import string too.
HTTP_PROTOCOL = "interfaces.http.front_door:GuardedHttpToolsProtocol"
# Connections the kernel may queue before a worker accepts them: about a second of work for a busy
# worker; beyond that a client is better told early (refused, retried by its TCP stack) than kept.
LISTEN_BACKLOG = 1024
# What `dev --reload` watches: the directory holding the project's packages (src/).
SOURCE_DIR = str(Path(__file__).resolve().parents[2])
R = TypeVar("R")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """flower-vendor: the florists' backend."""


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--reload", is_flag=True, help="Restart the server when a source file under src/ changes.")
def dev(host: str, port: int, reload: bool) -> None:
    """Run the API on its embedded default: SQLite under ./.data/, in-memory adapters, docs on.

    Sealed: DATABASE_URL, REDIS_URL and the signing keys of the environment are ignored (a warning
    names them); the key is ./.data/dev-signing-key (mode 0600), kept across restarts."""
    environ, ignored = development_environ(os.environ)
    settings = settings_from_env(environ)
    configure_logging(level=settings.log_level, json=settings.log_format == "json")
    log = get_logger("flower_vendor.cli")
    if ignored:
        log.warning(
            "dev_ignores_variables",
            variables=",".join(ignored),
            message=f"`flower-vendor dev` ignores {', '.join(ignored)}: it runs only on its embedded SQLite "
            "database, in-memory adapters and its own signing key in ./.data/",
        )
    data_dir = settings.dev_data_dir
    if data_dir is None or not settings.uses_dev_database:  # cannot happen: DATABASE_URL is never read here
        raise Refused("dev runs only on its embedded SQLite database")
    try:
        key, key_file, made = dev_signing_key(data_dir)
        read_private(data_dir / DEV_SESSIONS_FILE)  # refused now rather than at the first login
    except UnsafeFile as unsafe:
        raise Refused(unsafe.message) from None
    # The server (and, under --reload, each of its restarts) reads its key from the environment.
    environ["SECRET_KEY"] = key
    settings = settings_from_env(environ)
    log.info("dev_signing_key", file=str(key_file), created=made, note="kept across restarts; used only by dev")
    upgrade_database(settings)
    show_demo_logins(seed_demo_shop(settings), data_dir)
    for name in DEV_IGNORED_VARIABLES:
        os.environ.pop(name, None)
    os.environ.update(environ)
    log.info("dev_server_starting", url=f"http://{host}:{port}", docs=f"http://{host}:{port}/schema")
    _run_server(host=host, port=port, workers=1, reload=reload)


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


def _run_server(*, host: str, port: int, workers: int, reload: bool = False) -> None:
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
        # dev --reload: the server runs in a child process restarted on a change under src/; the key,
        # the migrations and the seed were settled here, once, and reach it through the environment.
        reload=reload,
        reload_dirs=[SOURCE_DIR] if reload else None,
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

for command in (*CONTEXT_COMMANDS, demo):  # the demo shop spans the contexts (interfaces/cli/demo.py)
    cli.add_command(command)


def main() -> None:
    try:
        cli(prog_name="flower-vendor")
    except Exception as error:  # a bug, not a refusal: still one line, the traceback only on request
        if os.environ.get("LOG_LEVEL", "").upper() == "DEBUG":
            raise
        click.echo(f"error: unexpected failure ({type(error).__name__}); rerun with LOG_LEVEL=DEBUG", err=True)
        sys.exit(1)

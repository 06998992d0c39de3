"""The `flower-vendor` command: the operators' entry point and the composition root of the CLI.

Commands never go through the HTTP API. Servers start the HTTP app by import string, so this
package never imports the HTTP package.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import NoReturn, TextIO, TypeVar

import click
import uvicorn
from dishka import AsyncContainer

from application.accounts.demo import DemoLogin, SeedDemoShop
from application.accounts.restore_security_events import RestoreResult, RestoreSecurityEvents
from application.accounts.revoke_sessions import RevokeUserSessions
from application.accounts.signup import SignUp, SignUpCommand, SignUpResult
from application.accounts.vendor_settings import ListVendors
from application.shared.errors import ApplicationError
from application.shared.pagination import MAX_LIMIT, PageRequest
from application.shared.security_events import SecurityEvent
from domain.accounts.vendor import Vendor
from domain.shared.errors import DomainError, InvalidValue
from infrastructure.accounts.deferred_events import DEFERRED_MARKER, event_from_deferred
from infrastructure.config import ConfigurationError, Settings, generate_secret_key, load_settings
from infrastructure.db import migrations
from infrastructure.di.container import make_container
from infrastructure.logging import configure_logging, get_logger

APP_FACTORY = "interfaces.http.app:create_app"
# uvicorn's httptools protocol plus a header size limit, a header read deadline and a connection
# bound (MAX_HEADER_BYTES, HEADER_READ_TIMEOUT_SECONDS, MAX_CONNECTIONS), by import string too.
HTTP_PROTOCOL = "interfaces.http.front_door:GuardedHttpToolsProtocol"
# Connections the kernel may queue before a worker accepts them: about a second of work for a busy
# worker; beyond that a client is better told early (refused, retried by its TCP stack) than kept.
LISTEN_BACKLOG = 1024
R = TypeVar("R")


class Refused(click.ClickException):
    """A refused command: one clear line on stderr, exit 1, no traceback."""

    def show(self, file: object = None) -> None:
        click.echo(f"error: {self.message}", err=True)


def _fail_config(error: ConfigurationError) -> NoReturn:
    click.echo("error: the configuration is not valid:", err=True)
    for problem in error.problems:
        click.echo(f"  - {problem}", err=True)
    sys.exit(1)


def _settings(environ: Mapping[str, str] | None = None) -> Settings:
    try:
        return load_settings(os.environ if environ is None else environ)
    except ConfigurationError as error:
        _fail_config(error)


@contextmanager
def _database_errors() -> Iterator[None]:
    # Driver messages can carry connection details; say what failed, never the URL.
    try:
        yield
    except (OSError, TimeoutError) as error:
        raise Refused(f"the database is unreachable ({type(error).__name__})") from None
    except Exception as error:
        if type(error).__module__.split(".")[0] in ("sqlalchemy", "asyncpg", "alembic", "sqlite3"):
            raise Refused(f"the database refused the operation ({type(error).__name__})") from None
        raise


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
    settings = _settings(environ)
    configure_logging(level=settings.log_level, json=settings.log_format == "json")
    log = get_logger("flower_vendor.cli")
    if settings.secret_key_generated:
        # The server reads its key from the environment: hand it the one made here.
        environ["SECRET_KEY"] = settings.secret_key.reveal()
        log.warning(
            "random_signing_key",
            message="SECRET_KEY is not set: using a random per-process key; tokens end with this process.",
        )
    with _database_errors():
        migrations.upgrade(migrations.alembic_config(settings.database_url.reveal()))
    _print_demo_logins(_seed_demo(settings))
    os.environ.update(environ)
    log.info("dev_server_starting", url=f"http://{host}:{port}", docs=f"http://{host}:{port}/schema")
    _run_server(host=host, port=port, workers=1)


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64))
def serve(host: str, port: int, workers: int) -> None:
    """Run the production server. Refuses to start on an invalid configuration."""
    settings = _settings()
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
    settings = _settings()
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
    settings = _settings()
    configure_logging(level="WARNING", json=settings.log_format == "json")
    with _database_errors():
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


# --- commands that run use cases through the same container as the HTTP API -----------------------


def _run_use_case(action: Callable[[AsyncContainer], Awaitable[R]], settings: Settings | None = None) -> R:
    """Open the container, run ``action`` in one request scope, close everything; errors the
    operator can act on become one line on stderr."""
    if settings is None:
        settings = _settings()
        configure_logging(level="WARNING", json=settings.log_format == "json")

    async def run() -> R:
        container = make_container(settings)
        try:
            async with container() as scope:
                return await action(scope)
        finally:
            await container.close()

    try:
        with _database_errors():
            return asyncio.run(run())
    except InvalidValue as error:
        raise Refused(f"{error.field} {error.reason}") from None
    except (ApplicationError, DomainError) as error:
        raise Refused(error.message) from None


def _owner_password() -> str:
    password = os.environ.get("OWNER_PASSWORD")
    if password:
        return password
    if not sys.stdin.isatty():
        raise Refused("set OWNER_PASSWORD or run in a terminal to be prompted; a password is never an argument")
    return str(click.prompt("Owner password", hide_input=True, confirmation_prompt=True))


@cli.group()
def vendor() -> None:
    """Shops on this platform."""


@vendor.command("create")
@click.option("--name", required=True, help="The shop's name.")
@click.option("--slug", required=True, help="Unique URL-safe identifier, e.g. rosa-amsterdam.")
@click.option("--timezone", required=True, help="IANA time zone, e.g. Europe/Amsterdam.")
@click.option("--currency", required=True, help="ISO 4217 code, e.g. EUR.")
@click.option("--country", required=True, help="ISO 3166-1 alpha-2 code, e.g. NL.")
@click.option("--owner-email", required=True)
@click.option("--owner-name", required=True)
def vendor_create(
    name: str, slug: str, timezone: str, currency: str, country: str, owner_email: str, owner_name: str
) -> None:
    """Sign up a shop and its owner (the owner's password: OWNER_PASSWORD or a prompt)."""
    command = SignUpCommand(
        vendor_name=name,
        vendor_slug=slug,
        timezone=timezone,
        currency=currency,
        country=country,
        email=owner_email,
        password=_owner_password(),
        full_name=owner_name,
    )

    async def action(scope: AsyncContainer) -> SignUpResult:
        return await (await scope.get(SignUp)).execute(command)

    result = _run_use_case(action)
    click.echo(
        json.dumps({"vendor_id": str(result.vendor.id), "slug": result.vendor.slug, "owner_id": str(result.user.id)})
    )


@vendor.command("list")
@click.option("--json", "as_json", is_flag=True, help="A JSON array of objects.")
def vendor_list(as_json: bool) -> None:
    """List every shop."""

    async def action(scope: AsyncContainer) -> list[Vendor]:
        use_case = await scope.get(ListVendors)
        vendors: list[Vendor] = []
        offset = 0
        while True:
            page = await use_case.execute(PageRequest(limit=MAX_LIMIT, offset=offset))
            vendors.extend(page.items)
            offset += len(page.items)
            if not page.items or offset >= page.total:
                return vendors

    vendors = _run_use_case(action)
    if as_json:
        click.echo(
            json.dumps(
                [
                    {
                        "id": str(v.id),
                        "name": v.name,
                        "slug": v.slug,
                        "active": v.active,
                        "timezone": v.timezone,
                        "currency": v.currency,
                        "country": v.country,
                    }
                    for v in vendors
                ]
            )
        )
        return
    for v in vendors:
        click.echo(f"{v.id}  {v.slug:<24} {'active' if v.active else 'inactive':<9} {v.name}")


def _seed_demo(settings: Settings) -> list[DemoLogin]:
    async def action(scope: AsyncContainer) -> list[DemoLogin]:
        return await (await scope.get(SeedDemoShop)).execute()

    return _run_use_case(action, settings)


def _print_demo_logins(logins: list[DemoLogin]) -> None:
    if not logins:
        return
    click.echo("Demo shop 'demo-florist' created. These passwords are shown once:", err=True)
    for login in logins:
        click.echo(f"  {login.role:<8} {login.email:<34} {login.password}", err=True)


@cli.group()
def demo() -> None:
    """The demo shop."""


@demo.command("seed")
def demo_seed() -> None:
    """Load the demo shop (refused in production)."""
    settings = _settings()
    if settings.is_production:
        raise Refused("the demo shop is refused in production")
    configure_logging(level="WARNING", json=settings.log_format == "json")
    logins = _seed_demo(settings)
    if not logins:
        click.echo("the demo shop exists already")
    _print_demo_logins(logins)


@cli.group()
def sessions() -> None:
    """Staff sessions."""


@sessions.command("revoke")
@click.option("--email", required=True, help="The user whose sessions end now.")
def sessions_revoke(email: str) -> None:
    """Revoke every session of a user."""

    async def action(scope: AsyncContainer) -> int:
        return await (await scope.get(RevokeUserSessions)).execute(email)

    click.echo(f"revoked {_run_use_case(action)} session(s)")


@cli.group("security-events")
def security_events() -> None:
    """Shops' security events."""


@security_events.command("replay")
@click.argument("log_file", type=click.File("r", encoding="utf-8", errors="replace"), default="-")
def security_events_replay(log_file: TextIO) -> None:
    """Store the events a server logged as `security_event_deferred` (the database was down).

    Reads the server's JSON log lines from LOG_FILE (or stdin); every other line is skipped.
    Safe to run again: an event already stored is left alone."""
    events: list[SecurityEvent] = []
    unreadable = 0
    for line in log_file:
        if DEFERRED_MARKER not in line:
            continue
        try:
            parsed = json.loads(line[line.index("{") :])
            if not isinstance(parsed, dict) or parsed.get("event") != DEFERRED_MARKER:
                continue  # another line that merely mentions the marker
            events.append(event_from_deferred(parsed))
        except (ValueError, KeyError, TypeError):
            unreadable += 1

    async def action(scope: AsyncContainer) -> RestoreResult:
        return await (await scope.get(RestoreSecurityEvents)).execute(events)

    result = _run_use_case(action) if events else RestoreResult(stored=0, already_present=0)
    click.echo(f"stored {result.stored} event(s); {result.already_present} already stored; {unreadable} unreadable")
    if unreadable:
        sys.exit(1)


def main() -> None:
    try:
        cli(prog_name="flower-vendor")
    except Exception as error:  # a bug, not a refusal: still one line, the traceback only on request
        if os.environ.get("LOG_LEVEL", "").upper() == "DEBUG":
            raise
        click.echo(f"error: unexpected failure ({type(error).__name__}); rerun with LOG_LEVEL=DEBUG", err=True)
        sys.exit(1)

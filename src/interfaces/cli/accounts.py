"""The accounts context's commands: shops, the demo shop, staff sessions, security events."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import TextIO

import click
from dishka import AsyncContainer

from application.accounts.demo import DemoLogin, SeedDemoShop
from application.accounts.list_vendors import ListVendors
from application.accounts.restore_security_events import ReplaySecurityEvents, RestoreResult
from application.accounts.revoke_sessions import RevokeUserSessions
from application.accounts.signup import SignUp, SignUpCommand, SignUpResult
from application.accounts.views import VendorOut
from application.shared.pagination import MAX_LIMIT, PageRequest
from infrastructure.config import DEV_DATABASE_URL, Settings
from infrastructure.security.private_files import write_private
from interfaces.cli.runner import Refused, run_use_case


def _owner_password() -> str:
    password = os.environ.get("OWNER_PASSWORD")
    if password:
        return password
    if not sys.stdin.isatty():
        raise Refused("set OWNER_PASSWORD or run in a terminal to be prompted; a password is never an argument")
    return str(click.prompt("Owner password", hide_input=True, confirmation_prompt=True))


@click.group()
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

    result = run_use_case(action)
    click.echo(
        json.dumps({"vendor_id": str(result.vendor.id), "slug": result.vendor.slug, "owner_id": str(result.user.id)})
    )


@vendor.command("list")
@click.option("--json", "as_json", is_flag=True, help="A JSON array of objects.")
def vendor_list(as_json: bool) -> None:
    """List every shop."""

    async def action(scope: AsyncContainer) -> list[VendorOut]:
        use_case = await scope.get(ListVendors)
        vendors: list[VendorOut] = []
        offset = 0
        while True:
            page = await use_case.execute(PageRequest(limit=MAX_LIMIT, offset=offset))
            vendors.extend(page.items)
            offset += len(page.items)
            if not page.items or offset >= page.total:
                return vendors

    vendors = run_use_case(action)
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


DEMO_LOGINS_FILE = "demo-logins.txt"


def seed_demo(settings: Settings) -> list[DemoLogin]:
    """Seeds the demo shop into the embedded development database, and nowhere else: a database
    `serve` could use (PostgreSQL, any other environment) is refused here, whoever calls."""
    if not settings.uses_dev_database:
        raise Refused(
            "the demo shop is seeded only into the embedded development database"
            f" ({DEV_DATABASE_URL.split(':///', 1)[1]}, ENVIRONMENT=development)"
        )

    async def action(scope: AsyncContainer) -> list[DemoLogin]:
        return await (await scope.get(SeedDemoShop)).execute()

    return run_use_case(action, settings)


def show_demo_logins(logins: list[DemoLogin], data_dir: Path) -> None:
    """Prints new demo logins once and keeps them in ``<data_dir>/demo-logins.txt`` (mode 0600); on
    later starts, says where they are."""
    path = data_dir / DEMO_LOGINS_FILE
    if not logins:
        if path.is_file():
            click.echo(f"Demo logins of 'demo-florist': {path}", err=True)
        return
    lines = [f"  {login.role:<8} {login.email:<34} {login.password}" for login in logins]
    write_private(path, "Demo shop 'demo-florist' (role, email, password):\n" + "\n".join(lines) + "\n")
    click.echo(f"Demo shop 'demo-florist' created. These passwords are shown once (and kept in {path}):", err=True)
    for line in lines:
        click.echo(line, err=True)


@click.group()
def sessions() -> None:
    """Staff sessions."""


@sessions.command("revoke")
@click.option("--email", required=True, help="The user whose sessions end now.")
def sessions_revoke(email: str) -> None:
    """Revoke every session of a user."""

    async def action(scope: AsyncContainer) -> int:
        return await (await scope.get(RevokeUserSessions)).execute(email)

    click.echo(f"revoked {run_use_case(action)} session(s)")


@click.group("security-events")
def security_events() -> None:
    """Shops' security events."""


@security_events.command("replay")
@click.argument("log_file", type=click.File("r", encoding="utf-8", errors="replace"), default="-")
def security_events_replay(log_file: TextIO) -> None:
    """Store the events a server logged as `security_event_deferred` (the database was down).

    Reads the server's JSON log lines from LOG_FILE (or stdin); every other line is skipped.
    Safe to run again: an event already stored is left alone."""

    async def action(scope: AsyncContainer) -> RestoreResult:
        return await (await scope.get(ReplaySecurityEvents)).execute(log_file)

    result = run_use_case(action)
    click.echo(
        f"stored {result.stored} event(s); {result.already_present} already stored; {result.unreadable} unreadable"
    )
    if result.unreadable:
        sys.exit(1)


COMMANDS: tuple[click.Command, ...] = (vendor, sessions, security_events)

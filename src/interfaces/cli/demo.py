"""The demo shop across the contexts: the accounts context seeds the shop and one login per role,
then the shop floor is filled as its owner, through the same use cases a manager uses: its stock,
its catalog (whose recipes name the stock items), its customers and its delivery set-up. A
composition root like ``main``: the one CLI module that may hand one context's answer (the stock
item ids) to another (the catalog's recipes).

Only ever into `flower-vendor dev`'s embedded database (``seed_demo`` refuses anything else). Each
part fills only what is empty, so a shop seeded before a part existed gets that part at the next
start."""

from __future__ import annotations

import click
from dishka import AsyncContainer

from application.accounts.act_as import ActAs
from application.accounts.demo import DEMO_CURRENCY, DEMO_OWNER_EMAIL, DEMO_SLUG, DemoLogin
from application.catalog.demo import SeedDemoCatalog
from application.customers.demo import SeedDemoCustomers
from application.delivery.demo import SeedDemoDelivery
from application.stock.demo import SeedDemoStock
from infrastructure.config import Settings
from infrastructure.logging import configure_logging
from interfaces.cli.accounts import seed_demo, show_demo_logins
from interfaces.cli.runner import Refused, run_in_container, settings_from_env, upgrade_database


def seed_demo_shop(settings: Settings) -> list[DemoLogin]:
    """The demo shop and its floor; the new logins (empty when the shop existed already)."""
    logins = seed_demo(settings)

    async def floor(container: AsyncContainer) -> None:
        async with container() as scope:
            owner = await (await scope.get(ActAs)).execute(DEMO_SLUG, DEMO_OWNER_EMAIL)
        async with container() as scope:
            stock = await (await scope.get(SeedDemoStock)).execute(owner)
        async with container() as scope:
            await (await scope.get(SeedDemoCatalog)).execute(owner, stock, DEMO_CURRENCY)
        async with container() as scope:
            await (await scope.get(SeedDemoCustomers)).execute(owner)
        async with container() as scope:
            await (await scope.get(SeedDemoDelivery)).execute(owner, DEMO_CURRENCY)

    run_in_container(floor, settings)
    return logins


@click.group()
def demo() -> None:
    """The demo shop."""


@demo.command("seed")
def demo_seed() -> None:
    """Load the demo shop into the embedded development database (./.data/; refused elsewhere)."""
    settings = settings_from_env()
    if not settings.is_development:
        raise Refused(
            f"the demo shop is refused in {settings.environment.value}: it is seeded only into"
            " `flower-vendor dev`'s embedded database (ENVIRONMENT=development)"
        )
    if not settings.uses_dev_database:
        raise Refused(
            "DATABASE_URL names another database: the demo shop is seeded only into"
            " `flower-vendor dev`'s embedded database; unset DATABASE_URL"
        )
    configure_logging(level="WARNING", json=settings.log_format == "json")
    upgrade_database(settings)
    logins = seed_demo_shop(settings)
    if not logins:
        click.echo("the demo shop exists already")
    data_dir = settings.dev_data_dir
    if data_dir is not None:
        show_demo_logins(logins, data_dir)

"""The notes context's commands."""

from __future__ import annotations

from uuid import UUID

import click
from dishka import AsyncContainer

from application.notes.count_notes import CountNotes
from interfaces.cli.runner import run_use_case


@click.group()
def notes() -> None:
    """Shops' internal notes."""


@notes.command("count")
@click.option("--vendor-id", required=True, type=click.UUID, help="The shop's id (`flower-vendor vendor list`).")
def notes_count(vendor_id: UUID) -> None:
    """Print how many notes a shop has."""

    async def action(scope: AsyncContainer) -> int:
        return await (await scope.get(CountNotes)).execute(vendor_id)

    click.echo(run_use_case(action))


COMMANDS: tuple[click.Command, ...] = (notes,)

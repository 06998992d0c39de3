"""Stock for the catalog's tests, written straight into the stock context's tables (the catalog
has no stock API on its side): an item and its lots, on-hand totals as the ledger would keep them.
Typed table clauses, so the same helper writes to PostgreSQL and to SQLite (`dev`)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, date, datetime, timedelta

from advanced_alchemy.types import GUID, DateTimeUTC
from sqlalchemy import BigInteger, Date, Integer, String, column, insert, table
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from infrastructure.config import with_async_driver

_items = table(
    "stock_items",
    column("id", GUID()),
    column("vendor_id", GUID()),
    column("name", String()),
    column("kind", String()),
    column("tracking", String()),
    column("shelf_life_days", Integer()),
    column("reorder_level", Integer()),
    column("on_hand", Integer()),
    column("reserved", Integer()),
    column("created_at", DateTimeUTC()),
    column("updated_at", DateTimeUTC()),
)
_lots = table(
    "stock_lots",
    column("id", GUID()),
    column("vendor_id", GUID()),
    column("stock_item_id", GUID()),
    column("quantity", Integer()),
    column("on_hand", Integer()),
    column("reserved", Integer()),
    column("unit_cost_minor", BigInteger()),
    column("currency", String()),
    column("received_on", Date()),
    column("expires_on", Date()),
    column("created_at", DateTimeUTC()),
    column("updated_at", DateTimeUTC()),
)


async def stock_item(
    engine: AsyncEngine,
    vendor_id: uuid.UUID,
    name: str,
    lots: list[tuple[int, int]] | tuple[tuple[int, int], ...] = (),
    *,
    spent: int = 0,
) -> uuid.UUID:
    """An item with lots of (units on hand, unit cost in minor units); ``spent`` adds one lot of
    that many units already used up (on hand 0: it must not count in the average)."""
    item = uuid.uuid4()
    at = datetime.now(UTC)
    today = date.today()
    rows = [(units, units, cost) for units, cost in lots]
    if spent:
        rows.append((spent, 0, 10_000))
    async with engine.begin() as connection:
        await connection.execute(
            insert(_items).values(
                id=item,
                vendor_id=vendor_id,
                name=name,
                kind="STEM",
                tracking="STRICT",
                shelf_life_days=7,
                reorder_level=0,
                on_hand=sum(units for units, _ in lots),
                reserved=0,
                created_at=at,
                updated_at=at,
            )
        )
        for quantity, on_hand, cost in rows:
            await connection.execute(
                insert(_lots).values(
                    id=uuid.uuid4(),
                    vendor_id=vendor_id,
                    stock_item_id=item,
                    quantity=quantity,
                    on_hand=on_hand,
                    reserved=0,
                    unit_cost_minor=cost,
                    currency="EUR",
                    received_on=today,
                    expires_on=today + timedelta(days=7),
                    created_at=at,
                    updated_at=at,
                )
            )
    return item


def stock_item_at(database_url: str, vendor_id: uuid.UUID | str, name: str, lots: list[tuple[int, int]]) -> str:
    """``stock_item`` for a test outside an event loop, on the database at ``database_url``."""

    async def run() -> uuid.UUID:
        engine = create_async_engine(with_async_driver(make_url(database_url)))
        try:
            return await stock_item(engine, uuid.UUID(str(vendor_id)), name, lots)
        finally:
            await engine.dispose()

    return str(asyncio.run(run()))

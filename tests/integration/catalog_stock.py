"""Stock for the catalog's tests, written straight into the stock context's tables with SQL (the
catalog has no stock API on its side): an item and its lots, on_hand kept as the ledger would."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

_ITEM = text(
    "INSERT INTO stock_items (id, vendor_id, name, kind, tracking, shelf_life_days, reorder_level, on_hand, reserved,"
    " created_at, updated_at) VALUES (:id, :vendor_id, :name, 'STEM', 'STRICT', 7, 0, :on_hand, 0, :at, :at)"
)
_LOT = text(
    "INSERT INTO stock_lots (id, vendor_id, stock_item_id, quantity, on_hand, reserved, unit_cost_minor, currency,"
    " received_on, expires_on, created_at, updated_at) VALUES (:id, :vendor_id, :item, :quantity, :on_hand, 0,"
    " :unit_cost, 'EUR', :received, :expires, :at, :at)"
)


async def stock_item(
    engine: AsyncEngine, vendor_id: uuid.UUID, name: str, lots: list[tuple[int, int]] = (), *, spent: int = 0
) -> uuid.UUID:
    """An item with lots of (units on hand, unit cost in minor units); ``spent`` adds one lot of
    that many units already used up (on hand 0: it must not count in the average)."""
    item = uuid.uuid4()
    at = datetime.now(UTC)
    today = date.today()
    async with engine.begin() as connection:
        await connection.execute(
            _ITEM,
            {"id": item, "vendor_id": vendor_id, "name": name, "on_hand": sum(units for units, _ in lots), "at": at},
        )
        rows = [(units, units, cost) for units, cost in lots]
        if spent:
            rows.append((spent, 0, 10_000))
        for quantity, on_hand, cost in rows:
            await connection.execute(
                _LOT,
                {
                    "id": uuid.uuid4(),
                    "vendor_id": vendor_id,
                    "item": item,
                    "quantity": quantity,
                    "on_hand": on_hand,
                    "unit_cost": cost,
                    "received": today,
                    "expires": today + timedelta(days=7),
                    "at": at,
                },
            )
    return item

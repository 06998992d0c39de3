"""What the catalog reads of other contexts, by name only (no import of them): the stock context's
published view ``stock_item_costs`` and the shop's currency from ``vendors``. The tables and view
are declared here as lightweight clauses with just the columns the catalog reads."""

from __future__ import annotations

from collections.abc import Collection
from uuid import UUID

from advanced_alchemy.types import GUID
from sqlalchemy import BigInteger, String, column, select, table
from sqlalchemy.ext.asyncio import AsyncSession

from infrastructure.db.errors import application_errors

stock_item_costs = table(
    "stock_item_costs",
    column("vendor_id", GUID()),
    column("stock_item_id", GUID()),
    column("on_hand", BigInteger()),
    column("reserved", BigInteger()),
    column("lots_on_hand", BigInteger()),
    column("value_on_hand_minor", BigInteger()),
)
vendors = table("vendors", column("id", GUID()), column("currency", String(3)))


class ViewStockItems:
    """``StockItems`` over the stock context's published view, in the write's own transaction."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def known(self, vendor_id: UUID, stock_item_ids: Collection[UUID]) -> set[UUID]:
        if not stock_item_ids:
            return set()
        statement = select(stock_item_costs.c.stock_item_id).where(
            stock_item_costs.c.vendor_id == vendor_id,
            stock_item_costs.c.stock_item_id.in_(list(stock_item_ids)),
        )
        with application_errors():
            return set((await self._session.scalars(statement)).all())


class SqlShopCurrency:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def of(self, vendor_id: UUID) -> str | None:
        with application_errors():
            currency = await self._session.scalar(select(vendors.c.currency).where(vendors.c.id == vendor_id))
        return None if currency is None else str(currency)


class NoOrdersYet:
    """``ProductUsage`` until the orders context exists: no product is ordered yet, so a delete
    deletes. The orders context replaces it with one that looks at its order lines."""

    async def is_ordered(self, vendor_id: UUID, product_id: UUID) -> bool:
        return False

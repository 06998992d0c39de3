"""The stock reads, open to every role of the shop: an item, the item list, an item's ledger,
what expires soon and what runs low."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

from application.shared.clock import Clock
from application.shared.context import Principal
from application.shared.errors import ShopNotFound
from application.shared.pagination import Page, PageRequest
from application.stock.errors import StockItemNotFound
from application.stock.ports import Shops, StockFilter, StockQueries
from application.stock.views import ExpiringLotOut, LowStockOut, MovementOut, StockItemOut, StockItemRowOut
from domain.shared.errors import InvalidValue

MAX_WITHIN_DAYS = 365


class GetStockItem:
    def __init__(self, stock: StockQueries) -> None:
        self._stock = stock

    async def execute(self, principal: Principal, item_id: UUID) -> StockItemOut:
        item = await self._stock.get(principal.vendor_id, item_id)
        if item is None:
            raise StockItemNotFound()
        return item


class ListStockItems:
    def __init__(self, stock: StockQueries) -> None:
        self._stock = stock

    async def execute(
        self, principal: Principal, page: PageRequest, where: StockFilter | None = None
    ) -> Page[StockItemRowOut]:
        return await self._stock.page(principal.vendor_id, page, where or StockFilter())


class ListMovements:
    def __init__(self, stock: StockQueries) -> None:
        self._stock = stock

    async def execute(self, principal: Principal, item_id: UUID, page: PageRequest) -> Page[MovementOut]:
        movements = await self._stock.movements(principal.vendor_id, item_id, page)
        if movements is None:
            raise StockItemNotFound()
        return movements


class ExpiringStock:
    """Lots with stock left expiring within ``within_days`` of the shop's today (0: today), and
    those already past their date."""

    def __init__(self, stock: StockQueries, shops: Shops, clock: Clock) -> None:
        self._stock = stock
        self._shops = shops
        self._clock = clock

    async def execute(self, principal: Principal, within_days: int, page: PageRequest) -> Page[ExpiringLotOut]:
        if not 0 <= within_days <= MAX_WITHIN_DAYS:
            raise InvalidValue("query.within_days", f"must be between 0 and {MAX_WITHIN_DAYS}")
        shop = await self._shops.get(principal.vendor_id)
        if shop is None:
            raise ShopNotFound()
        today = shop.today(self._clock.now())
        return await self._stock.expiring(principal.vendor_id, today + timedelta(days=within_days), today, page)


class LowStock:
    def __init__(self, stock: StockQueries) -> None:
        self._stock = stock

    async def execute(self, principal: Principal, page: PageRequest) -> Page[LowStockOut]:
        return await self._stock.low(principal.vendor_id, page)

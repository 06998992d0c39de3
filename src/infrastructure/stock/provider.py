"""The stock context's dishka provider: its repository and write use cases per request, its query
services and reads per process."""

from __future__ import annotations

from dishka import Provider, Scope, provide, provide_all

from application.stock.demo import SeedDemoStock
from application.stock.items import CreateStockItem, UpdateStockItem
from application.stock.movements import AdjustStock, ReceiveLot, RecordWaste
from application.stock.ports import Shops, StockQueries, StockRepository
from application.stock.reads import ExpiringStock, GetStockItem, ListMovements, ListStockItems, LowStock
from application.stock.reservations import StockReservations
from infrastructure.stock.queries import SqlStockQueries
from infrastructure.stock.repositories import SqlStockRepository
from infrastructure.stock.shops import SqlShops


class StockUseCases(Provider):
    """The repository and the writes, one set per request (they share the request's session)."""

    scope = Scope.REQUEST

    items = provide(SqlStockRepository, provides=StockRepository)
    use_cases = provide_all(
        CreateStockItem, UpdateStockItem, ReceiveLot, RecordWaste, AdjustStock, StockReservations, SeedDemoStock
    )


class StockReads(Provider):
    """Query services (one statement each) and the reads over them, one per process."""

    scope = Scope.APP

    stock = provide(SqlStockQueries, provides=StockQueries)
    shops = provide(SqlShops, provides=Shops)
    use_cases = provide_all(GetStockItem, ListStockItems, ListMovements, ExpiringStock, LowStock)


def stock_providers() -> list[Provider]:
    return [StockUseCases(), StockReads()]

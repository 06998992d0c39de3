"""The catalog context's dishka providers: writes one set per request, reads one per process."""

from __future__ import annotations

from dishka import Provider, Scope, provide, provide_all

from application.catalog.create_product import CreateProduct
from application.catalog.delete_product import DeleteProduct
from application.catalog.demo import SeedDemoCatalog
from application.catalog.ports import ProductQueries, ProductRepository, ProductUsage, ShopCurrency, StockItems
from application.catalog.read_products import GetProduct, ListProducts
from application.catalog.shop_rules import ShopRules
from application.catalog.update_product import UpdateProduct
from infrastructure.catalog.queries import SqlProductQueries
from infrastructure.catalog.repositories import SqlProductRepository
from infrastructure.catalog.stock_view import NoOrdersYet, SqlShopCurrency, ViewStockItems


class CatalogUseCases(Provider):
    """Writes: the repository, the stock and shop lookups and the use cases share the request's
    session and unit of work."""

    scope = Scope.REQUEST

    products = provide(SqlProductRepository, provides=ProductRepository)
    stock = provide(ViewStockItems, provides=StockItems)
    currency = provide(SqlShopCurrency, provides=ShopCurrency)
    rules = provide(ShopRules)
    use_cases = provide_all(CreateProduct, UpdateProduct, DeleteProduct, SeedDemoCatalog)


class CatalogReads(Provider):
    """Reads: the query service and the use cases over it, one per process."""

    scope = Scope.APP

    products = provide(SqlProductQueries, provides=ProductQueries)
    usage = provide(NoOrdersYet, provides=ProductUsage)
    use_cases = provide_all(GetProduct, ListProducts)


def catalog_providers() -> list[Provider]:
    return [CatalogUseCases(), CatalogReads()]

"""The catalog's reads, for every role (drivers and staff read products too): one product, and a
page of them filtered and sorted. Each is one statement of the query service."""

from __future__ import annotations

from uuid import UUID

from application.catalog.ports import ProductFilter, ProductQueries
from application.catalog.views import ProductOut
from application.shared.context import Principal
from application.shared.errors import NotFound
from application.shared.pagination import Page, PageRequest
from domain.catalog.product import check_occasion, occasion_key
from domain.shared.errors import Checks
from domain.shared.text import clean_line

MAX_QUERY_LENGTH = 100


class GetProduct:
    def __init__(self, products: ProductQueries) -> None:
        self._products = products

    async def execute(self, principal: Principal, product_id: UUID) -> ProductOut:
        product = await self._products.get(principal.vendor_id, product_id)
        if product is None:
            raise NotFound("No product with this id.")
        return product


def _search_text(raw: str, field: str) -> str:
    return clean_line(raw, field, max_length=MAX_QUERY_LENGTH).casefold()


class ListProducts:
    def __init__(self, products: ProductQueries) -> None:
        self._products = products

    async def execute(
        self, principal: Principal, page: PageRequest, where: ProductFilter | None = None
    ) -> Page[ProductOut]:
        where = where or ProductFilter()
        checks = Checks()
        occasion = where.occasion
        if occasion is not None:
            occasion = occasion_key(checks.run(lambda raw: check_occasion(raw, "query.occasion"), occasion))
        q = where.q
        if q is not None:
            q = checks.run(lambda raw: _search_text(raw, "query.q"), q)
        checks.raise_any()
        normalised = ProductFilter(kind=where.kind, occasion=occasion, active=where.active, q=q, sort=where.sort)
        return await self._products.page(principal.vendor_id, page, normalised)

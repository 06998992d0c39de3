"""What the use cases that write a product share: their ports, and the product read back after
the commit, as the list shows it (variant ids and costing included)."""

from __future__ import annotations

from uuid import UUID

from application.catalog.ports import ProductQueries, ProductRepository
from application.catalog.shop_rules import ShopRules
from application.catalog.views import ProductOut
from application.shared.authorizer import Authorizer
from application.shared.clock import Clock
from application.shared.errors import NotFound
from application.shared.unit_of_work import UnitOfWork


class ProductWriter:
    def __init__(
        self,
        products: ProductRepository,
        rules: ShopRules,
        queries: ProductQueries,
        authorizer: Authorizer,
        uow: UnitOfWork,
        clock: Clock,
    ) -> None:
        self._products = products
        self._rules = rules
        self._queries = queries
        self._authorizer = authorizer
        self._uow = uow
        self._clock = clock

    async def _read_back(self, vendor_id: UUID, product_id: UUID) -> ProductOut:
        written = await self._queries.get(vendor_id, product_id)
        if written is None:  # deleted between the commit and the read
            raise NotFound("No product with this id.")
        return written

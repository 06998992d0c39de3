"""Delete a product (managers and owners). A product that an order refers to is only deactivated
(kept for the orders' history, hidden from sale): ``ProductUsage`` says which. Either way the
caller gets 204: the product is no longer for sale."""

from __future__ import annotations

from uuid import UUID

from application.catalog.ports import ProductRepository, ProductUsage
from application.shared.authorizer import Authorizer
from application.shared.clock import Clock
from application.shared.context import Principal
from application.shared.errors import NotFound
from application.shared.unit_of_work import UnitOfWork
from domain.shared.role import Role


class DeleteProduct:
    def __init__(
        self,
        products: ProductRepository,
        usage: ProductUsage,
        authorizer: Authorizer,
        uow: UnitOfWork,
        clock: Clock,
    ) -> None:
        self._products = products
        self._usage = usage
        self._authorizer = authorizer
        self._uow = uow
        self._clock = clock

    async def execute(self, principal: Principal, product_id: UUID) -> bool:
        """True when the product was deleted, False when it was only deactivated."""
        await self._authorizer.require(principal, Role.MANAGER, "products.delete")
        product = await self._products.get(principal.vendor_id, product_id, lock=True)
        if product is None:
            raise NotFound("No product with this id.")
        if await self._usage.is_ordered(principal.vendor_id, product.id):
            await self._products.update(product.deactivated(self._clock.now()))
            deleted = False
        else:
            await self._products.delete(product)
            deleted = True
        await self._uow.commit()
        return deleted

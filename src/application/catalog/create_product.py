"""Add a product with its variants (managers and owners). Answers the product as the list shows
it, variant ids and costing included. Callable from a seed script as it is."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from application.catalog.ports import ProductQueries, ProductRepository
from application.catalog.shop_rules import ShopRules
from application.catalog.views import ProductOut
from application.shared.authorizer import Authorizer
from application.shared.clock import Clock
from application.shared.context import Principal
from application.shared.errors import NotFound
from application.shared.unit_of_work import UnitOfWork
from domain.catalog.product import Product, ProductKind, VariantDraft
from domain.shared.role import Role


@dataclass(frozen=True, slots=True)
class CreateProductCommand:
    name: str
    kind: ProductKind | str  # the enum or its name ("BOUQUET"), so a seed script passes plain data
    variants: Sequence[VariantDraft]
    description: str | None = None
    occasions: Sequence[str] = field(default_factory=tuple)
    active: bool = True


class CreateProduct:
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

    async def execute(self, principal: Principal, command: CreateProductCommand) -> ProductOut:
        await self._authorizer.require(principal, Role.MANAGER, "products.create")
        product = Product.create(
            vendor_id=principal.vendor_id,
            name=command.name,
            kind=command.kind,
            description=command.description,
            occasions=command.occasions,
            variants=command.variants,
            active=command.active,
            at=self._clock.now(),
        )  # 400: every malformed field at once
        await self._rules.refuse(principal.vendor_id, product.variants)  # 422
        await self._products.add(product)  # 409 SKU_TAKEN
        await self._uow.commit()
        created = await self._queries.get(principal.vendor_id, product.id)
        if created is None:  # deleted between the commit and the read
            raise NotFound("No product with this id.")
        return created

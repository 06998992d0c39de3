"""Add a product with its variants (managers and owners). Answers the product as the list shows
it, variant ids and costing included. Callable from a seed script as it is."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from application.catalog.product_writer import ProductWriter
from application.catalog.views import ProductOut
from application.shared.context import Principal
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


class CreateProduct(ProductWriter):
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
        return await self._read_back(principal.vendor_id, product.id)

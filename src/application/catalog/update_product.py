"""Change a product (managers and owners): PATCH semantics, a field left out is unchanged.

``variants``, when given, replaces the product's whole list of variants: an entry carrying the
``id`` of one of the product's variants revises that variant and keeps its id, an entry without
``id`` adds a variant, and a variant left out is removed. So a client sends back the variants it
read, changed as it likes. An ``id`` the product does not have is refused (422, naming
``variants[i].id``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

from application.catalog.product_writer import ProductWriter
from application.catalog.views import ProductOut
from application.shared.context import Principal
from application.shared.errors import NotFound
from domain.catalog.product import ProductRevision, VariantDraft
from domain.shared.role import Role

NOT_A_VARIANT = "is not a variant of this product"


@dataclass(frozen=True, slots=True)
class UpdateProductCommand:
    product_id: UUID
    name: str | None = None
    description: str | None = None
    occasions: Sequence[str] | None = None
    active: bool | None = None
    variants: Sequence[VariantDraft] | None = None


class UpdateProduct(ProductWriter):
    async def execute(self, principal: Principal, command: UpdateProductCommand) -> ProductOut:
        await self._authorizer.require(principal, Role.MANAGER, "products.update")
        revision = ProductRevision.check(
            name=command.name,
            description=command.description,
            occasions=command.occasions,
            active=command.active,
            variants=command.variants,
        )  # 400 before 404, as the contract orders them
        product = await self._products.get(principal.vendor_id, command.product_id, lock=True)
        if product is None:
            raise NotFound("No product with this id.")
        if revision.variants is not None:
            unknown = [(f"variants[{index}].id", NOT_A_VARIANT) for index in product.unknown_variant_ids(revision)]
            await self._rules.refuse(principal.vendor_id, revision.variants, also=unknown)
        updated = product.revised(revision, at=self._clock.now())
        await self._products.update(updated)
        await self._uow.commit()
        return await self._read_back(principal.vendor_id, product.id)

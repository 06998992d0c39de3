"""Request bodies of the catalog (responses are the read models of ``application.catalog.views``).
Inputs refuse unknown fields; the limits here stop oversized values before any work, and ``Rule``
names the domain check of a field, so a body refused for its shape also lists what the domain
refuses of its well-typed values (``interfaces.http.field_errors``)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import msgspec

from application.catalog.views import PRODUCT_EXAMPLE, ProductOut
from domain.catalog.product import (
    MAX_RECIPE_LINES,
    MAX_RECIPE_QUANTITY,
    MAX_VARIANTS,
    ProductKind,
    VariantDraft,
    check_description,
    check_occasions,
    check_product_name,
    check_sku,
    check_variant_name,
)
from domain.shared.money import MAX_AMOUNT_MINOR
from interfaces.http.field_errors import Rule

_STOCK_ITEM = "0193a5b2-7c1e-7d40-9a51-3f0c2b8e4d11"
_VARIANT = "0193a5b2-7c1e-7d40-9a51-3f0c2b8e4d12"
_PRICE = {"amount_minor": 4500, "currency": "EUR"}
_VARIANT_IN = {
    "name": "Medium",
    "sku": "RB-M",
    "price": _PRICE,
    "recipe": [{"stock_item_id": _STOCK_ITEM, "quantity": 12}],
}

ProductName = Annotated[str, msgspec.Meta(max_length=400, examples=["Rosa's Blush Bouquet"]), Rule(check_product_name)]
Description = Annotated[
    str,
    msgspec.Meta(
        max_length=20_000,
        examples=["Blush roses &amp; lilies, hand-tied."],
        description="plain text: markup is removed, entities unescaped; at most 2000 characters after that",
    ),
    Rule(check_description),
]
Occasions = Annotated[
    list[Annotated[str, msgspec.Meta(max_length=200)]],
    msgspec.Meta(
        max_length=100,
        examples=[["Birthday", "Anniversary"]],
        description="free-form tags, matched case-insensitively; repeats are dropped; at most 20",
    ),
    Rule(check_occasions),
]
VariantName = Annotated[str, msgspec.Meta(max_length=200, examples=["Medium"]), Rule(check_variant_name)]
Sku = Annotated[
    str,
    msgspec.Meta(max_length=200, examples=["RB-M"], description="unique in the shop; stored upper-case"),
    Rule(check_sku),
]


class PriceIn(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    amount_minor: Annotated[
        int, msgspec.Meta(ge=0, le=MAX_AMOUNT_MINOR, examples=[4500], description="integer minor units (cents)")
    ]
    currency: Annotated[str, msgspec.Meta(max_length=8, examples=["EUR"], description="the shop's currency")]


class RecipeLineIn(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    stock_item_id: Annotated[UUID, msgspec.Meta(examples=[_STOCK_ITEM], description="one of the shop's stock items")]
    quantity: Annotated[int, msgspec.Meta(ge=1, le=MAX_RECIPE_QUANTITY, examples=[12])]


Recipe = Annotated[
    list[RecipeLineIn],
    msgspec.Meta(max_length=MAX_RECIPE_LINES, examples=[[{"stock_item_id": _STOCK_ITEM, "quantity": 12}]]),
]


class VariantIn(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    name: VariantName
    sku: Sku
    price: Annotated[PriceIn, msgspec.Meta(examples=[_PRICE])]
    recipe: Recipe = msgspec.field(default_factory=list)

    def draft(self) -> VariantDraft:
        return _draft(self, None)


class VariantPatchIn(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """A variant in a PATCH: with the ``id`` of one of the product's variants it revises that one
    (its id kept); without, it is a new variant. Variants left out of the list are removed."""

    name: VariantName
    sku: Sku
    price: Annotated[PriceIn, msgspec.Meta(examples=[_PRICE])]
    recipe: Recipe = msgspec.field(default_factory=list)
    id: Annotated[UUID | None, msgspec.Meta(examples=[_VARIANT], description="keep this variant")] = None

    def draft(self) -> VariantDraft:
        return _draft(self, self.id)


def _draft(variant: VariantIn | VariantPatchIn, variant_id: UUID | None) -> VariantDraft:
    return VariantDraft(
        name=variant.name,
        sku=variant.sku,
        price_minor=variant.price.amount_minor,
        currency=variant.price.currency,
        recipe=tuple((line.stock_item_id, line.quantity) for line in variant.recipe),
        id=variant_id,
    )


class ProductIn(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    name: ProductName
    kind: Annotated[ProductKind, msgspec.Meta(examples=["BOUQUET"])]
    variants: Annotated[list[VariantIn], msgspec.Meta(min_length=1, max_length=MAX_VARIANTS, examples=[[_VARIANT_IN]])]
    description: Description | None = None
    occasions: Occasions = msgspec.field(default_factory=list)
    active: Annotated[bool, msgspec.Meta(examples=[True])] = True


class ProductPatchIn(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """Every field optional; ``variants`` replaces the product's whole list of variants."""

    name: ProductName | None = None
    description: Description | None = None
    occasions: Occasions | None = None
    active: Annotated[bool | None, msgspec.Meta(examples=[False])] = None
    variants: (
        Annotated[
            list[VariantPatchIn],
            msgspec.Meta(min_length=1, max_length=MAX_VARIANTS, examples=[[{**_VARIANT_IN, "id": _VARIANT}]]),
        ]
        | None
    ) = None


class ProductPage(msgspec.Struct, frozen=True):
    items: Annotated[list[ProductOut], msgspec.Meta(examples=[[PRODUCT_EXAMPLE]])]
    total: Annotated[int, msgspec.Meta(examples=[42])]
    limit: Annotated[int, msgspec.Meta(examples=[50])]
    offset: Annotated[int, msgspec.Meta(examples=[0])]

"""Request bodies of the catalog (responses are the read models of ``application.catalog.views``).
Inputs refuse unknown fields; the limits here stop oversized values before any work, and ``Rule``
names the domain check of a field, so a body refused for its shape also lists what the domain
refuses of its well-typed values (``interfaces.http.field_errors``).

Examples for the OpenAPI document: request fields carry ``Meta(examples=...)`` from the same story as
the responses' ``EXAMPLE`` bodies (``application.catalog.views``); ``PROBLEM_EXAMPLES`` names, per
operation, the refusals of its own use case, each made by the code that refuses it."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Annotated, Any, ClassVar
from uuid import UUID

import msgspec

from application.catalog.errors import ProductRefused, SkuTaken
from application.catalog.shop_rules import NOT_A_STOCK_ITEM, wrong_currency
from application.catalog.update_product import NOT_A_VARIANT
from application.catalog.views import (
    EXAMPLE_EUCALYPTUS_ID,
    EXAMPLE_PEONY_ID,
    EXAMPLE_RIBBON_ID,
    EXAMPLE_SPRAY_ROSE_ID,
    EXAMPLE_VARIANT_ID,
    ProductOut,
)
from application.shared.errors import NotFound, PermissionDenied
from domain.catalog.product import (
    MAX_RECIPE_LINES,
    MAX_RECIPE_QUANTITY,
    MAX_VARIANTS,
    Product,
    ProductKind,
    ProductRevision,
    VariantDraft,
    check_description,
    check_occasion,
    check_occasions,
    check_product_name,
    check_sku,
    check_variant_name,
)
from domain.shared.errors import InvalidValue
from domain.shared.money import MAX_AMOUNT_MINOR
from interfaces.http.field_errors import Rule

_PRICE = {"amount_minor": 4500, "currency": "EUR"}
_RECIPE = [
    {"stock_item_id": EXAMPLE_SPRAY_ROSE_ID, "quantity": 7},
    {"stock_item_id": EXAMPLE_PEONY_ID, "quantity": 3},
    {"stock_item_id": EXAMPLE_EUCALYPTUS_ID, "quantity": 3},
    {"stock_item_id": EXAMPLE_RIBBON_ID, "quantity": 1},
]
_VARIANT_IN = {"name": "Medium", "sku": "RB-M", "price": _PRICE, "recipe": _RECIPE}

ProductName = Annotated[str, msgspec.Meta(max_length=400, examples=["Rosa's Blush Bouquet"]), Rule(check_product_name)]
Description = Annotated[
    str,
    msgspec.Meta(
        max_length=20_000,
        examples=["Blush roses &amp; peonies, hand-tied."],
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
    stock_item_id: Annotated[
        UUID, msgspec.Meta(examples=[EXAMPLE_SPRAY_ROSE_ID], description="one of the shop's stock items")
    ]
    quantity: Annotated[int, msgspec.Meta(ge=1, le=MAX_RECIPE_QUANTITY, examples=[7])]


Recipe = Annotated[
    list[RecipeLineIn],
    msgspec.Meta(max_length=MAX_RECIPE_LINES, examples=[_RECIPE]),
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
    id: Annotated[UUID | None, msgspec.Meta(examples=[EXAMPLE_VARIANT_ID], description="keep this variant")] = None

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

    name: ProductName | msgspec.UnsetType = msgspec.UNSET
    description: Description | msgspec.UnsetType = msgspec.UNSET
    occasions: Occasions | msgspec.UnsetType = msgspec.UNSET
    active: Annotated[bool, msgspec.Meta(examples=[False])] | msgspec.UnsetType = msgspec.UNSET
    variants: (
        Annotated[
            list[VariantPatchIn],
            msgspec.Meta(min_length=1, max_length=MAX_VARIANTS, examples=[[{**_VARIANT_IN, "id": EXAMPLE_VARIANT_ID}]]),
        ]
        | msgspec.UnsetType
    ) = msgspec.UNSET


class ProductPage(msgspec.Struct, frozen=True):
    items: list[ProductOut]
    total: int
    limit: int
    offset: int

    EXAMPLE: ClassVar[Mapping[str, Any]] = {
        "items": [ProductOut.VASE_EXAMPLE, ProductOut.EXAMPLE],  # by name, the default sort
        "total": 2,
        "limit": 50,
        "offset": 0,
    }


# -- what the OpenAPI document shows each operation refusing, made by the code that refuses it ---------


def _refused(make: Callable[[], Any]) -> InvalidValue:
    """What a domain check refuses, every problem at once, as the use case finds it."""
    try:
        make()
    except InvalidValue as refused:
        return refused
    raise ValueError("every value passed its check: not an example of a refusal")


def _example_draft(sku: str, recipe: Sequence[tuple[str, int]] = (), variant_id: str | None = None) -> VariantDraft:
    return VariantDraft(
        name="Medium",
        sku=sku,
        price_minor=4500,
        currency="EUR",
        recipe=tuple((UUID(item), quantity) for item, quantity in recipe),
        id=None if variant_id is None else UUID(variant_id),
    )


# A body of the right shape whose values the product's rules refuse together (the edge's own 400
# shows a body of the wrong shape): "rb-m" is stored as RB-M, so the second variant repeats the
# first's SKU, and the eucalyptus is given twice in one recipe.
_CREATE_RULES = _refused(
    lambda: Product.create(
        vendor_id=UUID("0b7e6c1a-5d2f-4e8a-9c3b-7f1d2e4a6b58"),  # Rosa Bloom, as in the accounts examples
        name="Rosa's Blush Bouquet",
        kind="BOUQUET",
        description=None,
        occasions=(),
        variants=(
            _example_draft(
                "RB-M", ((EXAMPLE_SPRAY_ROSE_ID, 7), (EXAMPLE_EUCALYPTUS_ID, 3), (EXAMPLE_EUCALYPTUS_ID, 1))
            ),
            _example_draft("rb-m"),
        ),
        at=datetime(2026, 3, 4, 8, 52, tzinfo=UTC),
    )
)
# A name that is only markup, and the Medium sent back twice.
_UPDATE_RULES = _refused(
    lambda: ProductRevision.check(
        name="<b></b>",
        variants=(
            _example_draft("RB-M", variant_id=EXAMPLE_VARIANT_ID),
            _example_draft("RB-L", variant_id=EXAMPLE_VARIANT_ID),
        ),
    )
)
_LIST_RULES = _refused(lambda: check_occasion("Birthday, anniversary and any other day of the year", "query.occasion"))
_MANAGERS_ONLY = PermissionDenied("This needs the MANAGER role or above.")
_NO_SUCH_PRODUCT = NotFound("No product with this id.")
_SKU_TAKEN = SkuTaken("RB-M")

PROBLEM_EXAMPLES: Mapping[str, Sequence[Exception]] = {
    "list_products": (_LIST_RULES,),
    "get_product": (_NO_SUCH_PRODUCT,),
    "create_product": (
        _CREATE_RULES,
        _MANAGERS_ONLY,
        _SKU_TAKEN,
        ProductRefused(
            [
                ("variants[0].price.currency", wrong_currency("EUR")),
                ("variants[0].recipe[1].stock_item_id", NOT_A_STOCK_ITEM),
            ]
        ),
    ),
    "update_product": (
        _UPDATE_RULES,
        _MANAGERS_ONLY,
        _NO_SUCH_PRODUCT,
        _SKU_TAKEN,
        ProductRefused([("variants[1].id", NOT_A_VARIANT), ("variants[1].recipe[0].stock_item_id", NOT_A_STOCK_ITEM)]),
    ),
    "delete_product": (_MANAGERS_ONLY, _NO_SUCH_PRODUCT),
}

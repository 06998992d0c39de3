"""What the catalog's reads return: read models filled straight from one SQL statement's rows by
the query service and sent as they are (msgspec structs)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec

from domain.catalog.product import ProductKind


class MoneyOut(msgspec.Struct, frozen=True):
    amount_minor: Annotated[int, msgspec.Meta(examples=[4500], description="integer minor units (cents)")]
    currency: Annotated[str, msgspec.Meta(examples=["EUR"], description="ISO 4217, the shop's currency")]


class RecipeLineOut(msgspec.Struct, frozen=True):
    stock_item_id: Annotated[UUID, msgspec.Meta(examples=["0193a5b2-7c1e-7d40-9a51-3f0c2b8e4d11"])]
    quantity: Annotated[int, msgspec.Meta(examples=[12], description="units of the stock item in one variant")]


class VariantOut(msgspec.Struct, frozen=True):
    """A size of a product with its price and recipe, and what it costs to make from the stock on
    hand now: ``cost`` is the sum of each recipe line's quantity times its item's weighted average
    unit cost over the lots on hand (rounded once, half up). When an item of the recipe has nothing
    on hand the cost is unknown: ``cost``, ``margin`` and ``margin_percent`` are null and
    ``cost_complete`` is false."""

    id: Annotated[UUID, msgspec.Meta(examples=["0193a5b2-7c1e-7d40-9a51-3f0c2b8e4d12"])]
    name: Annotated[str, msgspec.Meta(examples=["Medium"])]
    sku: Annotated[str, msgspec.Meta(examples=["RB-M"])]
    price: MoneyOut
    recipe: list[RecipeLineOut]
    cost: MoneyOut | None
    cost_complete: Annotated[bool, msgspec.Meta(examples=[True], description="false: some item has no stock")]
    margin: MoneyOut | None
    margin_percent: Annotated[
        float | None, msgspec.Meta(examples=[62.5], description="margin as a percent of the price, one decimal")
    ]


class ProductOut(msgspec.Struct, frozen=True):
    id: Annotated[UUID, msgspec.Meta(examples=["0193a5b2-7c1e-7d40-9a51-3f0c2b8e4d10"])]
    name: Annotated[str, msgspec.Meta(examples=["Rosa's Blush Bouquet"])]
    kind: ProductKind
    description: Annotated[str, msgspec.Meta(examples=["Blush roses & lilies, hand-tied."])]
    occasions: Annotated[list[str], msgspec.Meta(examples=[["Birthday", "Anniversary"]])]
    active: Annotated[bool, msgspec.Meta(examples=[True])]
    variants: list[VariantOut]
    created_at: Annotated[datetime | None, msgspec.Meta(examples=["2026-12-01T14:11:05Z"])]
    updated_at: Annotated[datetime | None, msgspec.Meta(examples=["2026-12-01T14:11:05Z"])]

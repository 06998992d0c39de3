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


_MONEY = {"amount_minor": 4500, "currency": "EUR"}
_LINE = {"stock_item_id": "0193a5b2-7c1e-7d40-9a51-3f0c2b8e4d11", "quantity": 12}


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
    price: Annotated[MoneyOut, msgspec.Meta(examples=[_MONEY])]
    recipe: Annotated[list[RecipeLineOut], msgspec.Meta(examples=[[_LINE]])]
    cost: Annotated[MoneyOut | None, msgspec.Meta(examples=[{"amount_minor": 1688, "currency": "EUR"}])]
    cost_complete: Annotated[bool, msgspec.Meta(examples=[True], description="false: some item has no stock")]
    margin: Annotated[MoneyOut | None, msgspec.Meta(examples=[{"amount_minor": 2812, "currency": "EUR"}])]
    margin_percent: Annotated[
        float | None, msgspec.Meta(examples=[62.5], description="margin as a percent of the price, one decimal")
    ]


_VARIANT = {
    "id": "0193a5b2-7c1e-7d40-9a51-3f0c2b8e4d12",
    "name": "Medium",
    "sku": "RB-M",
    "price": _MONEY,
    "recipe": [_LINE],
    "cost": {"amount_minor": 1688, "currency": "EUR"},
    "cost_complete": True,
    "margin": {"amount_minor": 2812, "currency": "EUR"},
    "margin_percent": 62.5,
}
PRODUCT_EXAMPLE = {
    "id": "0193a5b2-7c1e-7d40-9a51-3f0c2b8e4d10",
    "name": "Rosa's Blush Bouquet",
    "kind": "BOUQUET",
    "description": "Blush roses & lilies, hand-tied.",
    "occasions": ["Birthday", "Anniversary"],
    "active": True,
    "variants": [_VARIANT],
    "created_at": "2026-12-01T14:11:05Z",
    "updated_at": "2026-12-01T14:11:05Z",
}


class ProductOut(msgspec.Struct, frozen=True):
    id: Annotated[UUID, msgspec.Meta(examples=["0193a5b2-7c1e-7d40-9a51-3f0c2b8e4d10"])]
    name: Annotated[str, msgspec.Meta(examples=["Rosa's Blush Bouquet"])]
    kind: Annotated[ProductKind, msgspec.Meta(examples=["BOUQUET"])]
    description: Annotated[str, msgspec.Meta(examples=["Blush roses & lilies, hand-tied."])]
    occasions: Annotated[list[str], msgspec.Meta(examples=[["Birthday", "Anniversary"]])]
    active: Annotated[bool, msgspec.Meta(examples=[True])]
    variants: Annotated[list[VariantOut], msgspec.Meta(examples=[[_VARIANT]])]
    created_at: Annotated[datetime | None, msgspec.Meta(examples=["2026-12-01T14:11:05Z"])]
    updated_at: Annotated[datetime | None, msgspec.Meta(examples=["2026-12-01T14:11:05Z"])]

"""What the catalog's reads return: read models filled straight from one SQL statement's rows by
the query service and sent as they are (msgspec structs).

Each struct's ``EXAMPLE`` is one body exactly as a client receives it (JSON types: ids and times
as strings), for the OpenAPI document. The examples tell one story, the shop Rosa Bloom's (EUR):
its blush bouquet in two sizes and a ranunculus vase, each costed from the stock on hand
(``EXAMPLE_STOCK_ON_HAND``). Unit tests decode each into its struct and recompute its costing, so
they cannot drift. (No example shows an unknown cost: the document generator drops null values
from examples, so a variant's null ``cost`` could not be shown as sent.)"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Annotated, Any, ClassVar
from uuid import UUID

import msgspec

from domain.catalog.product import ProductKind

# The stock items the examples' recipes use (ids as the stock context makes them: uuid4).
EXAMPLE_SPRAY_ROSE_ID = "6f1c2a9e-3b7d-4e5a-9c81-2d4f6b8a0e13"  # Spray rose 'Lydia'
EXAMPLE_PEONY_ID = "a83e5d17-0c4b-4f29-b6e2-7d91c3f5a248"  # Peony 'Sarah Bernhardt'
EXAMPLE_EUCALYPTUS_ID = "2c9b7e41-5a6d-4c38-8f0e-b1d3a5c7e962"  # Eucalyptus cinerea
EXAMPLE_RIBBON_ID = "d4f0a6c2-8e1b-4d7a-a359-6b2e9c0f1d87"  # Satin ribbon, blush
EXAMPLE_RANUNCULUS_ID = "5e7a9c1b-2d4f-4a6b-8c0e-f3a5b7d9e1c4"  # Ranunculus 'Hanoi'
EXAMPLE_VASE_ID = "91c3e5a7-0b2d-4f4e-a6c8-d0e2f4a6b8c1"  # Glass vase 20 cm
EXAMPLE_FLOWER_FOOD_ID = "4a6c8e0b-3d5f-4b7a-9e1c-7f9b1d3e5a26"  # Flower food sachet
# What the shop has on hand of each: (units, their value in minor units). The peonies came in two
# lots (30 at 2.10, 25 at 2.25), so a peony costs their weighted average, 11925 / 55.
EXAMPLE_STOCK_ON_HAND: Mapping[str, tuple[int, int]] = {
    EXAMPLE_SPRAY_ROSE_ID: (40, 2600),
    EXAMPLE_PEONY_ID: (55, 11925),
    EXAMPLE_EUCALYPTUS_ID: (40, 2400),
    EXAMPLE_RIBBON_ID: (25, 3750),
    EXAMPLE_RANUNCULUS_ID: (50, 6000),
    EXAMPLE_VASE_ID: (18, 8100),
    EXAMPLE_FLOWER_FOOD_ID: (500, 3000),
}
EXAMPLE_PRODUCT_ID = "b6d2f8a4-1c3e-4b5d-9f7a-0e2c4a6b8d91"
EXAMPLE_VARIANT_ID = "7a3c5e9b-4d1f-4e2a-b8c6-1f3d5b7a9c02"  # the bouquet's Medium


def _eur(amount_minor: int) -> dict[str, Any]:
    return {"amount_minor": amount_minor, "currency": "EUR"}


def _line(stock_item_id: str, quantity: int) -> dict[str, Any]:
    return {"stock_item_id": stock_item_id, "quantity": quantity}


class CatalogMoneyOut(msgspec.Struct, frozen=True):
    """An amount in the shop's currency (named apart from the stock context's money, which a client
    generated from the document would otherwise confuse it with)."""

    amount_minor: Annotated[int, msgspec.Meta(examples=[4500], description="integer minor units (cents)")]
    currency: Annotated[str, msgspec.Meta(examples=["EUR"], description="ISO 4217, the shop's currency")]

    EXAMPLE: ClassVar[Mapping[str, Any]] = _eur(4500)


class RecipeLineOut(msgspec.Struct, frozen=True):
    stock_item_id: Annotated[UUID, msgspec.Meta(examples=[EXAMPLE_SPRAY_ROSE_ID])]
    quantity: Annotated[int, msgspec.Meta(examples=[7], description="units of the stock item in one variant")]

    EXAMPLE: ClassVar[Mapping[str, Any]] = _line(EXAMPLE_SPRAY_ROSE_ID, 7)


_MEDIUM_RECIPE = [
    RecipeLineOut.EXAMPLE,
    _line(EXAMPLE_PEONY_ID, 3),
    _line(EXAMPLE_EUCALYPTUS_ID, 3),
    _line(EXAMPLE_RIBBON_ID, 1),
]


class VariantOut(msgspec.Struct, frozen=True):
    """A size of a product with its price and recipe, and what it costs to make from the stock on
    hand now: ``cost`` is the sum of each recipe line's quantity times its item's weighted average
    unit cost over the lots on hand (rounded once, half up). When an item of the recipe has nothing
    on hand the cost is unknown: ``cost``, ``margin`` and ``margin_percent`` are null and
    ``cost_complete`` is false."""

    id: Annotated[UUID, msgspec.Meta(examples=[EXAMPLE_VARIANT_ID])]
    name: Annotated[str, msgspec.Meta(examples=["Medium"])]
    sku: Annotated[str, msgspec.Meta(examples=["RB-M"])]
    price: Annotated[CatalogMoneyOut, msgspec.Meta(examples=[_eur(4500)])]
    recipe: Annotated[list[RecipeLineOut], msgspec.Meta(examples=[_MEDIUM_RECIPE])]
    cost: Annotated[CatalogMoneyOut | None, msgspec.Meta(examples=[_eur(1435)])]
    cost_complete: Annotated[bool, msgspec.Meta(examples=[True], description="false: some item has no stock")]
    margin: Annotated[CatalogMoneyOut | None, msgspec.Meta(examples=[_eur(3065)])]
    margin_percent: Annotated[
        float | None, msgspec.Meta(examples=[68.1], description="margin as a percent of the price, one decimal")
    ]

    # 7 roses at 0.65, 3 peonies at 11925/55, 3 eucalyptus at 0.60 and a ribbon at 1.50: 14.3545…
    EXAMPLE: ClassVar[Mapping[str, Any]] = {
        "id": EXAMPLE_VARIANT_ID,
        "name": "Medium",
        "sku": "RB-M",
        "price": _eur(4500),
        "recipe": _MEDIUM_RECIPE,
        "cost": _eur(1435),
        "cost_complete": True,
        "margin": _eur(3065),
        "margin_percent": 68.1,
    }
    LARGE_EXAMPLE: ClassVar[Mapping[str, Any]] = {
        "id": "e1b3d5f7-9a2c-4e6b-8d0f-2a4c6e8b0d13",
        "name": "Large",
        "sku": "RB-L",
        "price": _eur(6500),
        "recipe": [
            _line(EXAMPLE_SPRAY_ROSE_ID, 10),
            _line(EXAMPLE_PEONY_ID, 5),
            _line(EXAMPLE_EUCALYPTUS_ID, 5),
            _line(EXAMPLE_RIBBON_ID, 1),
        ],
        "cost": _eur(2184),
        "cost_complete": True,
        "margin": _eur(4316),
        "margin_percent": 66.4,
    }
    VASE_EXAMPLE: ClassVar[Mapping[str, Any]] = {
        "id": "8f0b2d4e-7a9c-4b1d-a3e5-5c7e9a1b3d46",
        "name": "One size",
        "sku": "RV-1",
        "price": _eur(4900),
        "recipe": [
            _line(EXAMPLE_RANUNCULUS_ID, 10),
            _line(EXAMPLE_EUCALYPTUS_ID, 2),
            _line(EXAMPLE_VASE_ID, 1),
            _line(EXAMPLE_FLOWER_FOOD_ID, 1),
        ],
        "cost": _eur(1776),
        "cost_complete": True,
        "margin": _eur(3124),
        "margin_percent": 63.8,
    }


class ProductOut(msgspec.Struct, frozen=True):
    id: Annotated[UUID, msgspec.Meta(examples=[EXAMPLE_PRODUCT_ID])]
    name: Annotated[str, msgspec.Meta(examples=["Rosa's Blush Bouquet"])]
    kind: Annotated[ProductKind, msgspec.Meta(examples=["BOUQUET"])]
    description: Annotated[str, msgspec.Meta(examples=["Blush roses & peonies, hand-tied."])]
    occasions: Annotated[list[str], msgspec.Meta(examples=[["Birthday", "Anniversary"]])]
    active: Annotated[bool, msgspec.Meta(examples=[True])]
    variants: Annotated[list[VariantOut], msgspec.Meta(examples=[[VariantOut.EXAMPLE]])]
    created_at: Annotated[datetime | None, msgspec.Meta(examples=["2026-03-04T08:52:16.270431Z"])]
    updated_at: Annotated[datetime | None, msgspec.Meta(examples=["2026-03-09T15:07:42.918305Z"])]

    EXAMPLE: ClassVar[Mapping[str, Any]] = {
        "id": EXAMPLE_PRODUCT_ID,
        "name": "Rosa's Blush Bouquet",
        "kind": "BOUQUET",
        "description": "Blush roses & peonies, hand-tied.",
        "occasions": ["Birthday", "Anniversary"],
        "active": True,
        "variants": [VariantOut.EXAMPLE, VariantOut.LARGE_EXAMPLE],
        "created_at": "2026-03-04T08:52:16.270431Z",
        "updated_at": "2026-03-09T15:07:42.918305Z",
    }
    VASE_EXAMPLE: ClassVar[Mapping[str, Any]] = {
        "id": "3d5f7b9a-6c8e-4a0b-9d1f-4b6d8f0a2c35",
        "name": "Ranunculus Vase",
        "kind": "ARRANGEMENT",
        "description": "Orange ranunculus in a glass vase to keep.",
        "occasions": ["Thank you"],
        "active": True,
        "variants": [VariantOut.VASE_EXAMPLE],
        "created_at": "2026-03-05T11:23:08.614270Z",
        "updated_at": "2026-03-05T11:23:08.614270Z",
    }

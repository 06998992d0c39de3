"""Request and response bodies of the stock calls. Inputs refuse unknown fields; the bounds here
stop oversized values before any work, ``Rule`` names the domain check a field's value must pass
(``interfaces.http.field_errors``), the use case runs the same check once the body decodes."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

import msgspec

from application.stock.views import ExpiringLotOut, LowStockOut, MovementOut, StockItemRowOut
from domain.shared.money import MAX_AMOUNT_MINOR
from domain.stock.item import (
    MAX_QUANTITY,
    MAX_SHELF_LIFE_DAYS,
    StockKind,
    Tracking,
    check_item_name,
)
from domain.stock.ledger import check_adjustment, check_reason
from interfaces.http.field_errors import Rule

Name = Annotated[str, msgspec.Meta(max_length=400, examples=["Red rose 'Freedom' 60 cm"]), Rule(check_item_name)]
ShelfLife = Annotated[
    int,
    msgspec.Meta(
        ge=1, le=MAX_SHELF_LIFE_DAYS, examples=[7], description="days a lot keeps; none for goods that never wilt"
    ),
]
ReorderLevel = Annotated[
    int, msgspec.Meta(ge=0, le=MAX_QUANTITY, examples=[50], description="`available` below it is low stock")
]
Quantity = Annotated[int, msgspec.Meta(ge=1, le=MAX_QUANTITY, examples=[100])]
Reason = Annotated[str, msgspec.Meta(max_length=2000, examples=["stems bent in transport"]), Rule(check_reason)]


class StockItemIn(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    name: Name
    kind: Annotated[StockKind, msgspec.Meta(examples=["STEM"])]
    tracking: Annotated[
        Tracking,
        msgspec.Meta(examples=["STRICT"], description="STRICT: reserved for orders lot by lot; NONE: only counted"),
    ]
    shelf_life_days: ShelfLife | None = None
    reorder_level: ReorderLevel = 0


class StockItemPatchIn(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """The fields to change; quantities are the ledger's and never set here."""

    name: Name | None = None
    reorder_level: ReorderLevel | None = None
    shelf_life_days: ShelfLife | None = None


class MoneyIn(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    amount_minor: Annotated[
        int, msgspec.Meta(ge=0, le=MAX_AMOUNT_MINOR, examples=[45], description="integer minor units (cents)")
    ]
    currency: Annotated[str, msgspec.Meta(max_length=3, examples=["EUR"], description="the shop's currency")]


class LotIn(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    quantity: Quantity
    unit_cost: MoneyIn
    expires_on: (
        Annotated[
            date, msgspec.Meta(examples=["2026-12-08"], description="default: received_on + the item's shelf life")
        ]
        | None
    ) = None
    received_on: (
        Annotated[date, msgspec.Meta(examples=["2026-12-01"], description="default: the shop's today")] | None
    ) = None


class WasteIn(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    lot_id: Annotated[UUID, msgspec.Meta(examples=["0192f0c5-1b2c-7d4e-8f90-a1b2c3d4e5f6"])]
    quantity: Quantity
    reason: Reason


class AdjustmentIn(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    lot_id: Annotated[UUID, msgspec.Meta(examples=["0192f0c5-1b2c-7d4e-8f90-a1b2c3d4e5f6"])]
    quantity: Annotated[
        int,
        msgspec.Meta(
            ge=-MAX_QUANTITY, le=MAX_QUANTITY, examples=[-3], description="units found (positive) or missing (negative)"
        ),
        Rule(check_adjustment),
    ]
    reason: Reason


class StockItemPage(msgspec.Struct, frozen=True):
    items: list[StockItemRowOut]
    total: Annotated[int, msgspec.Meta(examples=[1])]
    limit: Annotated[int, msgspec.Meta(examples=[50])]
    offset: Annotated[int, msgspec.Meta(examples=[0])]


class MovementPage(msgspec.Struct, frozen=True):
    items: list[MovementOut]
    total: Annotated[int, msgspec.Meta(examples=[1])]
    limit: Annotated[int, msgspec.Meta(examples=[50])]
    offset: Annotated[int, msgspec.Meta(examples=[0])]


class ExpiringPage(msgspec.Struct, frozen=True):
    items: list[ExpiringLotOut]
    total: Annotated[int, msgspec.Meta(examples=[1])]
    limit: Annotated[int, msgspec.Meta(examples=[50])]
    offset: Annotated[int, msgspec.Meta(examples=[0])]


class LowStockPage(msgspec.Struct, frozen=True):
    items: list[LowStockOut]
    total: Annotated[int, msgspec.Meta(examples=[1])]
    limit: Annotated[int, msgspec.Meta(examples=[50])]
    offset: Annotated[int, msgspec.Meta(examples=[0])]

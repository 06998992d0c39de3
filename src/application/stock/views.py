"""What the stock context's reads return: msgspec structs filled straight from SQL rows by the
query services; the write side maps its entities to the same structs with ``of``."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from uuid import UUID

import msgspec

from domain.shared.money import Money
from domain.stock.item import StockItem, StockKind, Tracking
from domain.stock.ledger import Movement, MovementKind
from domain.stock.lot import StockLot

_ITEM_ID = msgspec.Meta(examples=["0192f0c4-6a1e-7c3d-9b7a-3f2d1c0b4a55"])
_LOT_ID = msgspec.Meta(examples=["0192f0c5-1b2c-7d4e-8f90-a1b2c3d4e5f6"])
_AT = msgspec.Meta(examples=["2026-12-01T09:30:00Z"])
Kind = Annotated[StockKind, msgspec.Meta(examples=["STEM"])]
TrackingOut = Annotated[
    Tracking, msgspec.Meta(examples=["STRICT"], description="STRICT: reserved for orders lot by lot")
]


class MoneyOut(msgspec.Struct, frozen=True):
    amount_minor: Annotated[int, msgspec.Meta(examples=[45], description="integer minor units (cents)")]
    currency: Annotated[str, msgspec.Meta(examples=["EUR"])]

    @classmethod
    def of(cls, money: Money) -> MoneyOut:
        return cls(money.amount_minor, money.currency)


class StockLotOut(msgspec.Struct, frozen=True):
    """One delivery of an item and what is left of it."""

    id: Annotated[UUID, _LOT_ID]
    stock_item_id: Annotated[UUID, _ITEM_ID]
    quantity: Annotated[int, msgspec.Meta(examples=[100], description="as received")]
    on_hand: Annotated[int, msgspec.Meta(examples=[80])]
    reserved: Annotated[int, msgspec.Meta(examples=[20])]
    available: Annotated[int, msgspec.Meta(examples=[60])]
    unit_cost: MoneyOut
    received_on: Annotated[date, msgspec.Meta(examples=["2026-12-01"])]
    expires_on: Annotated[
        date, msgspec.Meta(examples=["2026-12-08"], description="9999-12-31 for an item that never wilts")
    ]
    created_at: Annotated[datetime | None, _AT]

    @classmethod
    def of(cls, lot: StockLot) -> StockLotOut:
        return cls(
            id=lot.id,
            stock_item_id=lot.stock_item_id,
            quantity=lot.quantity,
            on_hand=lot.on_hand,
            reserved=lot.reserved,
            available=lot.available,
            unit_cost=MoneyOut.of(lot.unit_cost),
            received_on=lot.received_on,
            expires_on=lot.expires_on,
            created_at=lot.created_at,
        )


class StockItemRowOut(msgspec.Struct, frozen=True):
    """An item and its totals, as a list shows it."""

    id: Annotated[UUID, _ITEM_ID]
    name: Annotated[str, msgspec.Meta(examples=["Red rose 'Freedom' 60 cm"])]
    kind: Kind
    tracking: TrackingOut
    shelf_life_days: Annotated[int | None, msgspec.Meta(examples=[7])]
    reorder_level: Annotated[int, msgspec.Meta(examples=[50])]
    on_hand: Annotated[int, msgspec.Meta(examples=[80])]
    reserved: Annotated[int, msgspec.Meta(examples=[20])]
    available: Annotated[int, msgspec.Meta(examples=[60])]
    created_at: Annotated[datetime | None, _AT]


class StockItemOut(msgspec.Struct, frozen=True):
    """An item, its totals (from the ledger) and the lots that still hold some of it, soonest to
    expire first."""

    id: Annotated[UUID, _ITEM_ID]
    name: Annotated[str, msgspec.Meta(examples=["Red rose 'Freedom' 60 cm"])]
    kind: Kind
    tracking: TrackingOut
    shelf_life_days: Annotated[int | None, msgspec.Meta(examples=[7])]
    reorder_level: Annotated[int, msgspec.Meta(examples=[50])]
    on_hand: Annotated[int, msgspec.Meta(examples=[80])]
    reserved: Annotated[int, msgspec.Meta(examples=[20])]
    available: Annotated[int, msgspec.Meta(examples=[60])]
    created_at: Annotated[datetime | None, _AT]
    lots: list[StockLotOut]

    @classmethod
    def new(cls, item: StockItem) -> StockItemOut:
        """A newly created item: nothing received yet."""
        return cls(
            id=item.id,
            name=item.name,
            kind=item.kind,
            tracking=item.tracking,
            shelf_life_days=item.shelf_life_days,
            reorder_level=item.reorder_level,
            on_hand=0,
            reserved=0,
            available=0,
            created_at=item.created_at,
            lots=[],
        )


class MovementOut(msgspec.Struct, frozen=True):
    """One line of the ledger. ``quantity`` is a magnitude; an ADJUSTMENT's is signed."""

    id: Annotated[UUID, msgspec.Meta(examples=["0192f0c6-0000-7000-8000-000000000001"])]
    kind: Annotated[MovementKind, msgspec.Meta(examples=["WASTE"])]
    quantity: Annotated[int, msgspec.Meta(examples=[5])]
    stock_item_id: Annotated[UUID, _ITEM_ID]
    lot_id: Annotated[UUID | None, _LOT_ID]
    order_id: Annotated[UUID | None, msgspec.Meta(examples=[None])]
    reason: Annotated[str | None, msgspec.Meta(examples=["bent stems"])]
    at: Annotated[datetime, _AT]

    @classmethod
    def of(cls, movement: Movement) -> MovementOut:
        return cls(
            id=movement.id,
            kind=movement.kind,
            quantity=movement.quantity,
            stock_item_id=movement.stock_item_id,
            lot_id=movement.lot_id,
            order_id=movement.order_id,
            reason=movement.reason,
            at=movement.at,
        )


class ExpiringLotOut(msgspec.Struct, frozen=True):
    """A lot with stock left that expires within the window asked for (or has expired already)."""

    lot_id: Annotated[UUID, _LOT_ID]
    stock_item_id: Annotated[UUID, _ITEM_ID]
    stock_item_name: Annotated[str, msgspec.Meta(examples=["Red rose 'Freedom' 60 cm"])]
    kind: Kind
    on_hand: Annotated[int, msgspec.Meta(examples=[40])]
    reserved: Annotated[int, msgspec.Meta(examples=[10])]
    available: Annotated[int, msgspec.Meta(examples=[30])]
    received_on: Annotated[date, msgspec.Meta(examples=["2026-11-26"])]
    expires_on: Annotated[date, msgspec.Meta(examples=["2026-12-03"])]
    days_left: Annotated[int, msgspec.Meta(examples=[2], description="negative once expired")]


class LowStockOut(msgspec.Struct, frozen=True):
    """An item whose available quantity is below its reorder level."""

    id: Annotated[UUID, _ITEM_ID]
    name: Annotated[str, msgspec.Meta(examples=["Eucalyptus 'Cinerea'"])]
    kind: Kind
    tracking: TrackingOut
    reorder_level: Annotated[int, msgspec.Meta(examples=[30])]
    on_hand: Annotated[int, msgspec.Meta(examples=[12])]
    reserved: Annotated[int, msgspec.Meta(examples=[4])]
    available: Annotated[int, msgspec.Meta(examples=[8])]
    shortfall: Annotated[int, msgspec.Meta(examples=[22], description="reorder_level - available")]

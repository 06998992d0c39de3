"""What the stock context's reads return: msgspec structs filled straight from SQL rows by the
query services; the write side maps its entities to the same structs with ``of``.

Each struct's ``EXAMPLE`` is one body exactly as a client receives it (JSON types: ids, dates and
times as strings), for the OpenAPI document. They tell one story on 2026-12-01 at the shop Rosa
Bloom (EUR, Europe/Amsterdam): a rose with two lots (one received this morning, the body
``LotIn``'s example sends) and a eucalyptus running low; a unit test decodes each into its struct
and checks that the numbers add up."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Annotated, Any, ClassVar
from uuid import UUID

import msgspec

from domain.shared.money import Money
from domain.stock.item import StockItem, StockKind, Tracking
from domain.stock.ledger import Movement, MovementKind
from domain.stock.lot import StockLot

# The example story's ids, shared by the examples here and by the HTTP bodies that name them.
EXAMPLE_ROSE_ID = "ad4b7f67-608b-4224-a09c-f8578dbb816a"
EXAMPLE_EUCALYPTUS_ID = "4ae7fcae-eff2-49e8-8eda-be1531faa3f4"
EXAMPLE_ROSE_LOT_ID = "bb4120cd-9971-47af-ada6-155460c1026c"  # received 2026-11-28, expires 2026-12-05
EXAMPLE_NEW_ROSE_LOT_ID = "0ab21085-1263-4a9d-b39c-3c4c393586a8"  # received this morning
EXAMPLE_EUCALYPTUS_LOT_ID = "5a56046f-3298-44d7-b43a-ad372d4ec70b"
EXAMPLE_ORDER_ID = "80bd806d-cd25-4e8f-a49c-0d0ecdff5b3c"

_ITEM_ID = msgspec.Meta(examples=[EXAMPLE_ROSE_ID])
_LOT_ID = msgspec.Meta(examples=[EXAMPLE_ROSE_LOT_ID])
_AT = msgspec.Meta(examples=["2026-12-01T09:30:12.487311Z"])
Kind = Annotated[StockKind, msgspec.Meta(examples=["STEM"])]
TrackingOut = Annotated[
    Tracking, msgspec.Meta(examples=["STRICT"], description="STRICT: reserved for orders lot by lot")
]


class MoneyOut(msgspec.Struct, frozen=True):
    amount_minor: Annotated[int, msgspec.Meta(examples=[45], description="integer minor units (cents)")]
    currency: Annotated[str, msgspec.Meta(examples=["EUR"])]

    EXAMPLE: ClassVar[Mapping[str, Any]] = {"amount_minor": 45, "currency": "EUR"}

    @classmethod
    def of(cls, money: Money) -> MoneyOut:
        return cls(money.amount_minor, money.currency)


class StockLotOut(msgspec.Struct, frozen=True):
    """One delivery of an item and what is left of it."""

    id: Annotated[UUID, _LOT_ID]
    stock_item_id: Annotated[UUID, _ITEM_ID]
    quantity: Annotated[int, msgspec.Meta(examples=[100], description="as received")]
    on_hand: Annotated[int, msgspec.Meta(examples=[100])]
    reserved: Annotated[int, msgspec.Meta(examples=[0])]
    available: Annotated[int, msgspec.Meta(examples=[100])]
    unit_cost: MoneyOut
    received_on: Annotated[date, msgspec.Meta(examples=["2026-12-01"])]
    expires_on: Annotated[
        date, msgspec.Meta(examples=["2026-12-08"], description="9999-12-31 for an item that never wilts")
    ]
    created_at: Annotated[datetime | None, _AT]

    # As receiving it answers: all of it on hand, none reserved yet.
    EXAMPLE: ClassVar[Mapping[str, Any]] = {
        "id": EXAMPLE_NEW_ROSE_LOT_ID,
        "stock_item_id": EXAMPLE_ROSE_ID,
        "quantity": 100,
        "on_hand": 100,
        "reserved": 0,
        "available": 100,
        "unit_cost": MoneyOut.EXAMPLE,
        "received_on": "2026-12-01",
        "expires_on": "2026-12-08",
        "created_at": "2026-12-01T07:05:12.903455Z",
    }
    # The rose's older lot: some of it sold, wasted and counted short, ten units held for an order.
    OLDER_EXAMPLE: ClassVar[Mapping[str, Any]] = {
        "id": EXAMPLE_ROSE_LOT_ID,
        "stock_item_id": EXAMPLE_ROSE_ID,
        "quantity": 100,
        "on_hand": 40,
        "reserved": 10,
        "available": 30,
        "unit_cost": {"amount_minor": 42, "currency": "EUR"},
        "received_on": "2026-11-28",
        "expires_on": "2026-12-05",
        "created_at": "2026-11-28T07:10:48.251067Z",
    }

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
    on_hand: Annotated[int, msgspec.Meta(examples=[140])]
    reserved: Annotated[int, msgspec.Meta(examples=[10])]
    available: Annotated[int, msgspec.Meta(examples=[130])]
    created_at: Annotated[datetime | None, _AT]

    EXAMPLE: ClassVar[Mapping[str, Any]] = {
        "id": EXAMPLE_ROSE_ID,
        "name": "Red rose 'Freedom' 60 cm",
        "kind": "STEM",
        "tracking": "STRICT",
        "shelf_life_days": 7,
        "reorder_level": 50,
        "on_hand": 140,
        "reserved": 10,
        "available": 130,
        "created_at": "2026-11-20T08:12:44.118302Z",
    }
    EUCALYPTUS_EXAMPLE: ClassVar[Mapping[str, Any]] = {
        "id": EXAMPLE_EUCALYPTUS_ID,
        "name": "Eucalyptus 'Cinerea'",
        "kind": "FOLIAGE",
        "tracking": "STRICT",
        "shelf_life_days": 10,
        "reorder_level": 30,
        "on_hand": 12,
        "reserved": 4,
        "available": 8,
        "created_at": "2026-11-20T08:15:02.640981Z",
    }


class StockItemOut(msgspec.Struct, frozen=True):
    """An item, its totals (from the ledger) and the lots that still hold some of it, soonest to
    expire first."""

    id: Annotated[UUID, _ITEM_ID]
    name: Annotated[str, msgspec.Meta(examples=["Red rose 'Freedom' 60 cm"])]
    kind: Kind
    tracking: TrackingOut
    shelf_life_days: Annotated[int | None, msgspec.Meta(examples=[7])]
    reorder_level: Annotated[int, msgspec.Meta(examples=[50])]
    on_hand: Annotated[int, msgspec.Meta(examples=[140])]
    reserved: Annotated[int, msgspec.Meta(examples=[10])]
    available: Annotated[int, msgspec.Meta(examples=[130])]
    created_at: Annotated[datetime | None, _AT]
    lots: list[StockLotOut]

    EXAMPLE: ClassVar[Mapping[str, Any]] = {
        **StockItemRowOut.EXAMPLE,
        "lots": [StockLotOut.OLDER_EXAMPLE, StockLotOut.EXAMPLE],  # soonest to expire first
    }

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

    id: Annotated[UUID, msgspec.Meta(examples=["29f4723d-3a91-41c9-b0b2-e1c51b37b480"])]
    kind: Annotated[MovementKind, msgspec.Meta(examples=["WASTE"])]
    quantity: Annotated[int, msgspec.Meta(examples=[5])]
    stock_item_id: Annotated[UUID, _ITEM_ID]
    lot_id: Annotated[UUID | None, _LOT_ID]
    order_id: Annotated[UUID | None, msgspec.Meta(examples=[None])]
    reason: Annotated[str | None, msgspec.Meta(examples=["stems bent in transport"])]
    at: Annotated[datetime, _AT]

    EXAMPLE: ClassVar[Mapping[str, Any]] = {
        "id": "29f4723d-3a91-41c9-b0b2-e1c51b37b480",
        "kind": "WASTE",
        "quantity": 5,
        "stock_item_id": EXAMPLE_ROSE_ID,
        "lot_id": EXAMPLE_ROSE_LOT_ID,
        "order_id": None,
        "reason": "stems bent in transport",
        "at": "2026-12-01T09:30:12.487311Z",
    }
    # The rest of the rose's ledger, newest first (``MovementPage``).
    EARLIER_EXAMPLES: ClassVar[tuple[Mapping[str, Any], ...]] = (
        {
            "id": "60131f9d-2778-43ce-b873-3be63c9b3969",
            "kind": "RECEIPT",
            "quantity": 100,
            "stock_item_id": EXAMPLE_ROSE_ID,
            "lot_id": EXAMPLE_NEW_ROSE_LOT_ID,
            "order_id": None,
            "reason": None,
            "at": "2026-12-01T07:05:12.903455Z",
        },
        {
            "id": "f20cc884-f43e-496d-894d-a9c173cb82fd",
            "kind": "ADJUSTMENT",
            "quantity": -3,
            "stock_item_id": EXAMPLE_ROSE_ID,
            "lot_id": EXAMPLE_ROSE_LOT_ID,
            "order_id": None,
            "reason": "counted 3 short at closing",
            "at": "2026-11-30T18:02:37.014529Z",
        },
        {
            "id": "478d545e-493f-4a5d-9be2-24c6e43f9bdd",
            "kind": "RESERVE",
            "quantity": 10,
            "stock_item_id": EXAMPLE_ROSE_ID,
            "lot_id": EXAMPLE_ROSE_LOT_ID,
            "order_id": EXAMPLE_ORDER_ID,
            "reason": None,
            "at": "2026-11-30T16:40:05.772190Z",
        },
    )

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
    received_on: Annotated[date, msgspec.Meta(examples=["2026-11-28"])]
    expires_on: Annotated[date, msgspec.Meta(examples=["2026-12-05"])]
    days_left: Annotated[int, msgspec.Meta(examples=[4], description="negative once expired")]

    EXAMPLE: ClassVar[Mapping[str, Any]] = {
        "lot_id": EXAMPLE_ROSE_LOT_ID,
        "stock_item_id": EXAMPLE_ROSE_ID,
        "stock_item_name": "Red rose 'Freedom' 60 cm",
        "kind": "STEM",
        "on_hand": 40,
        "reserved": 10,
        "available": 30,
        "received_on": "2026-11-28",
        "expires_on": "2026-12-05",
        "days_left": 4,
    }
    EUCALYPTUS_EXAMPLE: ClassVar[Mapping[str, Any]] = {
        "lot_id": EXAMPLE_EUCALYPTUS_LOT_ID,
        "stock_item_id": EXAMPLE_EUCALYPTUS_ID,
        "stock_item_name": "Eucalyptus 'Cinerea'",
        "kind": "FOLIAGE",
        "on_hand": 12,
        "reserved": 4,
        "available": 8,
        "received_on": "2026-11-23",
        "expires_on": "2026-12-03",
        "days_left": 2,
    }
    NEW_ROSE_EXAMPLE: ClassVar[Mapping[str, Any]] = {
        "lot_id": EXAMPLE_NEW_ROSE_LOT_ID,
        "stock_item_id": EXAMPLE_ROSE_ID,
        "stock_item_name": "Red rose 'Freedom' 60 cm",
        "kind": "STEM",
        "on_hand": 100,
        "reserved": 0,
        "available": 100,
        "received_on": "2026-12-01",
        "expires_on": "2026-12-08",
        "days_left": 7,
    }


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

    EXAMPLE: ClassVar[Mapping[str, Any]] = {
        "id": EXAMPLE_EUCALYPTUS_ID,
        "name": "Eucalyptus 'Cinerea'",
        "kind": "FOLIAGE",
        "tracking": "STRICT",
        "reorder_level": 30,
        "on_hand": 12,
        "reserved": 4,
        "available": 8,
        "shortfall": 22,
    }

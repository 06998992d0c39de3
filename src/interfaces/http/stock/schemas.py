"""Request and response bodies of the stock calls. Inputs refuse unknown fields; the bounds here
stop oversized values before any work, ``Rule`` names the domain check a field's value must pass
(``interfaces.http.field_errors``), the use case runs the same check once the body decodes.

Examples for the OpenAPI document: request fields carry ``Meta(examples=...)``; a response body's
``EXAMPLE`` is the whole body as sent (the story of ``application.stock.views``);
``PROBLEM_EXAMPLES`` names, per operation, the refusals of its own use case that the document shows
as problem JSON, each made by the domain code that refuses it."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Annotated, Any, ClassVar
from uuid import UUID

import msgspec

from application.shared.errors import CurrencyNotTheShops, PermissionDenied, ShopNotFound
from application.stock.errors import LotNotFound, StockItemNotFound
from application.stock.reads import MAX_WITHIN_DAYS
from application.stock.views import (
    EXAMPLE_ROSE_LOT_ID,
    ExpiringLotOut,
    LowStockOut,
    MovementOut,
    StockItemRowOut,
)
from domain.shared.errors import InvalidValue
from domain.shared.money import MAX_AMOUNT_MINOR, Money
from domain.stock.item import (
    MAX_QUANTITY,
    MAX_SHELF_LIFE_DAYS,
    StockItem,
    StockKind,
    Tracking,
    check_item_name,
)
from domain.stock.ledger import Balance, MovementKind, NotEnoughStock, apply, check_adjustment, check_reason
from domain.stock.lot import StockLot
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

    name: Name | msgspec.UnsetType = msgspec.UNSET
    reorder_level: ReorderLevel | msgspec.UnsetType = msgspec.UNSET
    shelf_life_days: ShelfLife | msgspec.UnsetType | None = msgspec.UNSET  # null: it no longer wilts


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
    lot_id: Annotated[UUID, msgspec.Meta(examples=[EXAMPLE_ROSE_LOT_ID])]
    quantity: Quantity
    reason: Reason


class AdjustmentIn(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    lot_id: Annotated[UUID, msgspec.Meta(examples=[EXAMPLE_ROSE_LOT_ID])]
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

    EXAMPLE: ClassVar[Mapping[str, Any]] = {
        "items": [StockItemRowOut.EUCALYPTUS_EXAMPLE, StockItemRowOut.EXAMPLE],  # by name
        "total": 2,
        "limit": 50,
        "offset": 0,
    }


class MovementPage(msgspec.Struct, frozen=True):
    items: list[MovementOut]
    total: Annotated[int, msgspec.Meta(examples=[1])]
    limit: Annotated[int, msgspec.Meta(examples=[50])]
    offset: Annotated[int, msgspec.Meta(examples=[0])]

    EXAMPLE: ClassVar[Mapping[str, Any]] = {
        "items": [MovementOut.EXAMPLE, *MovementOut.EARLIER_EXAMPLES],  # newest first
        "total": 7,
        "limit": 4,
        "offset": 0,
    }


class ExpiringPage(msgspec.Struct, frozen=True):
    items: list[ExpiringLotOut]
    total: Annotated[int, msgspec.Meta(examples=[1])]
    limit: Annotated[int, msgspec.Meta(examples=[50])]
    offset: Annotated[int, msgspec.Meta(examples=[0])]

    EXAMPLE: ClassVar[Mapping[str, Any]] = {
        # within the default week: soonest to expire first
        "items": [ExpiringLotOut.EUCALYPTUS_EXAMPLE, ExpiringLotOut.EXAMPLE, ExpiringLotOut.NEW_ROSE_EXAMPLE],
        "total": 3,
        "limit": 50,
        "offset": 0,
    }


class LowStockPage(msgspec.Struct, frozen=True):
    items: list[LowStockOut]
    total: Annotated[int, msgspec.Meta(examples=[1])]
    limit: Annotated[int, msgspec.Meta(examples=[50])]
    offset: Annotated[int, msgspec.Meta(examples=[0])]

    EXAMPLE: ClassVar[Mapping[str, Any]] = {"items": [LowStockOut.EXAMPLE], "total": 1, "limit": 50, "offset": 0}


def _refused(check: Callable[[], object]) -> InvalidValue | NotEnoughStock:
    """What the domain refuses ``check`` with (every field together, as a command finds them)."""
    try:
        check()
    except (InvalidValue, NotEnoughStock) as refused:
        return refused
    raise ValueError("the check passed: not an example of a refusal")


def _lot_with_impossible_dates() -> None:
    """A lot received tomorrow that expired the day before (the example story's today: 2026-12-01)."""
    rose = StockItem.create(
        vendor_id=UUID(int=1), name="Red rose", kind=StockKind.STEM, tracking=Tracking.STRICT, shelf_life_days=7
    )
    StockLot.receive(
        rose,
        quantity=100,
        unit_cost=Money(45, "EUR"),
        received_on=date(2026, 12, 2),
        expires_on=date(2026, 11, 30),
        today=date(2026, 12, 1),
    )


# Refusals an operation's use case answers beyond those the request path gives every operation of
# its kind, by handler name (the OpenAPI document shows each as the problem JSON the server sends).
_MANAGERS_ONLY = PermissionDenied("This needs the MANAGER role or above.")
_NO_SUCH_SHOP = ShopNotFound()
_NOTHING_LEFT = _refused(lambda: apply(Balance(on_hand=10), MovementKind.WASTE, 11))
_NOTHING_LEFT_TO_REMOVE = _refused(lambda: apply(Balance(on_hand=10, reserved=4), MovementKind.ADJUSTMENT, -8))
_EMPTY_NAME = _refused(lambda: check_item_name(" \u200b "))
_EMPTY_REASON = _refused(lambda: check_reason("<script>x</script>"))

PROBLEM_EXAMPLES: Mapping[str, Sequence[Exception]] = {
    "get_stock_item": (StockItemNotFound(),),
    "create_stock_item": (_EMPTY_NAME, _MANAGERS_ONLY),
    "update_stock_item": (_EMPTY_NAME, _MANAGERS_ONLY, StockItemNotFound()),
    "receive_lot": (
        _refused(_lot_with_impossible_dates),
        _refused(lambda: Money.of(45, "ZZZ", "unit_cost")),
        _MANAGERS_ONLY,
        StockItemNotFound(),
        _NO_SUCH_SHOP,
        CurrencyNotTheShops("unit_cost.currency", "EUR"),
    ),
    "record_waste": (_EMPTY_REASON, _MANAGERS_ONLY, StockItemNotFound(), LotNotFound(), _NOTHING_LEFT),
    "adjust_stock": (
        _refused(lambda: check_adjustment(0)),
        _MANAGERS_ONLY,
        StockItemNotFound(),
        LotNotFound(),
        _NOTHING_LEFT_TO_REMOVE,
    ),
    "list_stock_movements": (StockItemNotFound(),),
    "list_expiring_stock": (
        InvalidValue("query.within_days", f"must be between 0 and {MAX_WITHIN_DAYS}"),
        _NO_SUCH_SHOP,
    ),
}

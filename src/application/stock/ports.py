"""The stock context's ports. Every method takes the vendor id and filters by it: another shop's
item or lot is None, exactly like a missing one.

Writes go through ``StockRepository`` inside the caller's unit of work. Quantities change only by
``record``: it appends movements to the ledger and moves the running totals of their lots and items
by the same amounts, refusing (``NotEnoughStock``) any that would leave a total negative or more
reserved than on hand. Locks are always taken lots first (in lot id order), items after, so
concurrent writers never deadlock."""

from __future__ import annotations

import enum
import zoneinfo
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol
from uuid import UUID

from application.shared.pagination import Page, PageRequest
from application.stock.views import (
    ExpiringLotOut,
    LowStockOut,
    MovementOut,
    StockItemOut,
    StockItemRowOut,
)
from domain.stock.item import StockItem, StockKind
from domain.stock.ledger import Movement
from domain.stock.lot import StockLot


@dataclass(frozen=True, slots=True)
class Shop:
    """What stock needs to know of the shop it works for."""

    currency: str
    timezone: str

    def today(self, now: datetime) -> date:
        """The shop's own date at ``now``."""
        return now.astimezone(zoneinfo.ZoneInfo(self.timezone)).date()


class Shops(Protocol):
    async def get(self, vendor_id: UUID) -> Shop | None: ...


@dataclass(frozen=True, slots=True)
class Holding:
    """Units an order holds reserved in one lot."""

    stock_item_id: UUID
    lot_id: UUID
    quantity: int


class StockRepository(Protocol):
    async def add_item(self, item: StockItem) -> None: ...

    async def get_item(self, vendor_id: UUID, item_id: UUID) -> StockItem | None: ...

    async def update_item(self, item: StockItem) -> None: ...

    async def get_items(self, vendor_id: UUID, item_ids: Collection[UUID]) -> dict[UUID, StockItem]:
        """The shop's items among ``item_ids`` (others are left out)."""
        ...

    async def add_lot(self, lot: StockLot) -> None:
        """Stores a new lot with nothing on hand: its RECEIPT movement (``record``) brings it in."""
        ...

    async def get_lot(self, vendor_id: UUID, lot_id: UUID, *, lock: bool = False) -> StockLot | None:
        """With its balance; ``lock`` holds the row until the transaction ends."""
        ...

    async def lock_fresh_lots(self, vendor_id: UUID, item_ids: Collection[UUID], on_date: date) -> list[StockLot]:
        """The lots of ``item_ids`` with stock available and fresh on ``on_date``, locked in lot id
        order until the transaction ends (what a reservation chooses from)."""
        ...

    async def lock_order_holdings(self, vendor_id: UUID, order_id: UUID) -> list[Holding]:
        """What ``order_id`` still holds reserved, per lot; the lots it ever reserved from are locked
        first (lot id order), so two releases of one order cannot both release it."""
        ...

    async def lock_order_consumption(self, vendor_id: UUID, order_id: UUID) -> list[Holding]:
        """What ``order_id`` consumed and has not written off yet, per lot, its lots locked first."""
        ...

    async def record(self, movements: Sequence[Movement]) -> None:
        """Appends the movements and moves their lots' and items' running totals by their effect,
        or raises ``NotEnoughStock`` (then the caller's transaction must be rolled back)."""
        ...


# -- reads: query services, one SQL statement each --


class StockSort(enum.StrEnum):
    NAME = "name"
    NAME_DESC = "-name"
    CREATED_AT = "created_at"
    CREATED_AT_DESC = "-created_at"
    AVAILABLE = "available"
    AVAILABLE_DESC = "-available"


@dataclass(frozen=True, slots=True)
class StockFilter:
    kind: StockKind | None = None
    q: str | None = None  # part of the name, case-insensitively
    sort: StockSort = StockSort.NAME


class StockQueries(Protocol):
    async def get(self, vendor_id: UUID, item_id: UUID) -> StockItemOut | None:
        """The item with its totals and its lots that still hold stock, soonest to expire first."""
        ...

    async def page(self, vendor_id: UUID, page: PageRequest, where: StockFilter) -> Page[StockItemRowOut]: ...

    async def movements(self, vendor_id: UUID, item_id: UUID, page: PageRequest) -> Page[MovementOut] | None:
        """The item's ledger, newest first; None when the shop has no such item."""
        ...

    async def expiring(self, vendor_id: UUID, until: date, today: date, page: PageRequest) -> Page[ExpiringLotOut]:
        """Lots with stock on hand expiring on or before ``until`` (expired ones included), soonest first."""
        ...

    async def low(self, vendor_id: UUID, page: PageRequest) -> Page[LowStockOut]:
        """Items whose available quantity is below their reorder level, the largest shortfall first."""
        ...

"""Create a stock item, and change its name, reorder level or shelf life (managers and owners)."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from application.shared.authorizer import Authorizer
from application.shared.clock import Clock
from application.shared.context import Principal
from application.shared.unit_of_work import UnitOfWork
from application.stock.errors import StockItemNotFound
from application.stock.ports import StockQueries, StockRepository
from application.stock.views import StockItemOut
from domain.shared.role import Role
from domain.stock.item import StockItem, StockKind, Tracking


@dataclass(frozen=True, slots=True)
class CreateStockItemCommand:
    name: str
    kind: StockKind
    tracking: Tracking
    shelf_life_days: int | None = None
    reorder_level: int = 0


class CreateStockItem:
    def __init__(self, items: StockRepository, authorizer: Authorizer, uow: UnitOfWork, clock: Clock) -> None:
        self._items = items
        self._authorizer = authorizer
        self._uow = uow
        self._clock = clock

    async def execute(self, principal: Principal, command: CreateStockItemCommand) -> StockItemOut:
        await self._authorizer.require(principal, Role.MANAGER, "stock.item.create")
        item = StockItem.create(
            vendor_id=principal.vendor_id,
            name=command.name,
            kind=command.kind,
            tracking=command.tracking,
            shelf_life_days=command.shelf_life_days,
            reorder_level=command.reorder_level,
            at=self._clock.now(),
        )
        await self._items.add_item(item)
        await self._uow.commit()
        return StockItemOut.new(item)


@dataclass(frozen=True, slots=True)
class UpdateStockItemCommand:
    stock_item_id: UUID
    name: str | None = None
    reorder_level: int | None = None
    shelf_life_days: int | None = None
    clear_shelf_life: bool = False  # the item no longer wilts (``shelf_life_days: null``)


class UpdateStockItem:
    """Quantities are the ledger's and never change here. Answers the item as a read shows it."""

    def __init__(self, items: StockRepository, queries: StockQueries, authorizer: Authorizer, uow: UnitOfWork) -> None:
        self._items = items
        self._queries = queries
        self._authorizer = authorizer
        self._uow = uow

    async def execute(self, principal: Principal, command: UpdateStockItemCommand) -> StockItemOut:
        await self._authorizer.require(principal, Role.MANAGER, "stock.item.update")
        item = await self._items.get_item(principal.vendor_id, command.stock_item_id)
        if item is None:
            raise StockItemNotFound()
        changed = item.changed(
            name=command.name,
            reorder_level=command.reorder_level,
            shelf_life_days=command.shelf_life_days,
            clear_shelf_life=command.clear_shelf_life,
        )
        if changed != item:
            await self._items.update_item(changed)
        # Committed (or ended, when nothing changed) before the read below, which takes a
        # connection of its own: one at a time per request, and on SQLite never waiting on our lock.
        await self._uow.commit()
        view = await self._queries.get(principal.vendor_id, item.id)
        if view is None:  # cannot happen: items are never deleted
            raise StockItemNotFound()
        return view

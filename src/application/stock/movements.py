"""Receive a lot, record waste, adjust a count: the manager's movements (managers and owners).
Each appends to the ledger and moves the running totals in one transaction."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from uuid import UUID

from application.shared.authorizer import Authorizer
from application.shared.clock import Clock
from application.shared.context import Principal
from application.shared.errors import CurrencyNotTheShops, ShopNotFound
from application.shared.unit_of_work import UnitOfWork
from application.stock.errors import LotNotFound, StockItemNotFound
from application.stock.ports import Shop, Shops, StockRepository
from application.stock.views import MovementOut, StockLotOut
from domain.shared.errors import Checks
from domain.shared.money import Money
from domain.shared.role import Role
from domain.stock.item import StockItem, check_quantity
from domain.stock.ledger import Balance, Movement, MovementKind, apply, check_adjustment, check_reason
from domain.stock.lot import StockLot


async def _shop(shops: Shops, vendor_id: UUID) -> Shop:
    shop = await shops.get(vendor_id)
    if shop is None:
        raise ShopNotFound()
    return shop


async def _item(items: StockRepository, vendor_id: UUID, item_id: UUID) -> StockItem:
    item = await items.get_item(vendor_id, item_id)
    if item is None:
        raise StockItemNotFound()
    return item


@dataclass(frozen=True, slots=True)
class ReceiveLotCommand:
    stock_item_id: UUID
    quantity: int
    unit_cost_minor: int
    currency: str
    expires_on: date | None = None  # default: received + the item's shelf life
    received_on: date | None = None  # default: the shop's today


class ReceiveLot:
    def __init__(
        self, items: StockRepository, shops: Shops, authorizer: Authorizer, uow: UnitOfWork, clock: Clock
    ) -> None:
        self._items = items
        self._shops = shops
        self._authorizer = authorizer
        self._uow = uow
        self._clock = clock

    async def execute(self, principal: Principal, command: ReceiveLotCommand) -> StockLotOut:
        await self._authorizer.require(principal, Role.MANAGER, "stock.lot.receive")
        checks = Checks()
        checks.run(check_quantity, command.quantity)
        unit_cost = checks.finish(lambda: Money.of(command.unit_cost_minor, command.currency, "unit_cost"))
        # The shop first, on a connection of its own returned before the unit of work takes one
        # (one connection at a time per request; on SQLite a read must not wait on our own write).
        shop = await _shop(self._shops, principal.vendor_id)
        item = await _item(self._items, principal.vendor_id, command.stock_item_id)
        if unit_cost.currency != shop.currency:
            raise CurrencyNotTheShops("unit_cost.currency", shop.currency)
        now = self._clock.now()
        today = shop.today(now)
        lot = StockLot.receive(
            item,
            quantity=command.quantity,
            unit_cost=unit_cost,
            received_on=command.received_on or today,
            expires_on=command.expires_on,
            today=today,
            at=now,
        )
        await self._items.add_lot(lot)
        receipt = Movement.new(
            MovementKind.RECEIPT,
            vendor_id=principal.vendor_id,
            stock_item_id=item.id,
            lot_id=lot.id,
            quantity=lot.quantity,
            at=now,
            actor_id=principal.user_id,
        )
        await self._items.record([receipt])
        await self._uow.commit()
        return StockLotOut.of(replace(lot, balance=Balance(on_hand=lot.quantity)))


@dataclass(frozen=True, slots=True)
class LotMovementCommand:
    """WASTE (``quantity`` positive) or ADJUSTMENT (``quantity`` signed) of one lot, with a reason."""

    stock_item_id: UUID
    lot_id: UUID
    quantity: int
    reason: str


class _LotMovement:
    kind: MovementKind
    action: str

    def __init__(self, items: StockRepository, authorizer: Authorizer, uow: UnitOfWork, clock: Clock) -> None:
        self._items = items
        self._authorizer = authorizer
        self._uow = uow
        self._clock = clock

    def _check_quantity(self, value: int) -> int:
        return check_quantity(value)

    async def execute(self, principal: Principal, command: LotMovementCommand) -> MovementOut:
        await self._authorizer.require(principal, Role.MANAGER, self.action)
        checks = Checks()
        quantity = checks.run(self._check_quantity, command.quantity)
        reason = checks.run(check_reason, command.reason)
        checks.raise_any()
        await _item(self._items, principal.vendor_id, command.stock_item_id)
        # Locked until commit: the check below and the totals' update see the same balance.
        lot = await self._items.get_lot(principal.vendor_id, command.lot_id, lock=True)
        if lot is None or lot.stock_item_id != command.stock_item_id:
            raise LotNotFound()
        apply(lot.balance, self.kind, quantity)  # NotEnoughStock, with the numbers, when it cannot
        movement = Movement.new(
            self.kind,
            vendor_id=principal.vendor_id,
            stock_item_id=lot.stock_item_id,
            lot_id=lot.id,
            quantity=quantity,
            reason=reason,
            at=self._clock.now(),
            actor_id=principal.user_id,
        )
        await self._items.record([movement])
        await self._uow.commit()
        return MovementOut.of(movement)


class RecordWaste(_LotMovement):
    """Units of a lot thrown away (wilted, broken): never more than the lot has unreserved."""

    kind = MovementKind.WASTE
    action = "stock.waste"


class AdjustStock(_LotMovement):
    """A count corrected: units found (positive) or missing (negative), with a reason."""

    kind = MovementKind.ADJUSTMENT
    action = "stock.adjust"

    def _check_quantity(self, value: int) -> int:
        return check_adjustment(value)

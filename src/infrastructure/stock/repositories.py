"""The stock repository: items and lots in and out as domain entities, and the ledger's one write
path, ``record``, which appends movements and moves the running totals of their lots and items in
the same transaction.

Every change of a total is one conditional UPDATE (``... WHERE on_hand + :dh >= 0 AND reserved +
:dr >= 0 AND reserved + :dr <= on_hand + :dh``): a movement that would break a balance updates no
row and is refused, whatever ran concurrently; the table checks say the same once more. Rows are
locked lots first, in lot id order, then items in item id order, so concurrent writers queue and
never deadlock. On SQLite (``dev``) ``FOR UPDATE`` is left out by the dialect and ``BEGIN
IMMEDIATE`` serialises writers instead."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from advanced_alchemy.repository import SQLAlchemyAsyncRepository
from sqlalchemy import Table, case, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from application.stock.ports import Holding
from domain.shared.money import Money
from domain.stock.item import StockItem, StockKind, Tracking
from domain.stock.ledger import Balance, Movement, MovementKind, NotEnoughStock
from domain.stock.lot import StockLot
from infrastructure.db.errors import application_errors
from infrastructure.stock.models import StockItemModel, StockLotModel, StockMovementModel

_items: Table = StockItemModel.__table__  # type: ignore[assignment]
_lots: Table = StockLotModel.__table__  # type: ignore[assignment]
_movements: Table = StockMovementModel.__table__  # type: ignore[assignment]


class _ItemRows(SQLAlchemyAsyncRepository[StockItemModel]):
    """advanced-alchemy's repository for the plain item work: flushes, never commits."""

    model_type = StockItemModel

    def __init__(self, session: AsyncSession) -> None:
        super().__init__(
            session=session, auto_commit=False, auto_expunge=False, auto_refresh=False, wrap_exceptions=False
        )


def _item(row: Any) -> StockItem:
    return StockItem(
        id=row.id,
        vendor_id=row.vendor_id,
        name=row.name,
        kind=StockKind(row.kind),
        tracking=Tracking(row.tracking),
        shelf_life_days=row.shelf_life_days,
        reorder_level=row.reorder_level,
        created_at=row.created_at,
    )


def _lot(row: Any) -> StockLot:
    return StockLot(
        id=row.id,
        vendor_id=row.vendor_id,
        stock_item_id=row.stock_item_id,
        quantity=row.quantity,
        unit_cost=Money(row.unit_cost_minor, row.currency),
        received_on=row.received_on,
        expires_on=row.expires_on,
        balance=Balance(row.on_hand, row.reserved),
        created_at=row.created_at,
    )


def _moves(table: Table, vendor_id: UUID, key: UUID, delta: Balance, now: datetime) -> Any:
    """The conditional UPDATE that moves one row's totals by ``delta`` only if they stay valid."""
    on_hand = table.c.on_hand + delta.on_hand
    reserved = table.c.reserved + delta.reserved
    return (
        update(table)
        .where(table.c.vendor_id == vendor_id, table.c.id == key, on_hand >= 0, reserved >= 0, reserved <= on_hand)
        .values(on_hand=on_hand, reserved=reserved, updated_at=now)
    )


_SETTLING = (MovementKind.RELEASE, MovementKind.CONSUME)
# What an order holds reserved: its RESERVEs less its RELEASEs and CONSUMEs.
_HELD = case(
    (_movements.c.kind == MovementKind.RESERVE.value, _movements.c.quantity),
    else_=-_movements.c.quantity,
)
# What an order consumed and has not written off: its CONSUMEs less its WASTEs.
_CONSUMED = case(
    (_movements.c.kind == MovementKind.CONSUME.value, _movements.c.quantity),
    else_=-_movements.c.quantity,
)


class SqlStockRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._rows = _ItemRows(session)

    async def add_item(self, item: StockItem) -> None:
        row = StockItemModel(
            id=item.id,
            vendor_id=item.vendor_id,
            name=item.name,
            kind=item.kind.value,
            tracking=item.tracking.value,
            shelf_life_days=item.shelf_life_days,
            reorder_level=item.reorder_level,
            on_hand=0,
            reserved=0,
        )
        if item.created_at is not None:
            row.created_at = item.created_at
        with application_errors():
            await self._rows.add(row)

    async def get_item(self, vendor_id: UUID, item_id: UUID) -> StockItem | None:
        statement = select(_items).where(_items.c.vendor_id == vendor_id, _items.c.id == item_id)
        with application_errors():
            row = (await self._session.execute(statement)).first()
        return _item(row) if row is not None else None

    async def get_items(self, vendor_id: UUID, item_ids: Collection[UUID]) -> dict[UUID, StockItem]:
        statement = select(_items).where(_items.c.vendor_id == vendor_id, _items.c.id.in_(list(item_ids)))
        with application_errors():
            rows = (await self._session.execute(statement)).all()
        return {row.id: _item(row) for row in rows}

    async def update_item(self, item: StockItem) -> None:
        statement = (
            update(_items)
            .where(_items.c.vendor_id == item.vendor_id, _items.c.id == item.id)
            .values(
                name=item.name,
                reorder_level=item.reorder_level,
                shelf_life_days=item.shelf_life_days,
                updated_at=datetime.now(UTC),
            )
        )
        with application_errors():
            await self._session.execute(statement)

    async def add_lot(self, lot: StockLot) -> None:
        values: dict[str, Any] = {
            "id": lot.id,
            "vendor_id": lot.vendor_id,
            "stock_item_id": lot.stock_item_id,
            "quantity": lot.quantity,
            "on_hand": 0,
            "reserved": 0,
            "unit_cost_minor": lot.unit_cost.amount_minor,
            "currency": lot.unit_cost.currency,
            "received_on": lot.received_on,
            "expires_on": lot.expires_on,
        }
        if lot.created_at is not None:
            values["created_at"] = values["updated_at"] = lot.created_at
        with application_errors():
            await self._session.execute(insert(_lots).values(**values))

    async def get_lot(self, vendor_id: UUID, lot_id: UUID, *, lock: bool = False) -> StockLot | None:
        statement = select(_lots).where(_lots.c.vendor_id == vendor_id, _lots.c.id == lot_id)
        if lock:
            statement = statement.with_for_update()
        with application_errors():
            row = (await self._session.execute(statement)).first()
        return _lot(row) if row is not None else None

    async def lock_fresh_lots(self, vendor_id: UUID, item_ids: Collection[UUID], on_date: date) -> list[StockLot]:
        statement = (
            select(_lots)
            .where(
                _lots.c.vendor_id == vendor_id,
                _lots.c.stock_item_id.in_(sorted(item_ids)),
                _lots.c.expires_on >= on_date,
                _lots.c.on_hand > _lots.c.reserved,
            )
            .order_by(_lots.c.id)
            .with_for_update()
        )
        with application_errors():
            rows = (await self._session.execute(statement)).all()
        return [_lot(row) for row in rows]

    async def lock_order_holdings(self, vendor_id: UUID, order_id: UUID) -> list[Holding]:
        return await self._order_sums(vendor_id, order_id, _HELD, (MovementKind.RESERVE, *_SETTLING))

    async def lock_order_consumption(self, vendor_id: UUID, order_id: UUID) -> list[Holding]:
        return await self._order_sums(vendor_id, order_id, _CONSUMED, (MovementKind.CONSUME, MovementKind.WASTE))

    async def _order_sums(
        self, vendor_id: UUID, order_id: UUID, signed: Any, kinds: tuple[MovementKind, ...]
    ) -> list[Holding]:
        """Per lot, the sum of ``signed`` over the order's movements of ``kinds`` (positive ones),
        the lots the order ever touched locked first, in lot id order."""
        of_order = (_movements.c.vendor_id == vendor_id, _movements.c.order_id == order_id)
        lock = (
            select(_lots.c.id)
            .where(_lots.c.vendor_id == vendor_id, _lots.c.id.in_(select(_movements.c.lot_id).where(*of_order)))
            .order_by(_lots.c.id)
            .with_for_update()
        )
        # Read after the locks are held: under READ COMMITTED this statement sees whatever a
        # concurrent settlement of the same order committed while this one waited.
        sums = (
            select(_movements.c.stock_item_id, _movements.c.lot_id, func.sum(signed).label("units"))
            .where(*of_order, _movements.c.kind.in_([kind.value for kind in kinds]))
            .group_by(_movements.c.stock_item_id, _movements.c.lot_id)
            .order_by(_movements.c.lot_id)
        )
        with application_errors():
            await self._session.execute(lock)
            rows = (await self._session.execute(sums)).all()
        return [Holding(row.stock_item_id, row.lot_id, int(row.units)) for row in rows if row.units > 0]

    async def record(self, movements: Sequence[Movement]) -> None:
        if not movements:
            return
        now = datetime.now(UTC)
        vendor_id = movements[0].vendor_id
        if any(movement.vendor_id != vendor_id for movement in movements):
            raise ValueError("one shop's movements at a time")
        by_lot: dict[UUID, Balance] = {}
        by_item: dict[UUID, Balance] = {}
        for movement in movements:
            by_lot[movement.lot_id] = by_lot.get(movement.lot_id, Balance()) + movement.effect
            by_item[movement.stock_item_id] = by_item.get(movement.stock_item_id, Balance()) + movement.effect
        with application_errors():
            for table, deltas in ((_lots, by_lot), (_items, by_item)):
                for key in sorted(deltas):
                    result = await self._session.execute(_moves(table, vendor_id, key, deltas[key], now))
                    if result.rowcount != 1:  # type: ignore[attr-defined]
                        raise NotEnoughStock("Not enough stock for this movement; nothing was recorded.")
            await self._session.execute(
                insert(_movements),
                [
                    {
                        "id": movement.id,
                        "vendor_id": movement.vendor_id,
                        "stock_item_id": movement.stock_item_id,
                        "lot_id": movement.lot_id,
                        "kind": movement.kind.value,
                        "quantity": movement.quantity,
                        "order_id": movement.order_id,
                        "reason": movement.reason,
                        "actor_id": movement.actor_id,
                        "at": movement.at,
                    }
                    for movement in movements
                ],
            )

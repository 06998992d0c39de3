"""Reservations for orders: what the orders context calls while it places, cancels and fulfils
an order. Not a use case of its own: it runs inside the caller's unit of work (the order and its
reservation commit or roll back together), never commits, and checks no role (the calling use
case has). Under ``flower-vendor demo seed`` or a script, wrap a call in a unit of work and commit.

- ``reserve``: for each line, units of the item from its lots still fresh on the delivery date,
  first expired first out, all or nothing: when any item is short, ``InsufficientStock`` names
  every short item and nothing is reserved. Items tracked NONE are not reserved (only counted).
  Concurrent reservations never oversell: the candidate lots are locked (lot id order) before
  they are chosen from, and the database refuses a total that would go negative.
- ``release``: everything the order still holds goes back to available (cancelling before READY).
- ``consume``: everything the order still holds leaves the shop (READY); a second call finds
  nothing held and records nothing, so it happens once.
- ``write_off``: what the order consumed is recorded as WASTE naming the order (cancelled from
  READY on), without lowering ``on_hand`` a second time; once, like ``consume``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from application.shared.clock import Clock
from application.stock.errors import InsufficientStock
from application.stock.ports import Holding, StockRepository
from domain.shared.errors import Checks, InvalidValue
from domain.stock.fefo import Shortage, Take, allocate
from domain.stock.item import Tracking, check_quantity
from domain.stock.ledger import Movement, MovementKind, check_reason


@dataclass(frozen=True, slots=True)
class ReservationLine:
    stock_item_id: UUID
    quantity: int


class StockReservations:
    def __init__(self, items: StockRepository, clock: Clock) -> None:
        self._items = items
        self._clock = clock

    async def reserve(
        self,
        vendor_id: UUID,
        order_id: UUID,
        lines: Iterable[ReservationLine],
        on_date: date,
        *,
        actor_id: UUID | None = None,
    ) -> list[Take]:
        """The lots and units reserved for ``order_id`` (lines of one item are added together)."""
        wanted: dict[UUID, int] = {}
        checks = Checks()
        for index, line in enumerate(lines):
            try:
                check_quantity(line.quantity, f"lines[{index}].quantity")
            except InvalidValue as problem:
                checks.add(problem)
            wanted[line.stock_item_id] = wanted.get(line.stock_item_id, 0) + line.quantity
        checks.raise_any()
        if not wanted:
            return []
        known = await self._items.get_items(vendor_id, wanted.keys())
        missing = [Shortage(item_id, quantity, 0) for item_id, quantity in wanted.items() if item_id not in known]
        strict = {
            item_id: quantity
            for item_id, quantity in wanted.items()
            if item_id in known and known[item_id].tracking is Tracking.STRICT
        }
        lots = await self._items.lock_fresh_lots(vendor_id, strict.keys(), on_date) if strict else []
        takes, shortages = allocate(lots, strict, on_date)
        if shortages or missing:
            raise InsufficientStock(sorted([*missing, *shortages], key=lambda short: short.stock_item_id))
        await self._items.record(self._movements(MovementKind.RESERVE, vendor_id, order_id, takes, actor_id))
        return takes

    async def release(self, vendor_id: UUID, order_id: UUID, *, actor_id: UUID | None = None) -> list[Holding]:
        """What was released (nothing when the order held nothing)."""
        return await self._settle(MovementKind.RELEASE, vendor_id, order_id, actor_id)

    async def consume(self, vendor_id: UUID, order_id: UUID, *, actor_id: UUID | None = None) -> list[Holding]:
        """What was consumed (nothing when the order held nothing, e.g. consumed already)."""
        return await self._settle(MovementKind.CONSUME, vendor_id, order_id, actor_id)

    async def write_off(
        self, vendor_id: UUID, order_id: UUID, reason: str, *, actor_id: UUID | None = None
    ) -> list[Holding]:
        """What was written off (nothing when the order consumed nothing, or it was written off)."""
        reason = check_reason(reason)
        consumed = await self._items.lock_order_consumption(vendor_id, order_id)
        takes = [Take(holding.stock_item_id, holding.lot_id, holding.quantity) for holding in consumed]
        if takes:
            movements = self._movements(MovementKind.WASTE, vendor_id, order_id, takes, actor_id, reason=reason)
            await self._items.record(movements)
        return consumed

    async def _settle(
        self, kind: MovementKind, vendor_id: UUID, order_id: UUID, actor_id: UUID | None
    ) -> list[Holding]:
        held = await self._items.lock_order_holdings(vendor_id, order_id)
        takes = [Take(holding.stock_item_id, holding.lot_id, holding.quantity) for holding in held]
        if takes:
            await self._items.record(self._movements(kind, vendor_id, order_id, takes, actor_id))
        return held

    def _movements(
        self,
        kind: MovementKind,
        vendor_id: UUID,
        order_id: UUID,
        takes: Sequence[Take],
        actor_id: UUID | None,
        *,
        reason: str | None = None,
    ) -> list[Movement]:
        at = self._clock.now()
        return [
            Movement.new(
                kind,
                vendor_id=vendor_id,
                stock_item_id=take.stock_item_id,
                lot_id=take.lot_id,
                quantity=take.quantity,
                order_id=order_id,
                at=at,
                actor_id=actor_id,
                reason=reason,
            )
            for take in takes
        ]

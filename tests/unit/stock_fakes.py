"""In-memory fakes of the stock context's ports, taking part in ``FakeUnitOfWork`` like the
accounts fakes: a rollback restores what the last commit saw."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from application.shared.audit import SecurityRecorder
from application.shared.authorizer import Authorizer
from application.shared.context import Principal, RequestMeta
from application.stock.items import CreateStockItem
from application.stock.movements import AdjustStock, ReceiveLot, RecordWaste
from application.stock.ports import Holding, Shop
from application.stock.reservations import StockReservations
from domain.shared.role import Role
from domain.stock.item import StockItem
from domain.stock.ledger import Movement, apply, consumed_by_order, held_by_order
from domain.stock.lot import StockLot
from tests.fakes import FakeClock, FakeSecurityEventLog, FakeUnitOfWork


class FakeStockRepository:
    def __init__(self) -> None:
        self.items: dict[uuid.UUID, StockItem] = {}
        self.lots: dict[uuid.UUID, StockLot] = {}
        self.ledger: list[Movement] = []
        self._committed: tuple[dict[uuid.UUID, StockItem], dict[uuid.UUID, StockLot], list[Movement]] = ({}, {}, [])

    def _checkpoint(self) -> None:
        self._committed = (dict(self.items), dict(self.lots), list(self.ledger))

    def _restore(self) -> None:
        self.items, self.lots, self.ledger = (
            dict(self._committed[0]),
            dict(self._committed[1]),
            list(self._committed[2]),
        )

    async def add_item(self, item: StockItem) -> None:
        self.items[item.id] = item

    async def get_item(self, vendor_id: uuid.UUID, item_id: uuid.UUID) -> StockItem | None:
        item = self.items.get(item_id)
        return item if item is not None and item.vendor_id == vendor_id else None

    async def update_item(self, item: StockItem) -> None:
        self.items[item.id] = item

    async def get_items(self, vendor_id: uuid.UUID, item_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, StockItem]:
        return {i: self.items[i] for i in item_ids if i in self.items and self.items[i].vendor_id == vendor_id}

    async def add_lot(self, lot: StockLot) -> None:
        self.lots[lot.id] = lot

    async def get_lot(self, vendor_id: uuid.UUID, lot_id: uuid.UUID, *, lock: bool = False) -> StockLot | None:
        lot = self.lots.get(lot_id)
        return lot if lot is not None and lot.vendor_id == vendor_id else None

    async def lock_fresh_lots(
        self, vendor_id: uuid.UUID, item_ids: Collection[uuid.UUID], on_date: date
    ) -> list[StockLot]:
        return sorted(
            (
                lot
                for lot in self.lots.values()
                if lot.vendor_id == vendor_id
                and lot.stock_item_id in item_ids
                and lot.expires_on >= on_date
                and lot.available > 0
            ),
            key=lambda lot: lot.id,
        )

    async def lock_order_holdings(self, vendor_id: uuid.UUID, order_id: uuid.UUID) -> list[Holding]:
        mine = [m for m in self.ledger if m.vendor_id == vendor_id]
        return [
            Holding(self.lots[lot_id].stock_item_id, lot_id, quantity)
            for lot_id, quantity in sorted(held_by_order(mine, order_id).items())
        ]

    async def lock_order_consumption(self, vendor_id: uuid.UUID, order_id: uuid.UUID) -> list[Holding]:
        mine = [m for m in self.ledger if m.vendor_id == vendor_id]
        return [
            Holding(self.lots[lot_id].stock_item_id, lot_id, quantity)
            for lot_id, quantity in sorted(consumed_by_order(mine, order_id).items())
        ]

    async def record(self, movements: Sequence[Movement]) -> None:
        lots = dict(self.lots)
        for movement in movements:  # all or nothing, like the conditional UPDATEs in one transaction
            lot = lots[movement.lot_id]
            lots[lot.id] = replace(
                lot,
                balance=apply(lot.balance, movement.kind, movement.quantity, of_order=movement.order_id is not None),
            )
        self.lots = lots
        self.ledger.extend(movements)


@dataclass
class FakeShops:
    shops: dict[uuid.UUID, Shop] = field(default_factory=dict)

    async def get(self, vendor_id: uuid.UUID) -> Shop | None:
        return self.shops.get(vendor_id)


@dataclass
class StockWorld:
    clock: FakeClock = field(default_factory=FakeClock)
    uow: FakeUnitOfWork = field(default_factory=FakeUnitOfWork)
    repo: FakeStockRepository = field(default_factory=FakeStockRepository)
    events: FakeSecurityEventLog = field(default_factory=FakeSecurityEventLog)
    shops: FakeShops = field(default_factory=FakeShops)

    def __post_init__(self) -> None:
        self.uow.enlist(self.repo)
        self.uow.enlist(self.events)
        recorder = SecurityRecorder(self.events, self.clock, RequestMeta(client_ip="203.0.113.7", request_id="r1"))
        self.authorizer = Authorizer(recorder, self.uow)
        self.create_item = CreateStockItem(self.repo, self.authorizer, self.uow, self.clock)
        self.receive = ReceiveLot(self.repo, self.shops, self.authorizer, self.uow, self.clock)
        self.waste = RecordWaste(self.repo, self.authorizer, self.uow, self.clock)
        self.adjust = AdjustStock(self.repo, self.authorizer, self.uow, self.clock)
        self.reservations = StockReservations(self.repo, self.clock)

    def shop(self, role: Role = Role.MANAGER, timezone: str = "Europe/Amsterdam") -> Principal:
        vendor_id = uuid.uuid4()
        self.shops.shops[vendor_id] = Shop(currency="EUR", timezone=timezone)
        return Principal(user_id=uuid.uuid4(), vendor_id=vendor_id, role=role, session_id=uuid.uuid4())

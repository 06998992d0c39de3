"""The stock use cases and reservations over in-memory fakes (``tests/unit/stock_fakes.py``)."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from application.shared.context import Principal
from application.shared.errors import CurrencyNotTheShops, PermissionDenied
from application.shared.security_events import SecurityEventKind
from application.stock.errors import InsufficientStock, LotNotFound, StockItemNotFound
from application.stock.items import CreateStockItemCommand
from application.stock.movements import LotMovementCommand, ReceiveLotCommand
from application.stock.reservations import ReservationLine
from application.stock.views import StockItemOut
from domain.shared.errors import InvalidValues
from domain.shared.role import Role
from domain.stock.item import StockKind, Tracking
from domain.stock.ledger import Balance, MovementKind, NotEnoughStock, totals
from tests.unit.stock_fakes import StockWorld


@pytest.fixture
def world() -> StockWorld:
    world = StockWorld()
    world.clock.set(datetime(2026, 12, 1, 9, 30, tzinfo=UTC))  # 1 December in Amsterdam too
    return world


async def _item(
    world: StockWorld, principal: Principal, tracking: Tracking = Tracking.STRICT, name: str = "Rose"
) -> StockItemOut:
    return await world.create_item.execute(
        principal, CreateStockItemCommand(name=name, kind=StockKind.STEM, tracking=tracking, shelf_life_days=5)
    )


async def _lot(
    world: StockWorld, principal: Principal, item_id: uuid.UUID, quantity: int, expires_on: date | None = None
) -> uuid.UUID:
    lot = await world.receive.execute(
        principal,
        ReceiveLotCommand(
            stock_item_id=item_id, quantity=quantity, unit_cost_minor=30, currency="EUR", expires_on=expires_on
        ),
    )
    return lot.id


async def test_only_managers_and_owners_write_and_a_refusal_is_recorded(world: StockWorld) -> None:
    manager = world.shop(Role.MANAGER)
    item = await _item(world, manager)
    for role in (Role.STAFF, Role.DRIVER):
        reader = replace(manager, role=role, user_id=uuid.uuid4())
        with pytest.raises(PermissionDenied):
            await _item(world, reader)
        with pytest.raises(PermissionDenied):
            await _lot(world, reader, item.id, 5)
    assert list(world.repo.items) == [item.id]
    assert world.repo.ledger == []
    denials = [e for e in world.events.events if e.kind is SecurityEventKind.PERMISSION_DENIED]
    assert [e.detail["action"] for e in denials] == ["stock.item.create", "stock.lot.receive"] * 2
    owner = replace(manager, role=Role.OWNER)
    assert (await _item(world, owner, name="Tulip")).name == "Tulip"


async def test_a_lot_is_received_in_the_shops_currency_on_the_shops_date(world: StockWorld) -> None:
    # 23:30 UTC is already tomorrow in Amsterdam: the lot is received on the shop's date.
    world.clock.set(datetime(2026, 12, 1, 23, 30, tzinfo=UTC))
    manager = world.shop()
    item = await _item(world, manager)
    lot = await world.receive.execute(
        manager, ReceiveLotCommand(stock_item_id=item.id, quantity=12, unit_cost_minor=30, currency="EUR")
    )
    assert (lot.received_on, lot.expires_on) == (date(2026, 12, 2), date(2026, 12, 7))
    assert (lot.on_hand, lot.available) == (12, 12)
    with pytest.raises(CurrencyNotTheShops) as refused:
        await world.receive.execute(
            manager, ReceiveLotCommand(stock_item_id=item.id, quantity=1, unit_cost_minor=30, currency="USD")
        )
    assert refused.value.field == "unit_cost.currency"
    with pytest.raises(InvalidValues) as invalid:
        await world.receive.execute(
            manager, ReceiveLotCommand(stock_item_id=item.id, quantity=0, unit_cost_minor=-1, currency="EUR")
        )
    assert {p.field for p in invalid.value.problems} == {"quantity", "unit_cost.amount_minor"}
    other = world.shop()
    with pytest.raises(StockItemNotFound):  # another shop's item
        await world.receive.execute(
            other, ReceiveLotCommand(stock_item_id=item.id, quantity=1, unit_cost_minor=1, currency="EUR")
        )
    assert [m.kind for m in world.repo.ledger] == [MovementKind.RECEIPT]


async def test_waste_and_adjustments_are_checked_against_the_lot(world: StockWorld) -> None:
    manager = world.shop()
    rose = await _item(world, manager)
    fern = await _item(world, manager, name="Fern")
    lot = await _lot(world, manager, rose.id, 10)
    await world.reservations.reserve(manager.vendor_id, uuid.uuid4(), [ReservationLine(rose.id, 4)], date(2026, 12, 1))
    await world.uow.commit()
    with pytest.raises(NotEnoughStock, match="only 6 of this lot's 10 are not reserved"):
        await world.waste.execute(manager, LotMovementCommand(rose.id, lot, 7, "wilted"))
    with pytest.raises(LotNotFound):
        await world.waste.execute(manager, LotMovementCommand(fern.id, lot, 1, "wilted"))
    wasted = await world.waste.execute(manager, LotMovementCommand(rose.id, lot, 6, "wilted &amp; <b>brown</b>"))
    assert wasted.reason == "wilted & brown"
    with pytest.raises(NotEnoughStock):
        await world.adjust.execute(manager, LotMovementCommand(rose.id, lot, -1, "lost one"))
    found = await world.adjust.execute(manager, LotMovementCommand(rose.id, lot, 2, "found two"))
    assert found.quantity == 2
    assert world.repo.lots[lot].balance == Balance(6, 4)
    assert totals(world.repo.ledger)[lot] == world.repo.lots[lot].balance


async def test_reservations_are_fefo_all_or_nothing_and_settled_once(world: StockWorld) -> None:
    manager = world.shop()
    rose = await _item(world, manager)
    fern = await _item(world, manager, name="Fern")
    ribbon = await _item(world, manager, tracking=Tracking.NONE, name="Ribbon")
    today = date(2026, 12, 1)  # the clock's date in Amsterdam
    late = await _lot(world, manager, rose.id, 10, today + timedelta(days=5))
    wilting = await _lot(world, manager, rose.id, 10, today)
    early = await _lot(world, manager, rose.id, 3, today + timedelta(days=2))
    await _lot(world, manager, fern.id, 2)
    order = uuid.uuid4()
    stranger_item = uuid.uuid4()
    with pytest.raises(InsufficientStock) as refused:
        await world.reservations.reserve(
            manager.vendor_id,
            order,
            [ReservationLine(rose.id, 5), ReservationLine(fern.id, 3), ReservationLine(stranger_item, 1)],
            today + timedelta(days=1),
        )
    assert {(s.stock_item_id, s.wanted, s.available) for s in refused.value.shortages} == {
        (fern.id, 3, 2),
        (stranger_item, 1, 0),
    }
    assert all(m.kind is MovementKind.RECEIPT for m in world.repo.ledger)  # nothing reserved

    takes = await world.reservations.reserve(
        manager.vendor_id,
        order,
        [ReservationLine(rose.id, 3), ReservationLine(rose.id, 2), ReservationLine(ribbon.id, 50)],
        today + timedelta(days=1),
    )
    assert [(t.lot_id, t.quantity) for t in takes] == [(early, 3), (late, 2)]  # the wilting lot is skipped
    assert world.repo.lots[wilting].reserved == 0
    assert await world.reservations.release(manager.vendor_id, uuid.uuid4()) == []  # another order holds nothing
    consumed = await world.reservations.consume(manager.vendor_id, order)
    assert sorted(h.quantity for h in consumed) == [2, 3]
    assert await world.reservations.consume(manager.vendor_id, order) == []  # once
    assert await world.reservations.release(manager.vendor_id, order) == []
    assert (world.repo.lots[early].balance, world.repo.lots[late].balance) == (Balance(0, 0), Balance(8, 0))
    # Cancelled after it was made up: the consumed stems are recorded as waste of the order,
    # without lowering on_hand a second time, and only once.
    written_off = await world.reservations.write_off(manager.vendor_id, order, "cancelled <b>after</b> design")
    assert sorted(h.quantity for h in written_off) == [2, 3]
    assert await world.reservations.write_off(manager.vendor_id, order, "again") == []
    waste = [m for m in world.repo.ledger if m.kind is MovementKind.WASTE]
    assert {(m.order_id, m.reason) for m in waste} == {(order, "cancelled after design")}
    assert (world.repo.lots[early].balance, world.repo.lots[late].balance) == (Balance(0, 0), Balance(8, 0))
    assert totals(world.repo.ledger) == {lot_id: lot.balance for lot_id, lot in world.repo.lots.items()}


async def test_reservation_lines_are_checked(world: StockWorld) -> None:
    manager = world.shop()
    rose = await _item(world, manager)
    with pytest.raises(InvalidValues) as refused:
        await world.reservations.reserve(
            manager.vendor_id,
            uuid.uuid4(),
            [ReservationLine(rose.id, 0), ReservationLine(rose.id, -2)],
            date(2026, 12, 1),
        )
    assert [p.field for p in refused.value.problems] == ["lines[0].quantity", "lines[1].quantity"]
    assert await world.reservations.reserve(manager.vendor_id, uuid.uuid4(), [], date(2026, 12, 1)) == []

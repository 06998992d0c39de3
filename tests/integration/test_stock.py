"""The stock context against real PostgreSQL: the repository's ledger and running totals, the
query services (one statement each, tenant-filtered), and reservations under concurrency.

``ledger_matches_totals`` recomputes every lot's and item's balance from the stored movements with
the domain's own arithmetic (``domain.stock.ledger.balances``) and compares it with the running
totals the repository keeps: the property every write must preserve."""

from __future__ import annotations

import asyncio
import random
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from dishka import AsyncContainer
from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncEngine

from application.accounts.signup import SignUp, SignUpCommand
from application.shared.clock import Clock
from application.shared.context import Principal
from application.shared.errors import Conflict
from application.shared.pagination import PageRequest
from application.shared.unit_of_work import UnitOfWork
from application.stock.errors import InsufficientStock, StockItemNotFound
from application.stock.items import CreateStockItem, CreateStockItemCommand
from application.stock.movements import LotMovementCommand, ReceiveLot, ReceiveLotCommand, RecordWaste
from application.stock.ports import StockFilter, StockQueries
from application.stock.reads import ExpiringStock, GetStockItem, ListMovements
from application.stock.reservations import ReservationLine, StockReservations
from application.stock.views import StockItemOut
from domain.shared.role import Role
from domain.stock.item import StockKind, Tracking
from domain.stock.ledger import Balance, Movement, MovementKind, NotEnoughStock, totals
from infrastructure.config import load_settings
from infrastructure.db import migrations
from infrastructure.di.container import make_container
from infrastructure.stock.models import StockItemModel, StockLotModel, StockMovementModel
from tests.integration.test_query_services import Statements

PASSWORD = "peonies and lilacs"


@pytest.fixture(params=["postgresql", "sqlite"])
def environ(request: pytest.FixtureRequest, service_environ: dict[str, str], tmp_path: Path) -> dict[str, str]:
    """The run's PostgreSQL, or a migrated SQLite file like the one `flower-vendor dev` uses (where
    BEGIN IMMEDIATE serialises writers instead of row locks)."""
    if request.param == "postgresql":
        return service_environ
    url = f"sqlite+aiosqlite:///{tmp_path}/stock.db"
    migrations.upgrade(migrations.alembic_config(url))
    return {**service_environ, "ENVIRONMENT": "development", "DATABASE_URL": url}


@pytest.fixture
async def container(environ: dict[str, str]) -> AsyncIterator[AsyncContainer]:
    container = make_container(load_settings(environ))
    yield container
    await container.close()


async def _owner(container: AsyncContainer) -> Principal:
    slug = f"stock-{uuid.uuid4().hex[:10]}"
    async with container() as scope:
        result = await (await scope.get(SignUp)).execute(
            SignUpCommand(
                vendor_name="Stock Shop",
                vendor_slug=slug,
                timezone="Europe/Amsterdam",
                currency="EUR",
                country="NL",
                email=f"owner@{slug}.example",
                password=PASSWORD,
                full_name="Rosa Owner",
            )
        )
    return Principal(user_id=result.user.id, vendor_id=result.vendor.id, role=Role.OWNER, session_id=uuid.uuid4())


async def _item(
    container: AsyncContainer, owner: Principal, name: str = "Red rose", tracking: Tracking = Tracking.STRICT
) -> StockItemOut:
    async with container() as scope:
        return await (await scope.get(CreateStockItem)).execute(
            owner,
            CreateStockItemCommand(
                name=name, kind=StockKind.STEM, tracking=tracking, shelf_life_days=7, reorder_level=5
            ),
        )


async def _receive(
    container: AsyncContainer, owner: Principal, item_id: uuid.UUID, quantity: int, expires_in: int, cost: int = 40
) -> uuid.UUID:
    today = await _today(container)
    async with container() as scope:
        lot = await (await scope.get(ReceiveLot)).execute(
            owner,
            ReceiveLotCommand(
                stock_item_id=item_id,
                quantity=quantity,
                unit_cost_minor=cost,
                currency="EUR",
                expires_on=today + timedelta(days=expires_in),
            ),
        )
    return lot.id


async def _today(container: AsyncContainer) -> date:
    clock: Clock = await container.get(Clock)
    return clock.now().astimezone(ZoneInfo("Europe/Amsterdam")).date()


async def _reserve(
    container: AsyncContainer, vendor_id: uuid.UUID, order_id: uuid.UUID, lines: list[ReservationLine], on: date
) -> None:
    async with container() as scope:
        await (await scope.get(StockReservations)).reserve(vendor_id, order_id, lines, on)
        await (await scope.get(UnitOfWork)).commit()


async def _settle(container: AsyncContainer, vendor_id: uuid.UUID, order_id: uuid.UUID, consume: bool) -> None:
    async with container() as scope:
        reservations = await scope.get(StockReservations)
        if consume:
            await reservations.consume(vendor_id, order_id)
        else:
            await reservations.release(vendor_id, order_id)
        await (await scope.get(UnitOfWork)).commit()


async def ledger_matches_totals(container: AsyncContainer, vendor_id: uuid.UUID) -> dict[uuid.UUID, Balance]:
    """Asserts the stored running totals equal the ledger's balances; returns the items' balances."""
    engine = await container.get(AsyncEngine)
    movements_t = StockMovementModel.__table__
    lots_t = StockLotModel.__table__
    items_t = StockItemModel.__table__
    async with engine.connect() as connection:
        rows = (
            await connection.execute(
                select(movements_t).where(movements_t.c.vendor_id == vendor_id).order_by(movements_t.c.id)
            )
        ).all()
        lots = (await connection.execute(select(lots_t).where(lots_t.c.vendor_id == vendor_id))).all()
        items = (await connection.execute(select(items_t).where(items_t.c.vendor_id == vendor_id))).all()
    ledger = [
        Movement(
            id=row.id,
            vendor_id=row.vendor_id,
            stock_item_id=row.stock_item_id,
            lot_id=row.lot_id,
            kind=MovementKind(row.kind),
            quantity=row.quantity,
            at=row.at,
            order_id=row.order_id,
            reason=row.reason,
        )
        for row in rows
    ]
    by_lot = totals(ledger)
    assert all(balance.valid for balance in by_lot.values())
    assert {lot.id: Balance(lot.on_hand, lot.reserved) for lot in lots} == {
        lot.id: by_lot.get(lot.id, Balance()) for lot in lots
    }
    by_item = totals(ledger, by_item=True)
    assert {item.id: Balance(item.on_hand, item.reserved) for item in items} == {
        item.id: by_item.get(item.id, Balance()) for item in items
    }
    return by_item


async def test_receipts_waste_and_reads(container: AsyncContainer) -> None:
    owner = await _owner(container)
    other = await _owner(container)
    rose = await _item(container, owner)
    soon = await _receive(container, owner, rose.id, 20, expires_in=1, cost=40)
    later = await _receive(container, owner, rose.id, 30, expires_in=6, cost=50)
    async with container() as scope:
        waste = await (await scope.get(RecordWaste)).execute(
            owner, LotMovementCommand(stock_item_id=rose.id, lot_id=soon, quantity=5, reason="<b>bent</b> stems")
        )
    assert (waste.kind, waste.quantity, waste.reason) == (MovementKind.WASTE, 5, "bent stems")

    with pytest.raises(NotEnoughStock):  # more than the lot has: refused, nothing recorded
        async with container() as scope:
            await (await scope.get(RecordWaste)).execute(
                owner, LotMovementCommand(stock_item_id=rose.id, lot_id=soon, quantity=16, reason="gone")
            )

    item = await (await container.get(GetStockItem)).execute(owner, rose.id)
    assert (item.on_hand, item.reserved, item.available) == (45, 0, 45)
    assert [(lot.id, lot.on_hand) for lot in item.lots] == [(soon, 15), (later, 30)]  # soonest to expire first
    assert item.lots[0].unit_cost.amount_minor == 40

    with pytest.raises(StockItemNotFound):  # another shop's item is nobody's
        await (await container.get(GetStockItem)).execute(other, rose.id)
    with pytest.raises(StockItemNotFound):
        await (await container.get(ListMovements)).execute(other, rose.id, PageRequest())

    ledger = await (await container.get(ListMovements)).execute(owner, rose.id, PageRequest(limit=2))
    assert ledger.total == 3
    assert [m.kind for m in ledger.items] == [MovementKind.WASTE, MovementKind.RECEIPT]
    past_the_end = await (await container.get(ListMovements)).execute(owner, rose.id, PageRequest(offset=10))
    assert (list(past_the_end.items), past_the_end.total) == ([], 3)
    fresh = await _item(container, owner, "Unused fern")
    empty = await (await container.get(ListMovements)).execute(owner, fresh.id, PageRequest())
    assert (list(empty.items), empty.total) == ([], 0)

    expiring = await (await container.get(ExpiringStock)).execute(owner, 2, PageRequest())
    assert [(lot.lot_id, lot.days_left) for lot in expiring.items] == [(soon, 1)]
    assert (await (await container.get(ExpiringStock)).execute(other, 30, PageRequest())).total == 0

    queries = await container.get(StockQueries)
    low = await queries.low(owner.vendor_id, PageRequest())
    assert [entry.id for entry in low.items] == [fresh.id]  # 0 available, reorder level 5
    listed = await queries.page(owner.vendor_id, PageRequest(), StockFilter(q="ROSE"))
    assert [(row.id, row.available) for row in listed.items] == [(rose.id, 45)]
    assert (await queries.page(owner.vendor_id, PageRequest(), StockFilter(q="%"))).total == 0  # a literal %
    assert (await queries.page(other.vendor_id, PageRequest(), StockFilter())).total == 0
    await ledger_matches_totals(container, owner.vendor_id)


async def test_reservation_is_first_expired_first_out_all_or_nothing(container: AsyncContainer) -> None:
    owner = await _owner(container)
    rose = await _item(container, owner, "Rose")
    fern = await _item(container, owner, "Fern")
    ribbon = await _item(container, owner, "Ribbon", tracking=Tracking.NONE)
    expired_soon = await _receive(container, owner, rose.id, 5, expires_in=1)
    later = await _receive(container, owner, rose.id, 10, expires_in=5)
    sooner = await _receive(container, owner, rose.id, 4, expires_in=3)
    await _receive(container, owner, fern.id, 2, expires_in=5)
    delivery = await _today(container) + timedelta(days=2)  # the first lot has wilted by then

    order = uuid.uuid4()
    with pytest.raises(InsufficientStock) as refused:
        await _reserve(
            container,
            owner.vendor_id,
            order,
            [ReservationLine(rose.id, 6), ReservationLine(fern.id, 3), ReservationLine(ribbon.id, 100)],
            delivery,
        )
    assert [(s.stock_item_id, s.wanted, s.available) for s in refused.value.shortages] == [(fern.id, 3, 2)]
    assert str(fern.id) in refused.value.message
    by_item = await ledger_matches_totals(container, owner.vendor_id)
    assert by_item[rose.id] == Balance(19, 0)  # nothing reserved, the rose line included

    await _reserve(
        container, owner.vendor_id, order, [ReservationLine(rose.id, 6), ReservationLine(fern.id, 2)], delivery
    )
    item = await (await container.get(GetStockItem)).execute(owner, rose.id)
    assert {lot.id: lot.reserved for lot in item.lots} == {expired_soon: 0, sooner: 4, later: 2}
    await _settle(container, owner.vendor_id, order, consume=False)
    await _settle(container, owner.vendor_id, order, consume=False)  # twice: nothing more to release
    by_item = await ledger_matches_totals(container, owner.vendor_id)
    assert by_item[rose.id] == Balance(19, 0)

    second = uuid.uuid4()
    await _reserve(container, owner.vendor_id, second, [ReservationLine(rose.id, 3)], delivery)
    await _settle(container, owner.vendor_id, second, consume=True)
    await _settle(container, owner.vendor_id, second, consume=True)  # consumed once only
    by_item = await ledger_matches_totals(container, owner.vendor_id)
    assert by_item[rose.id] == Balance(16, 0)
    for _ in range(2):  # cancelled after it was made up: written off once, on_hand untouched
        async with container() as scope:
            await (await scope.get(StockReservations)).write_off(owner.vendor_id, second, "order cancelled")
            await (await scope.get(UnitOfWork)).commit()
    by_item = await ledger_matches_totals(container, owner.vendor_id)
    assert by_item[rose.id] == Balance(16, 0)
    ledger = await (await container.get(ListMovements)).execute(owner, rose.id, PageRequest())
    assert [(m.kind, m.quantity, m.order_id) for m in ledger.items if m.kind is MovementKind.WASTE] == [
        (MovementKind.WASTE, 3, second)
    ]


async def test_concurrent_reservations_never_oversell(container: AsyncContainer) -> None:
    """40 orders race for 10 roses in two lots: exactly 10 single-stem orders get one, the others
    are refused with INSUFFICIENT_STOCK, and the totals equal the ledger."""
    owner = await _owner(container)
    rose = await _item(container, owner, "Rose")
    await _receive(container, owner, rose.id, 6, expires_in=2)
    await _receive(container, owner, rose.id, 4, expires_in=5)
    delivery = await _today(container) + timedelta(days=1)
    outcomes: Counter[str] = Counter()

    async def order() -> None:
        try:
            await _reserve(container, owner.vendor_id, uuid.uuid4(), [ReservationLine(rose.id, 1)], delivery)
            outcomes["reserved"] += 1
        except InsufficientStock:
            outcomes["refused"] += 1

    await asyncio.gather(*(order() for _ in range(40)))
    assert outcomes == Counter(reserved=10, refused=30)
    by_item = await ledger_matches_totals(container, owner.vendor_id)
    assert by_item[rose.id] == Balance(10, 10)


async def test_concurrent_mixed_reservations_on_two_items(container: AsyncContainer) -> None:
    """Orders of 1 to 3 stems of two items race (each order locks both items' lots): never more
    reserved than there is, no deadlock, and every refusal is a stock refusal."""
    owner = await _owner(container)
    rose = await _item(container, owner, "Rose")
    fern = await _item(container, owner, "Fern")
    for item in (rose, fern):
        await _receive(container, owner, item.id, 7, expires_in=3)
        await _receive(container, owner, item.id, 3, expires_in=4)
    delivery = await _today(container)
    rng = random.Random(12)
    wanted = [(rng.randint(1, 3), rng.randint(1, 3)) for _ in range(32)]
    granted: list[tuple[int, int]] = []

    async def order(roses: int, ferns: int) -> None:
        lines = [ReservationLine(fern.id, ferns), ReservationLine(rose.id, roses)]
        try:
            await _reserve(container, owner.vendor_id, uuid.uuid4(), lines, delivery)
            granted.append((roses, ferns))
        except InsufficientStock:
            pass

    await asyncio.gather(*(order(roses, ferns) for roses, ferns in wanted))
    by_item = await ledger_matches_totals(container, owner.vendor_id)
    assert by_item[rose.id] == Balance(10, sum(r for r, _ in granted))
    assert by_item[fern.id] == Balance(10, sum(f for _, f in granted))
    assert sum(r for r, _ in granted) <= 10
    assert sum(f for _, f in granted) <= 10
    assert granted  # the first order in always fits


async def test_totals_equal_the_ledger_after_a_mixed_concurrent_workload(container: AsyncContainer) -> None:
    owner = await _owner(container)
    items = [await _item(container, owner, f"Item {n}") for n in range(3)]
    lots = {
        item.id: [await _receive(container, owner, item.id, 15, expires_in=n + 2) for n in range(2)] for item in items
    }
    delivery = await _today(container)
    rng = random.Random(7)
    orders: list[uuid.UUID] = []

    async def step(n: int) -> None:
        item = rng.choice(items)
        action = n % 5
        try:
            if action in (0, 1):
                order_id = uuid.uuid4()
                orders.append(order_id)
                await _reserve(
                    container, owner.vendor_id, order_id, [ReservationLine(item.id, rng.randint(1, 6))], delivery
                )
            elif action == 2 and orders:
                await _settle(container, owner.vendor_id, rng.choice(orders), consume=rng.random() < 0.5)
            elif action == 3:
                async with container() as scope:
                    await (await scope.get(RecordWaste)).execute(
                        owner,
                        LotMovementCommand(
                            stock_item_id=item.id,
                            lot_id=rng.choice(lots[item.id]),
                            quantity=rng.randint(1, 3),
                            reason="wilted",
                        ),
                    )
            else:
                await _receive(container, owner, item.id, rng.randint(1, 5), expires_in=3)
        except (Conflict, NotEnoughStock):  # INSUFFICIENT_STOCK (a shortage, or waste of reserved units): refused whole
            pass

    await asyncio.gather(*(step(n) for n in range(60)))
    by_item = await ledger_matches_totals(container, owner.vendor_id)
    for item in items:
        view = await (await container.get(GetStockItem)).execute(owner, item.id)
        assert Balance(view.on_hand, view.reserved) == by_item[item.id]
        assert view.available == by_item[item.id].available >= 0


@pytest.fixture
async def statements(container: AsyncContainer) -> Statements:
    """What reaches PostgreSQL (as ``test_query_services`` counts it): statements through
    SQLAlchemy, and statements sent straight to asyncpg (its query logger), transactions apart."""
    seen = Statements()
    engine = await container.get(AsyncEngine)
    watched: set[int] = set()

    def on_driver(query: Any) -> None:
        first = query.query.split(None, 1)[0].rstrip(";").upper()
        if first == "BEGIN":
            seen.transactions += 1
        elif first not in ("COMMIT", "ROLLBACK"):
            seen.sent.append(query.query)

    def on_checkout(dbapi_connection: Any, *_: Any) -> None:
        driver = dbapi_connection.driver_connection
        if id(driver) not in watched:
            watched.add(id(driver))
            driver.add_query_logger(on_driver)

    event.listen(engine.sync_engine, "before_cursor_execute", lambda *args: seen.sent.append(str(args[2])))
    event.listen(engine.sync_engine, "checkout", on_checkout)
    return seen


async def test_each_stock_read_is_one_tenant_filtered_statement(
    container: AsyncContainer, environ: dict[str, str], statements: Statements
) -> None:
    if not environ["DATABASE_URL"].startswith("postgresql"):
        pytest.skip("statements are counted at the asyncpg driver")
    owner = await _owner(container)
    rose = await _item(container, owner)
    await _receive(container, owner, rose.id, 20, expires_in=1)
    await _receive(container, owner, rose.id, 5, expires_in=3)
    queries = await container.get(StockQueries)
    today = await _today(container)
    reads = (
        lambda: queries.get(owner.vendor_id, rose.id),
        lambda: queries.page(owner.vendor_id, PageRequest(), StockFilter(q="rose")),
        lambda: queries.movements(owner.vendor_id, rose.id, PageRequest()),
        lambda: queries.expiring(owner.vendor_id, today + timedelta(days=7), today, PageRequest()),
        lambda: queries.low(owner.vendor_id, PageRequest()),
    )
    for read in reads:
        async with statements.counting():
            answer = await read()
        assert answer is not None
        assert len(statements.sent) == 1, statements.sent
        assert statements.transactions == 0
        assert "vendor_id" in statements.sent[0]
    item = await queries.get(owner.vendor_id, rose.id)
    assert item is not None
    assert [lot.on_hand for lot in item.lots] == [20, 5]

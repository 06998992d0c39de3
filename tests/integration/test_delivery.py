"""The delivery context against real databases: slot capacity taken concurrently (exactly the
capacity succeeds, ten rounds), overlapping zones refused even when created at the same time, and
the query services' planning of a date (PostgreSQL, and the migrated SQLite file `dev` uses)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from dishka import AsyncContainer
from sqlalchemy import Table, select
from sqlalchemy.ext.asyncio import AsyncEngine

from application.accounts.signup import SignUp, SignUpCommand
from application.delivery.capacity import SlotCapacity
from application.delivery.errors import PostalCodeTaken, SlotFull
from application.delivery.ports import DeliveryQueries
from application.delivery.reads import CheckAvailability
from application.delivery.setup import (
    Amount,
    CreateBlackout,
    CreateBlackoutCommand,
    CreateSlot,
    CreateSlotCommand,
    CreateZone,
    CreateZoneCommand,
    UpdateSlot,
    UpdateSlotCommand,
)
from application.delivery.views import SlotOut
from application.shared.context import Principal
from application.shared.pagination import PageRequest
from application.shared.unit_of_work import UnitOfWork
from domain.delivery.timing import Unavailable
from domain.shared.role import Role
from infrastructure.config import load_settings
from infrastructure.db import migrations
from infrastructure.delivery.models import SlotBookingModel
from infrastructure.di.container import make_container

PASSWORD = "peonies and lilacs"
_bookings: Table = SlotBookingModel.__table__  # type: ignore[assignment]
DAY = date(2099, 6, 1)  # far ahead of any clock: never past, never today


@pytest.fixture(params=["postgresql", "sqlite"])
def environ(request: pytest.FixtureRequest, service_environ: dict[str, str], tmp_path: Path) -> dict[str, str]:
    if request.param == "postgresql":
        return service_environ
    url = f"sqlite+aiosqlite:///{tmp_path}/delivery.db"
    migrations.upgrade(migrations.alembic_config(url))
    return {**service_environ, "ENVIRONMENT": "development", "DATABASE_URL": url}


@pytest.fixture
async def container(environ: dict[str, str]) -> AsyncIterator[AsyncContainer]:
    container = make_container(load_settings(environ))
    yield container
    await container.close()


async def _owner(container: AsyncContainer, timezone: str = "Europe/Amsterdam") -> Principal:
    slug = f"delivery-{uuid.uuid4().hex[:10]}"
    async with container() as scope:
        result = await (await scope.get(SignUp)).execute(
            SignUpCommand(
                vendor_name="Delivery Shop",
                vendor_slug=slug,
                timezone=timezone,
                currency="EUR",
                country="NL",
                email=f"owner@{slug}.example",
                password=PASSWORD,
                full_name="Rosa Owner",
            )
        )
    return Principal(user_id=result.user.id, vendor_id=result.vendor.id, role=Role.OWNER, session_id=uuid.uuid4())


async def _slot(container: AsyncContainer, owner: Principal, capacity: int | None) -> SlotOut:
    async with container() as scope:
        return await (await scope.get(CreateSlot)).execute(
            owner, CreateSlotCommand("Morning", "09:00", "12:00", Amount(250, "EUR"), capacity=capacity)
        )


async def _take(
    container: AsyncContainer,
    owner: Principal,
    slot_id: uuid.UUID,
    start: asyncio.Event,
    booking: uuid.UUID | None = None,
    on: date = DAY,
) -> bool:
    async with container() as scope:
        capacity = await scope.get(SlotCapacity)
        uow = await scope.get(UnitOfWork)
        await start.wait()
        try:
            await capacity.take(owner.vendor_id, booking or uuid.uuid4(), slot_id, on)
        except SlotFull:
            await uow.rollback()
            return False
        await uow.commit()
        return True


async def _give_back(container: AsyncContainer, owner: Principal, booking: uuid.UUID, start: asyncio.Event) -> bool:
    async with container() as scope:
        capacity = await scope.get(SlotCapacity)
        await start.wait()
        given = await capacity.give_back(owner.vendor_id, booking)
        await (await scope.get(UnitOfWork)).commit()
        return given


async def _at_once(*calls: Any) -> list[bool]:
    """Runs ``calls`` (each waiting for the event it is given) together."""
    start = asyncio.Event()
    tasks = [asyncio.create_task(call(start)) for call in calls]
    await asyncio.sleep(0.05)  # let every caller open its scope before they all go
    start.set()
    return list(await asyncio.gather(*tasks))


@pytest.mark.parametrize("round_", range(10))
async def test_concurrent_takes_on_a_slot_of_capacity_three_let_exactly_three_through(
    container: AsyncContainer, round_: int
) -> None:
    owner = await _owner(container)
    slot = await _slot(container, owner, capacity=3)
    start = asyncio.Event()
    takers = [asyncio.create_task(_take(container, owner, slot.id, start)) for _ in range(12)]
    await asyncio.sleep(0.05)  # let every taker open its scope before they all go
    start.set()
    results = await asyncio.gather(*takers)
    assert results.count(True) == 3, f"round {round_}: {results.count(True)} takes succeeded"
    queries = await container.get(DeliveryQueries)
    planning = await queries.planning(owner.vendor_id, DAY)
    assert planning.taken[slot.id] == 3
    # a give-back frees exactly one place, which one more concurrent burst then fills
    booked = uuid.uuid4()
    assert await _at_once(partial(_take, container, owner, slot.id, booking=booked)) == [False]  # full
    await _give_one_back(container, owner, slot.id)
    again = asyncio.Event()
    more = [asyncio.create_task(_take(container, owner, slot.id, again)) for _ in range(5)]
    await asyncio.sleep(0.05)
    again.set()
    assert (await asyncio.gather(*more)).count(True) == 1
    assert (await queries.planning(owner.vendor_id, DAY)).taken[slot.id] == 3


async def _give_one_back(container: AsyncContainer, owner: Principal, slot_id: uuid.UUID) -> None:
    """Gives back one of the slot's bookings on DAY, whichever."""
    engine = await container.get(AsyncEngine)
    async with engine.connect() as connection:
        booking = await connection.scalar(select(_bookings.c.booking_id).where(_bookings.c.slot_id == slot_id).limit(1))
    assert booking is not None
    assert await _at_once(partial(_give_back, container, owner, booking)) == [True]


async def test_one_booking_taken_many_times_at_once_counts_once(container: AsyncContainer) -> None:
    """An order retried concurrently (the same booking id) takes one place, on a slot with room and
    on one whose last place that booking itself fills; given back concurrently, it frees one."""
    owner = await _owner(container)
    queries = await container.get(DeliveryQueries)
    for capacity in (3, 1):
        slot = await _slot(container, owner, capacity=capacity)
        order = uuid.uuid4()
        results = await _at_once(*(partial(_take, container, owner, slot.id, booking=order) for _ in range(6)))
        assert results == [True] * 6, capacity
        assert (await queries.planning(owner.vendor_id, DAY)).taken[slot.id] == 1
        given = await _at_once(*(partial(_give_back, container, owner, order) for _ in range(4)))
        assert sorted(given) == [False, False, False, True]
        assert (await queries.planning(owner.vendor_id, DAY)).taken[slot.id] == 0


async def test_a_booking_moves_between_slots_and_dates_and_stays_when_the_other_is_full(
    container: AsyncContainer,
) -> None:
    owner = await _owner(container)
    morning, evening = await _slot(container, owner, capacity=1), await _slot(container, owner, capacity=1)
    later = date(2099, 6, 2)
    order, other = uuid.uuid4(), uuid.uuid4()
    assert await _at_once(partial(_take, container, owner, morning.id, booking=order)) == [True]
    assert await _at_once(partial(_take, container, owner, evening.id, booking=other)) == [True]
    assert await _at_once(partial(_take, container, owner, evening.id, booking=order)) == [False]  # full: stays
    queries = await container.get(DeliveryQueries)
    assert (await queries.planning(owner.vendor_id, DAY)).taken == {morning.id: 1, evening.id: 1}
    assert await _at_once(partial(_take, container, owner, morning.id, booking=order, on=later)) == [True]
    assert (await queries.planning(owner.vendor_id, DAY)).taken == {morning.id: 0, evening.id: 1}
    assert (await queries.planning(owner.vendor_id, later)).taken == {morning.id: 1, evening.id: 0}
    # another shop's booking with the same id is its own
    stranger = await _owner(container)
    theirs = await _slot(container, stranger, capacity=1)
    assert await _at_once(partial(_take, container, stranger, theirs.id, booking=order)) == [True]
    assert (await queries.planning(owner.vendor_id, later)).taken == {morning.id: 1, evening.id: 0}
    assert await _at_once(partial(_give_back, container, stranger, order)) == [True]
    assert (await queries.planning(owner.vendor_id, later)).taken == {morning.id: 1, evening.id: 0}


async def test_an_uncommitted_take_gives_nothing_away(container: AsyncContainer) -> None:
    owner = await _owner(container)
    slot = await _slot(container, owner, capacity=1)
    async with container() as scope:
        await (await scope.get(SlotCapacity)).take(owner.vendor_id, uuid.uuid4(), slot.id, DAY)
        await (await scope.get(UnitOfWork)).rollback()
    queries = await container.get(DeliveryQueries)
    assert (await queries.planning(owner.vendor_id, DAY)).taken.get(slot.id, 0) == 0


async def _zone(container: AsyncContainer, owner: Principal, name: str, *codes: str) -> object:
    async with container() as scope:
        try:
            return await (await scope.get(CreateZone)).execute(
                owner, CreateZoneCommand(name, list(codes), Amount(695, "EUR"))
            )
        except PostalCodeTaken as refused:
            return refused


async def test_overlapping_zones_created_at_once_let_one_through(container: AsyncContainer) -> None:
    owner = await _owner(container)
    results = await asyncio.gather(
        _zone(container, owner, "Centre", "1011*"),
        _zone(container, owner, "Dam", "1011 AB"),
        _zone(container, owner, "Old town", "101*"),
        _zone(container, owner, "North", "1021*"),
    )
    refused = [r for r in results if isinstance(r, PostalCodeTaken)]
    assert len(refused) == 2  # one of the three overlapping ones, and North, pass
    queries = await container.get(DeliveryQueries)
    zones = await queries.zones(owner.vendor_id, PageRequest())
    assert zones.total == 2
    assert "North" in {zone.name for zone in zones.items}
    # another shop may serve the same codes
    other = await _owner(container)
    assert not isinstance(await _zone(container, other, "Centre", "1011*"), PostalCodeTaken)


async def test_availability_reads_the_stored_set_up(container: AsyncContainer) -> None:
    owner = await _owner(container, timezone="Pacific/Auckland")
    await _zone(container, owner, "Centre", "1011*")
    slot = await _slot(container, owner, capacity=2)
    async with container() as scope:
        await (await scope.get(SlotCapacity)).take(owner.vendor_id, uuid.uuid4(), slot.id, DAY)
        await (await scope.get(UnitOfWork)).commit()
    check = await container.get(CheckAvailability)
    answer = await check.execute(owner, DAY, "1011ab")
    assert answer.postal_code == "1011 AB"
    assert answer.zone_id is not None
    assert [(s.slot_id, s.bookable, s.remaining) for s in answer.slots] == [(slot.id, True, 1)]
    assert answer.slots[0].fee is not None
    assert answer.slots[0].fee.amount_minor == 945
    assert answer.slots[0].starts == datetime(2099, 5, 31, 21, 0, tzinfo=UTC)  # 09:00 NZST
    async with container() as scope:
        await (await scope.get(CreateBlackout)).execute(owner, CreateBlackoutCommand(DAY, "Closed"))
    closed = await check.execute(owner, DAY, "1011 AB")
    assert closed.slots[0].reason is Unavailable.DELIVERY_DATE_BLACKED_OUT
    outside = await check.execute(owner, date(2099, 6, 2), "2000 AA")
    assert outside.slots[0].reason is Unavailable.OUT_OF_AREA


async def test_a_slot_whose_capacity_was_lowered_below_its_takes_is_full(container: AsyncContainer) -> None:
    owner = await _owner(container)
    slot = await _slot(container, owner, capacity=3)
    assert await _at_once(*(partial(_take, container, owner, slot.id) for _ in range(2))) == [True, True]
    async with container() as scope:
        await (await scope.get(UpdateSlot)).execute(owner, UpdateSlotCommand(slot.id, capacity=1))
    assert await _at_once(partial(_take, container, owner, slot.id)) == [False]
    queries = await container.get(DeliveryQueries)
    assert (await queries.planning(owner.vendor_id, DAY)).taken[slot.id] == 2
    async with container() as scope:
        await (await scope.get(UpdateSlot)).execute(owner, UpdateSlotCommand(slot.id, clear_capacity=True))
    assert await _at_once(*(partial(_take, container, owner, slot.id) for _ in range(3))) == [True] * 3
    assert (await queries.planning(owner.vendor_id, DAY)).taken[slot.id] == 5

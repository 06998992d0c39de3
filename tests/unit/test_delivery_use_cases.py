"""The delivery use cases over fakes: roles, the shop's currency and country, overlapping zones,
availability through the injectable clock, and slot capacity."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest

from application.delivery.errors import (
    BlackoutDateTaken,
    BlackoutNotFound,
    PostalCodeTaken,
    SlotFull,
    SlotNotFound,
    ZoneNotFound,
)
from application.delivery.setup import (
    Amount,
    CreateBlackoutCommand,
    CreateSlotCommand,
    CreateZoneCommand,
    UpdateSlotCommand,
    UpdateZoneCommand,
)
from application.shared.errors import CurrencyNotTheShops, PermissionDenied
from application.shared.pagination import PageRequest
from domain.delivery.timing import Unavailable
from domain.shared.errors import InvalidValue, InvalidValues
from domain.shared.role import Role
from tests.unit.delivery_fakes import DeliveryWorld

EUR = "EUR"


@pytest.fixture
def world() -> DeliveryWorld:
    return DeliveryWorld()


def _zone(*codes: str, name: str = "Centre", fee: int = 695) -> CreateZoneCommand:
    return CreateZoneCommand(name=name, postal_codes=list(codes), fee=Amount(fee, EUR))


def _slot(start: str = "09:00", end: str = "12:00", **kwargs: object) -> CreateSlotCommand:
    return CreateSlotCommand(name="Morning", starts_at=start, ends_at=end, fee=Amount(250, EUR), **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("role", [Role.STAFF, Role.DRIVER])
async def test_staff_and_drivers_cannot_write_the_set_up_and_the_refusal_is_recorded(
    world: DeliveryWorld, role: Role
) -> None:
    manager = world.shop()
    reader = world.colleague(manager, role)
    with pytest.raises(PermissionDenied):
        await world.create_zone.execute(reader, _zone("1011*"))
    with pytest.raises(PermissionDenied):
        await world.create_slot.execute(reader, _slot())
    with pytest.raises(PermissionDenied):
        await world.create_blackout.execute(reader, CreateBlackoutCommand(date(2026, 12, 25), "Christmas"))
    assert not world.store.zones
    assert not world.store.slots
    assert len(world.events.events) == 3


async def test_a_zone_is_stored_with_codes_as_the_shops_country_writes_them(world: DeliveryWorld) -> None:
    gb = world.shop(Role.OWNER, country="GB", currency="GBP", timezone="Europe/London")
    zone = await world.create_zone.execute(
        gb, CreateZoneCommand(name="Westminster", postal_codes=["sw1a1aa", "sw1p*"], fee=Amount(500, "GBP"))
    )
    assert zone.postal_codes == ["SW1A 1AA", "SW1P*"]
    assert world.store.zones[zone.id].fee.currency == "GBP"


async def test_a_fee_in_another_currency_is_refused_with_the_field(world: DeliveryWorld) -> None:
    manager = world.shop()
    with pytest.raises(CurrencyNotTheShops) as refused:
        await world.create_zone.execute(manager, CreateZoneCommand("Centre", ["1011*"], fee=Amount(500, "USD")))
    assert refused.value.field == "fee.currency"
    with pytest.raises(CurrencyNotTheShops) as minimum:
        await world.create_zone.execute(
            manager, CreateZoneCommand("Centre", ["1011*"], fee=Amount(500, EUR), min_subtotal=Amount(1, "GBP"))
        )
    assert minimum.value.field == "min_subtotal.currency"
    assert not world.store.zones


async def test_every_bad_field_of_a_zone_is_named_at_once(world: DeliveryWorld) -> None:
    with pytest.raises(InvalidValues) as refused:
        await world.create_zone.execute(world.shop(), CreateZoneCommand(" ", ["12"], fee=Amount(-1, EUR)))
    assert {p.field for p in refused.value.problems} == {"fee.amount_minor", "name", "postal_codes[0]"}


async def test_a_postal_code_belongs_to_at_most_one_active_zone(world: DeliveryWorld) -> None:
    manager = world.shop()
    centre = await world.create_zone.execute(manager, _zone("1011*"))
    with pytest.raises(PostalCodeTaken):
        await world.create_zone.execute(manager, _zone("1011 AB", name="Dam"))
    with pytest.raises(PostalCodeTaken):
        await world.create_zone.execute(manager, _zone("10*", name="Everything"))
    # an inactive zone does not hold its codes; re-activating the first then clashes
    dam = await world.create_zone.execute(manager, CreateZoneCommand("Dam", ["1011 AB"], Amount(1, EUR), active=False))
    with pytest.raises(PostalCodeTaken):
        await world.update_zone.execute(manager, UpdateZoneCommand(dam.id, active=True))
    await world.update_zone.execute(manager, UpdateZoneCommand(centre.id, active=False))
    assert (await world.update_zone.execute(manager, UpdateZoneCommand(dam.id, active=True))).active
    # another shop may serve the same codes
    await world.create_zone.execute(world.shop(), _zone("1011*"))


async def test_another_shops_zone_slot_or_blackout_is_not_found(world: DeliveryWorld) -> None:
    mine, theirs = world.shop(), world.shop()
    zone = await world.create_zone.execute(theirs, _zone("1011*"))
    slot = await world.create_slot.execute(theirs, _slot())
    blackout = await world.create_blackout.execute(theirs, CreateBlackoutCommand(date(2026, 12, 25), "Closed"))
    with pytest.raises(ZoneNotFound):
        await world.update_zone.execute(mine, UpdateZoneCommand(zone.id, name="Mine now"))
    with pytest.raises(ZoneNotFound):
        await world.delete_zone.execute(mine, zone.id)
    with pytest.raises(SlotNotFound):
        await world.update_slot.execute(mine, UpdateSlotCommand(slot.id, capacity=1))
    with pytest.raises(SlotNotFound):
        await world.retire_slot.execute(mine, slot.id)
    with pytest.raises(BlackoutNotFound):
        await world.delete_blackout.execute(mine, blackout.id)
    with pytest.raises(SlotNotFound):
        await world.capacity.take(mine.vendor_id, uuid.uuid4(), slot.id, date(2026, 12, 2))
    assert world.store.zones[zone.id].name == "Centre"


async def test_a_slot_is_checked_and_changed(world: DeliveryWorld) -> None:
    manager = world.shop()
    with pytest.raises(InvalidValue) as late:
        await world.create_slot.execute(manager, _slot(same_day=True, same_day_cutoff="09:30"))
    assert late.value.field == "same_day_cutoff"
    slot = await world.create_slot.execute(manager, _slot(same_day=True, same_day_cutoff="08:00", capacity=3))
    assert (slot.starts_at, slot.same_day_cutoff, slot.capacity) == ("09:00", "08:00", 3)
    later = await world.update_slot.execute(manager, UpdateSlotCommand(slot.id, starts_at="10:00", ends_at="13:00"))
    assert later.same_day_cutoff == "08:00"
    with pytest.raises(InvalidValue):
        await world.update_slot.execute(manager, UpdateSlotCommand(slot.id, starts_at="07:00"))
    await world.retire_slot.execute(manager, slot.id)
    assert not world.store.slots[slot.id].active


async def test_a_date_is_blacked_out_once_with_a_plain_text_reason(world: DeliveryWorld) -> None:
    manager = world.shop()
    blackout = await world.create_blackout.execute(
        manager, CreateBlackoutCommand(date(2026, 12, 25), "<i>Christmas</i>\u202e")
    )
    assert blackout.reason == "Christmas"
    with pytest.raises(BlackoutDateTaken):
        await world.create_blackout.execute(manager, CreateBlackoutCommand(date(2026, 12, 25), "Again"))
    await world.delete_blackout.execute(manager, blackout.id)
    assert not world.store.blackouts


async def test_availability_reads_the_shops_clock_in_its_zone(world: DeliveryWorld) -> None:
    owner = world.shop(Role.OWNER, country="NZ", currency="NZD", timezone="Pacific/Auckland")
    await world.create_zone.execute(owner, CreateZoneCommand("Wellington", ["6011"], fee=Amount(800, "NZD")))
    morning = await world.create_slot.execute(
        owner,
        CreateSlotCommand("Morning", "09:00", "12:00", Amount(200, "NZD"), same_day=True, same_day_cutoff="07:00"),
    )
    driver = world.colleague(owner, Role.DRIVER)
    # 2026-12-01 19:30 UTC is 2026-12-02 08:30 in Auckland: today there, cutoff passed
    world.clock.set(datetime(2026, 12, 1, 19, 30, tzinfo=UTC))
    today = await world.availability.execute(driver, date(2026, 12, 2), "6011")
    assert today.slots[0].reason is Unavailable.SAME_DAY_CUTOFF_PASSED
    past = await world.availability.execute(driver, date(2026, 12, 1), "6011")
    assert past.slots[0].reason is Unavailable.DELIVERY_DATE_PAST
    tomorrow = await world.availability.execute(driver, date(2026, 12, 3), "6011")
    assert tomorrow.slots[0].bookable
    assert tomorrow.slots[0].fee is not None
    assert tomorrow.slots[0].fee.amount_minor == 1000
    outside = await world.availability.execute(driver, date(2026, 12, 3), "9016")
    assert outside.slots[0].reason is Unavailable.OUT_OF_AREA
    assert outside.zone_id is None
    with pytest.raises(InvalidValue) as bad:
        await world.availability.execute(driver, date(2026, 12, 3), "60110")
    assert bad.value.field == "query.postal_code"
    await world.create_blackout.execute(owner, CreateBlackoutCommand(date(2026, 12, 3), "Stocktake"))
    closed = await world.availability.execute(driver, date(2026, 12, 3), "6011")
    assert closed.slots[0].reason is Unavailable.DELIVERY_DATE_BLACKED_OUT
    assert morning.id == closed.slots[0].slot_id


async def test_capacity_is_taken_up_to_the_limit_and_given_back(world: DeliveryWorld) -> None:
    manager = world.shop()
    await world.create_zone.execute(manager, _zone("1011*"))
    slot = await world.create_slot.execute(manager, _slot(capacity=2))
    day = date(2026, 12, 2)
    first, second, third = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    for booking in (first, second):
        await world.capacity.take(manager.vendor_id, booking, slot.id, day)
    with pytest.raises(SlotFull):
        await world.capacity.take(manager.vendor_id, third, slot.id, day)
    await world.capacity.take(manager.vendor_id, first, slot.id, day)  # taken again: already there, no error
    full = await world.availability.execute(manager, day, "1011AB")
    assert full.slots[0].reason is Unavailable.SLOT_FULL
    assert full.slots[0].remaining == 0
    assert await world.capacity.give_back(manager.vendor_id, first)
    assert not await world.capacity.give_back(manager.vendor_id, first)  # a cancel retried gives back once
    again = await world.availability.execute(manager, day, "1011 ab")
    assert again.slots[0].bookable
    assert again.slots[0].remaining == 1
    assert not await world.capacity.give_back(manager.vendor_id, third)  # refused: it never held a place


async def test_taking_another_slot_or_date_moves_the_booking(world: DeliveryWorld) -> None:
    manager = world.shop()
    morning = await world.create_slot.execute(manager, _slot(capacity=1))
    evening = await world.create_slot.execute(manager, _slot("18:00", "21:00", capacity=1))
    day, next_day = date(2026, 12, 2), date(2026, 12, 3)
    order, other = uuid.uuid4(), uuid.uuid4()
    await world.capacity.take(manager.vendor_id, order, morning.id, day)
    await world.capacity.take(manager.vendor_id, order, morning.id, next_day)
    assert world.store.taken == {(morning.id, day): 0, (morning.id, next_day): 1}
    await world.capacity.take(manager.vendor_id, other, evening.id, next_day)
    with pytest.raises(SlotFull):  # full there: the booking stays where it was
        await world.capacity.take(manager.vendor_id, order, evening.id, next_day)
    assert world.store.bookings[(manager.vendor_id, order)] == (morning.id, next_day)
    await world.capacity.take(manager.vendor_id, order, evening.id, day)
    assert world.store.taken == {
        (morning.id, day): 0,
        (morning.id, next_day): 0,
        (evening.id, next_day): 1,
        (evening.id, day): 1,
    }


async def test_lists_are_paged(world: DeliveryWorld) -> None:
    manager = world.shop()
    for index in range(3):
        await world.create_zone.execute(manager, _zone(f"10{index}1*", name=f"Zone {index}"))
    page = await world.queries.zones(manager.vendor_id, PageRequest(limit=2, offset=0))
    assert page.total == 3
    assert [zone.name for zone in page.items] == ["Zone 0", "Zone 1"]

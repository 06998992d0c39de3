"""In-memory fakes of the delivery context's ports, taking part in ``FakeUnitOfWork`` (a rollback
restores what the last commit saw), and a world wiring the use cases over them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from datetime import date

from application.delivery.capacity import SlotCapacity
from application.delivery.errors import BlackoutDateTaken
from application.delivery.ports import DeliveryShop, Planning
from application.delivery.reads import CheckAvailability
from application.delivery.setup import (
    CreateBlackout,
    CreateSlot,
    CreateZone,
    DeleteBlackout,
    DeleteZone,
    RetireSlot,
    UpdateSlot,
    UpdateZone,
)
from application.delivery.views import BlackoutOut, SlotOut, ZoneOut
from application.shared.audit import SecurityRecorder
from application.shared.authorizer import Authorizer
from application.shared.context import Principal, RequestMeta
from application.shared.pagination import Page, PageRequest
from domain.delivery.slot import BlackoutDate, DeliverySlot
from domain.delivery.zone import DeliveryZone
from domain.shared.role import Role
from tests.fakes import FakeClock, FakeSecurityEventLog, FakeUnitOfWork

Key = tuple[uuid.UUID, date]


class FakeDeliveryStore:
    """Repository, counters and query services over the same dictionaries."""

    def __init__(self) -> None:
        self.zones: dict[uuid.UUID, DeliveryZone] = {}
        self.slots: dict[uuid.UUID, DeliverySlot] = {}
        self.blackouts: dict[uuid.UUID, BlackoutDate] = {}
        self.taken: dict[Key, int] = {}
        self.bookings: dict[tuple[uuid.UUID, uuid.UUID], Key] = {}
        self._committed: tuple[dict, dict, dict, dict] = ({}, {}, {}, {})  # type: ignore[type-arg]

    def _checkpoint(self) -> None:
        self._committed = (
            dict(self.zones),
            dict(self.slots),
            dict(self.blackouts),
            dict(self.taken),
            dict(self.bookings),
        )

    def _restore(self) -> None:
        zones, slots, blackouts, taken, bookings = self._committed
        self.zones, self.slots, self.blackouts = dict(zones), dict(slots), dict(blackouts)
        self.taken, self.bookings = dict(taken), dict(bookings)

    # repository
    async def lock_zones(self, vendor_id: uuid.UUID) -> list[DeliveryZone]:
        return [zone for zone in self.zones.values() if zone.vendor_id == vendor_id]

    async def get_zone(self, vendor_id: uuid.UUID, zone_id: uuid.UUID) -> DeliveryZone | None:
        zone = self.zones.get(zone_id)
        return zone if zone is not None and zone.vendor_id == vendor_id else None

    async def add_zone(self, zone: DeliveryZone) -> None:
        self.zones[zone.id] = zone

    async def update_zone(self, zone: DeliveryZone) -> None:
        self.zones[zone.id] = zone

    async def delete_zone(self, vendor_id: uuid.UUID, zone_id: uuid.UUID) -> bool:
        if await self.get_zone(vendor_id, zone_id) is None:
            return False
        del self.zones[zone_id]
        return True

    async def get_slot(self, vendor_id: uuid.UUID, slot_id: uuid.UUID) -> DeliverySlot | None:
        slot = self.slots.get(slot_id)
        return slot if slot is not None and slot.vendor_id == vendor_id else None

    async def add_slot(self, slot: DeliverySlot) -> None:
        self.slots[slot.id] = slot

    async def update_slot(self, slot: DeliverySlot) -> None:
        self.slots[slot.id] = slot

    async def add_blackout(self, blackout: BlackoutDate) -> None:
        if any(b.vendor_id == blackout.vendor_id and b.on == blackout.on for b in self.blackouts.values()):
            raise BlackoutDateTaken()
        self.blackouts[blackout.id] = blackout

    async def delete_blackout(self, vendor_id: uuid.UUID, blackout_id: uuid.UUID) -> bool:
        blackout = self.blackouts.get(blackout_id)
        if blackout is None or blackout.vendor_id != vendor_id:
            return False
        del self.blackouts[blackout_id]
        return True

    # counters
    async def take(
        self, vendor_id: uuid.UUID, booking_id: uuid.UUID, slot_id: uuid.UUID, on: date, capacity: int | None
    ) -> bool:
        held = self.bookings.get((vendor_id, booking_id))
        if held == (slot_id, on):
            return True
        used = self.taken.get((slot_id, on), 0)
        if capacity is not None and used >= capacity:
            return False
        self.taken[(slot_id, on)] = used + 1
        if held is not None:
            self.taken[held] -= 1
        self.bookings[(vendor_id, booking_id)] = (slot_id, on)
        return True

    async def give_back(self, vendor_id: uuid.UUID, booking_id: uuid.UUID) -> bool:
        held = self.bookings.pop((vendor_id, booking_id), None)
        if held is None:
            return False
        self.taken[held] -= 1
        return True


class FakeDeliveryQueries:
    """The query services, over the store's dictionaries."""

    def __init__(self, store: FakeDeliveryStore) -> None:
        self._store = store

    @staticmethod
    def _page(rows: list, page: PageRequest) -> Page:  # type: ignore[type-arg]
        return Page(rows[page.offset : page.offset + page.limit], len(rows), page.limit, page.offset)

    async def zone(self, vendor_id: uuid.UUID, zone_id: uuid.UUID) -> ZoneOut | None:
        zone = await self._store.get_zone(vendor_id, zone_id)
        return ZoneOut.of(zone) if zone is not None else None

    async def zones(self, vendor_id: uuid.UUID, page: PageRequest) -> Page[ZoneOut]:
        rows = sorted((z for z in self._store.zones.values() if z.vendor_id == vendor_id), key=lambda z: z.name)
        return self._page([ZoneOut.of(z) for z in rows], page)

    async def slot(self, vendor_id: uuid.UUID, slot_id: uuid.UUID) -> SlotOut | None:
        slot = await self._store.get_slot(vendor_id, slot_id)
        return SlotOut.of(slot) if slot is not None else None

    async def slots(self, vendor_id: uuid.UUID, page: PageRequest) -> Page[SlotOut]:
        rows = sorted((s for s in self._store.slots.values() if s.vendor_id == vendor_id), key=lambda s: s.starts_at)
        return self._page([SlotOut.of(s) for s in rows], page)

    async def blackout(self, vendor_id: uuid.UUID, blackout_id: uuid.UUID) -> BlackoutOut | None:
        blackout = self._store.blackouts.get(blackout_id)
        return BlackoutOut.of(blackout) if blackout is not None and blackout.vendor_id == vendor_id else None

    async def blackouts(self, vendor_id: uuid.UUID, page: PageRequest, since: date | None) -> Page[BlackoutOut]:
        rows = sorted(
            (
                b
                for b in self._store.blackouts.values()
                if b.vendor_id == vendor_id and (since is None or b.on >= since)
            ),
            key=lambda b: b.on,
        )
        return self._page([BlackoutOut.of(b) for b in rows], page)

    async def planning(self, vendor_id: uuid.UUID, on: date) -> Planning:
        store = self._store
        return Planning(
            zones=[z for z in store.zones.values() if z.vendor_id == vendor_id and z.active],
            slots=[s for s in store.slots.values() if s.vendor_id == vendor_id and s.active],
            blacked_out=any(b.vendor_id == vendor_id and b.on == on for b in store.blackouts.values()),
            taken={slot_id: n for (slot_id, day), n in store.taken.items() if day == on},
        )


@dataclass
class FakeDeliveryShops:
    shops: dict[uuid.UUID, DeliveryShop] = field(default_factory=dict)

    async def get(self, vendor_id: uuid.UUID) -> DeliveryShop | None:
        return self.shops.get(vendor_id)


@dataclass
class DeliveryWorld:
    clock: FakeClock = field(default_factory=FakeClock)
    uow: FakeUnitOfWork = field(default_factory=FakeUnitOfWork)
    store: FakeDeliveryStore = field(default_factory=FakeDeliveryStore)
    events: FakeSecurityEventLog = field(default_factory=FakeSecurityEventLog)
    shops: FakeDeliveryShops = field(default_factory=FakeDeliveryShops)

    def __post_init__(self) -> None:
        self.queries = FakeDeliveryQueries(self.store)
        self.uow.enlist(self.store)
        self.uow.enlist(self.events)
        recorder = SecurityRecorder(self.events, self.clock, RequestMeta(client_ip="203.0.113.7", request_id="r1"))
        self.authorizer = Authorizer(recorder, self.uow)
        parts = (self.store, self.shops, self.authorizer, self.uow, self.clock)
        self.create_zone = CreateZone(*parts)
        self.update_zone = UpdateZone(*parts)
        self.delete_zone = DeleteZone(*parts)
        self.create_slot = CreateSlot(*parts)
        self.update_slot = UpdateSlot(*parts)
        self.retire_slot = RetireSlot(*parts)
        self.create_blackout = CreateBlackout(*parts)
        self.delete_blackout = DeleteBlackout(*parts)
        self.availability = CheckAvailability(self.queries, self.shops, self.clock)
        self.capacity = SlotCapacity(self.store, self.store)

    def shop(
        self,
        role: Role = Role.MANAGER,
        *,
        country: str = "NL",
        currency: str = "EUR",
        timezone: str = "Europe/Amsterdam",
    ) -> Principal:
        vendor_id = uuid.uuid4()
        self.shops.shops[vendor_id] = DeliveryShop(country=country, currency=currency, timezone=timezone)
        return Principal(user_id=uuid.uuid4(), vendor_id=vendor_id, role=role, session_id=uuid.uuid4())

    def colleague(self, principal: Principal, role: Role) -> Principal:
        return replace(principal, user_id=uuid.uuid4(), role=role)

"""The delivery context's ports. Every method takes the vendor id and filters by it: another
shop's zone, slot or blackout date is None, exactly like a missing one.

Writes go through ``DeliveryRepository`` inside the caller's unit of work; reads through
``DeliveryQueries`` (one statement each); ``SlotCounters`` is the per (slot, date) counter that
capacity is taken from, safe under concurrency (one conditional UPDATE)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol
from uuid import UUID

from application.delivery.views import BlackoutOut, SlotOut, ZoneOut
from application.shared.pagination import Page, PageRequest
from domain.delivery.slot import BlackoutDate, DeliverySlot
from domain.delivery.zone import DeliveryZone


@dataclass(frozen=True, slots=True)
class DeliveryShop:
    """What delivery needs to know of the shop: its country (postal codes), currency and zone."""

    country: str
    currency: str
    timezone: str


class DeliveryShops(Protocol):
    async def get(self, vendor_id: UUID) -> DeliveryShop | None: ...


class DeliveryRepository(Protocol):
    async def lock_zones(self, vendor_id: UUID) -> list[DeliveryZone]:
        """Every zone of the shop; until the transaction ends no other writer of the shop's zones
        gets past this call, so an overlap check on what it returns holds when committed."""
        ...

    async def get_zone(self, vendor_id: UUID, zone_id: UUID) -> DeliveryZone | None: ...

    async def add_zone(self, zone: DeliveryZone) -> None: ...

    async def update_zone(self, zone: DeliveryZone) -> None: ...

    async def delete_zone(self, vendor_id: UUID, zone_id: UUID) -> bool: ...

    async def get_slot(self, vendor_id: UUID, slot_id: UUID) -> DeliverySlot | None: ...

    async def add_slot(self, slot: DeliverySlot) -> None: ...

    async def update_slot(self, slot: DeliverySlot) -> None: ...

    async def add_blackout(self, blackout: BlackoutDate) -> None:
        """Raises ``BlackoutDateTaken`` when the shop already blacked out that date."""
        ...

    async def delete_blackout(self, vendor_id: UUID, blackout_id: UUID) -> bool: ...


class SlotCounters(Protocol):
    async def take(self, vendor_id: UUID, booking_id: UUID, slot_id: UUID, on: date, capacity: int | None) -> bool:
        """Books ``booking_id`` (an order's id) into the slot on ``on``, counting one more delivery
        there if fewer than ``capacity`` are counted (always, when None) and one fewer wherever the
        booking was before; a booking already there counts nothing. False when full (nothing
        changed). Atomic whatever runs concurrently, the same booking taken twice at once included."""
        ...

    async def give_back(self, vendor_id: UUID, booking_id: UUID) -> bool:
        """Ends the booking, counting one fewer where it was; False when it held nothing (never
        taken, or given back already)."""
        ...


@dataclass(frozen=True, slots=True)
class Planning:
    """What availability is computed from: the shop's active zones and slots, whether the date is
    blacked out, and how many deliveries each slot counts on the date."""

    zones: Sequence[DeliveryZone]
    slots: Sequence[DeliverySlot]
    blacked_out: bool
    taken: dict[UUID, int]


class DeliveryQueries(Protocol):
    async def zone(self, vendor_id: UUID, zone_id: UUID) -> ZoneOut | None: ...

    async def zones(self, vendor_id: UUID, page: PageRequest) -> Page[ZoneOut]: ...

    async def slot(self, vendor_id: UUID, slot_id: UUID) -> SlotOut | None: ...

    async def slots(self, vendor_id: UUID, page: PageRequest) -> Page[SlotOut]: ...

    async def blackout(self, vendor_id: UUID, blackout_id: UUID) -> BlackoutOut | None: ...

    async def blackouts(self, vendor_id: UUID, page: PageRequest, since: date | None) -> Page[BlackoutOut]: ...

    async def planning(self, vendor_id: UUID, on: date) -> Planning: ...

"""The delivery reads, open to every role of the shop: zones, slots, blackout dates, and
availability of a date for a postal code."""

from __future__ import annotations

from datetime import date
from uuid import UUID
from zoneinfo import ZoneInfo

from application.delivery.errors import BlackoutNotFound, SlotNotFound, ZoneNotFound
from application.delivery.ports import DeliveryQueries, DeliveryShops
from application.delivery.views import AvailabilityOut, BlackoutOut, SlotAvailabilityOut, SlotOut, ZoneOut
from application.shared.clock import Clock
from application.shared.context import Principal
from application.shared.errors import ShopNotFound
from application.shared.pagination import Page, PageRequest
from domain.delivery.postal import normalise_postal_code
from domain.delivery.timing import availability
from domain.delivery.zone import zone_for


class GetZone:
    def __init__(self, queries: DeliveryQueries) -> None:
        self._queries = queries

    async def execute(self, principal: Principal, zone_id: UUID) -> ZoneOut:
        zone = await self._queries.zone(principal.vendor_id, zone_id)
        if zone is None:
            raise ZoneNotFound()
        return zone


class ListZones:
    def __init__(self, queries: DeliveryQueries) -> None:
        self._queries = queries

    async def execute(self, principal: Principal, page: PageRequest) -> Page[ZoneOut]:
        return await self._queries.zones(principal.vendor_id, page)


class GetSlot:
    def __init__(self, queries: DeliveryQueries) -> None:
        self._queries = queries

    async def execute(self, principal: Principal, slot_id: UUID) -> SlotOut:
        slot = await self._queries.slot(principal.vendor_id, slot_id)
        if slot is None:
            raise SlotNotFound()
        return slot


class ListSlots:
    def __init__(self, queries: DeliveryQueries) -> None:
        self._queries = queries

    async def execute(self, principal: Principal, page: PageRequest) -> Page[SlotOut]:
        return await self._queries.slots(principal.vendor_id, page)


class GetBlackout:
    def __init__(self, queries: DeliveryQueries) -> None:
        self._queries = queries

    async def execute(self, principal: Principal, blackout_id: UUID) -> BlackoutOut:
        blackout = await self._queries.blackout(principal.vendor_id, blackout_id)
        if blackout is None:
            raise BlackoutNotFound()
        return blackout


class ListBlackouts:
    def __init__(self, queries: DeliveryQueries) -> None:
        self._queries = queries

    async def execute(self, principal: Principal, page: PageRequest, since: date | None = None) -> Page[BlackoutOut]:
        return await self._queries.blackouts(principal.vendor_id, page, since)


class CheckAvailability:
    """Every slot running on ``on``, bookable or with why not, for an address at ``postal_code``,
    by the shop's clock in its own time zone."""

    def __init__(self, queries: DeliveryQueries, shops: DeliveryShops, clock: Clock) -> None:
        self._queries = queries
        self._shops = shops
        self._clock = clock

    async def execute(self, principal: Principal, on: date, postal_code: str) -> AvailabilityOut:
        shop = await self._shops.get(principal.vendor_id)
        if shop is None:
            raise ShopNotFound()
        code = normalise_postal_code(postal_code, shop.country, "query.postal_code")
        planning = await self._queries.planning(principal.vendor_id, on)
        zone = zone_for(planning.zones, code)
        answers = availability(
            day=on,
            now=self._clock.now(),
            zone=ZoneInfo(shop.timezone),
            slots=planning.slots,
            delivery_zone=zone,
            blackouts={on} if planning.blacked_out else set(),
            taken=planning.taken,
        )
        return AvailabilityOut(
            date=on,
            postal_code=code,
            zone_id=zone.id if zone is not None else None,
            timezone=shop.timezone,
            slots=[SlotAvailabilityOut.of(answer) for answer in answers],
        )

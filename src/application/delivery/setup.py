"""Writing a shop's delivery set-up (managers and owners): zones, slots and blackout dates. Every
command is plain data, so a seed script or a test can call the use cases as the HTTP layer does."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from application.delivery.errors import BlackoutNotFound, PostalCodeTaken, SlotNotFound, ZoneNotFound
from application.delivery.ports import DeliveryRepository, DeliveryShop, DeliveryShops
from application.delivery.views import BlackoutOut, SlotOut, ZoneOut
from application.shared.authorizer import Authorizer
from application.shared.clock import Clock
from application.shared.context import Principal
from application.shared.errors import CurrencyNotTheShops, ShopNotFound
from application.shared.unit_of_work import UnitOfWork
from domain.delivery.slot import BlackoutDate, DeliverySlot
from domain.delivery.zone import DeliveryZone
from domain.shared.errors import Checks
from domain.shared.money import Money
from domain.shared.role import Role


@dataclass(frozen=True, slots=True)
class Amount:
    amount_minor: int
    currency: str


def _money(checks: Checks, amount: Amount | None, field: str) -> Money | None:
    if amount is None:
        return None
    return checks.attempt(lambda: Money.of(amount.amount_minor, amount.currency, field))


def _in_shops_currency(shop: DeliveryShop, **amounts: Money | None) -> None:
    for field, money in amounts.items():
        if money is not None and money.currency != shop.currency:
            raise CurrencyNotTheShops(f"{field}.currency", shop.currency)


async def _shop(shops: DeliveryShops, vendor_id: UUID) -> DeliveryShop:
    shop = await shops.get(vendor_id)
    if shop is None:
        raise ShopNotFound()
    return shop


def _no_clash(zone: DeliveryZone, others: Sequence[DeliveryZone]) -> None:
    clash = zone.clashes(others)
    if clash is not None:
        other, mine, theirs = clash
        raise PostalCodeTaken(mine, theirs, other.name)


class _Writer:
    def __init__(
        self,
        repository: DeliveryRepository,
        shops: DeliveryShops,
        authorizer: Authorizer,
        uow: UnitOfWork,
        clock: Clock,
    ) -> None:
        self._repository = repository
        self._shops = shops
        self._authorizer = authorizer
        self._uow = uow
        self._clock = clock


# -- zones --


@dataclass(frozen=True, slots=True)
class CreateZoneCommand:
    name: str
    postal_codes: Sequence[str]
    fee: Amount
    min_subtotal: Amount | None = None
    active: bool = True


class CreateZone(_Writer):
    async def execute(self, principal: Principal, command: CreateZoneCommand) -> ZoneOut:
        await self._authorizer.require(principal, Role.MANAGER, "delivery.zone.create")
        shop = await _shop(self._shops, principal.vendor_id)
        checks = Checks()
        fee = _money(checks, command.fee, "fee")
        minimum = _money(checks, command.min_subtotal, "min_subtotal")
        zone = checks.finish(
            lambda: DeliveryZone.create(
                vendor_id=principal.vendor_id,
                name=command.name,
                postal_codes=command.postal_codes,
                fee=fee or Money.zero(shop.currency),
                min_subtotal=minimum,
                country=shop.country,
                active=command.active,
                at=self._clock.now(),
            )
        )
        _in_shops_currency(shop, fee=fee, min_subtotal=minimum)
        _no_clash(zone, await self._repository.lock_zones(principal.vendor_id))
        await self._repository.add_zone(zone)
        await self._uow.commit()
        return ZoneOut.of(zone)


@dataclass(frozen=True, slots=True)
class UpdateZoneCommand:
    zone_id: UUID
    name: str | None = None
    postal_codes: Sequence[str] | None = None
    fee: Amount | None = None
    min_subtotal: Amount | None = None
    clear_min_subtotal: bool = False
    active: bool | None = None


class UpdateZone(_Writer):
    async def execute(self, principal: Principal, command: UpdateZoneCommand) -> ZoneOut:
        await self._authorizer.require(principal, Role.MANAGER, "delivery.zone.update")
        shop = await _shop(self._shops, principal.vendor_id)
        zones = await self._repository.lock_zones(principal.vendor_id)
        zone = next((z for z in zones if z.id == command.zone_id), None)
        if zone is None:
            raise ZoneNotFound()
        checks = Checks()
        fee = _money(checks, command.fee, "fee")
        minimum = _money(checks, command.min_subtotal, "min_subtotal")
        changed = checks.finish(
            lambda: zone.changed(
                country=shop.country,
                name=command.name,
                postal_codes=command.postal_codes,
                fee=fee,
                min_subtotal=minimum,
                clear_min_subtotal=command.clear_min_subtotal,
                active=command.active,
            )
        )
        _in_shops_currency(shop, fee=fee, min_subtotal=minimum)
        _no_clash(changed, zones)
        if changed != zone:
            await self._repository.update_zone(changed)
        await self._uow.commit()
        return ZoneOut.of(changed)


class DeleteZone(_Writer):
    async def execute(self, principal: Principal, zone_id: UUID) -> None:
        await self._authorizer.require(principal, Role.MANAGER, "delivery.zone.delete")
        if not await self._repository.delete_zone(principal.vendor_id, zone_id):
            raise ZoneNotFound()
        await self._uow.commit()


# -- slots --


@dataclass(frozen=True, slots=True)
class CreateSlotCommand:
    name: str
    starts_at: str
    ends_at: str
    fee: Amount
    same_day: bool = False
    same_day_cutoff: str | None = None
    capacity: int | None = None
    weekdays: Sequence[int] | None = None


class CreateSlot(_Writer):
    async def execute(self, principal: Principal, command: CreateSlotCommand) -> SlotOut:
        await self._authorizer.require(principal, Role.MANAGER, "delivery.slot.create")
        shop = await _shop(self._shops, principal.vendor_id)
        checks = Checks()
        fee = _money(checks, command.fee, "fee")
        slot = checks.finish(
            lambda: DeliverySlot.create(
                vendor_id=principal.vendor_id,
                name=command.name,
                starts_at=command.starts_at,
                ends_at=command.ends_at,
                fee=fee or Money.zero(shop.currency),
                same_day=command.same_day,
                same_day_cutoff=command.same_day_cutoff,
                capacity=command.capacity,
                weekdays=command.weekdays,
                at=self._clock.now(),
            )
        )
        _in_shops_currency(shop, fee=fee)
        await self._repository.add_slot(slot)
        await self._uow.commit()
        return SlotOut.of(slot)


@dataclass(frozen=True, slots=True)
class UpdateSlotCommand:
    slot_id: UUID
    name: str | None = None
    starts_at: str | None = None
    ends_at: str | None = None
    fee: Amount | None = None
    same_day: bool | None = None
    same_day_cutoff: str | None = None
    clear_cutoff: bool = False
    capacity: int | None = None
    clear_capacity: bool = False
    weekdays: Sequence[int] | None = None
    clear_weekdays: bool = False
    active: bool | None = None


class UpdateSlot(_Writer):
    async def execute(self, principal: Principal, command: UpdateSlotCommand) -> SlotOut:
        await self._authorizer.require(principal, Role.MANAGER, "delivery.slot.update")
        # The shop first: its read takes a connection of its own, which on SQLite would wait
        # behind the transaction the repository's read below begins.
        shop = await _shop(self._shops, principal.vendor_id)
        slot = await self._repository.get_slot(principal.vendor_id, command.slot_id)
        if slot is None:
            raise SlotNotFound()
        checks = Checks()
        fee = _money(checks, command.fee, "fee")
        changed = checks.finish(
            lambda: slot.changed(
                name=command.name,
                starts_at=command.starts_at,
                ends_at=command.ends_at,
                fee=fee,
                same_day=command.same_day,
                same_day_cutoff=command.same_day_cutoff,
                clear_cutoff=command.clear_cutoff,
                capacity=command.capacity,
                clear_capacity=command.clear_capacity,
                weekdays=command.weekdays,
                clear_weekdays=command.clear_weekdays,
                active=command.active,
            )
        )
        _in_shops_currency(shop, fee=fee)
        if changed != slot:
            await self._repository.update_slot(changed)
        await self._uow.commit()
        return SlotOut.of(changed)


class RetireSlot(_Writer):
    """A slot orders may already name is never deleted: it stops being offered (``active`` false)."""

    async def execute(self, principal: Principal, slot_id: UUID) -> None:
        await self._authorizer.require(principal, Role.MANAGER, "delivery.slot.delete")
        slot = await self._repository.get_slot(principal.vendor_id, slot_id)
        if slot is None:
            raise SlotNotFound()
        if slot.active:
            await self._repository.update_slot(slot.changed(active=False))
        await self._uow.commit()


# -- blackout dates --


@dataclass(frozen=True, slots=True)
class CreateBlackoutCommand:
    on: date
    reason: str


class CreateBlackout(_Writer):
    async def execute(self, principal: Principal, command: CreateBlackoutCommand) -> BlackoutOut:
        await self._authorizer.require(principal, Role.MANAGER, "delivery.blackout.create")
        blackout = BlackoutDate.create(
            vendor_id=principal.vendor_id, on=command.on, reason=command.reason, at=self._clock.now()
        )
        await self._repository.add_blackout(blackout)
        await self._uow.commit()
        return BlackoutOut.of(blackout)


class DeleteBlackout(_Writer):
    async def execute(self, principal: Principal, blackout_id: UUID) -> None:
        await self._authorizer.require(principal, Role.MANAGER, "delivery.blackout.delete")
        if not await self._repository.delete_blackout(principal.vendor_id, blackout_id):
            raise BlackoutNotFound()
        await self._uow.commit()

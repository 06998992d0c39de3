"""The delivery repository (zones, slots, blackout dates in and out as domain entities) and the
slot counters capacity is taken from.

Zone writers of one shop are serialised by ``lock_zones``: on PostgreSQL a transaction-scoped
advisory lock keyed by the shop, so two managers adding overlapping zones at once cannot both
pass the overlap check; on SQLite (``dev``) ``BEGIN IMMEDIATE`` already serialises writers.

A take is ``INSERT ... ON CONFLICT DO NOTHING`` of the (slot, date) counter row at zero, then one
conditional ``UPDATE ... SET taken = taken + 1 WHERE taken < :capacity RETURNING``: concurrent takes
queue on the row lock and each re-reads ``taken`` after the one before commits (READ COMMITTED
re-evaluates the WHERE on the new row version), so exactly ``capacity`` succeed."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, time
from typing import Any
from uuid import UUID

from advanced_alchemy.repository import SQLAlchemyAsyncRepository
from sqlalchemy import Table, delete, func, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from application.delivery.errors import BlackoutDateTaken
from domain.delivery.slot import BlackoutDate, DeliverySlot
from domain.delivery.zone import DeliveryZone
from domain.shared.money import Money
from infrastructure.db.errors import application_errors
from infrastructure.delivery.models import (
    BlackoutDateModel,
    DeliverySlotModel,
    DeliveryZoneModel,
    SlotBookingModel,
    SlotCounterModel,
)

_zones: Table = DeliveryZoneModel.__table__  # type: ignore[assignment]
_slots: Table = DeliverySlotModel.__table__  # type: ignore[assignment]
_blackouts: Table = BlackoutDateModel.__table__  # type: ignore[assignment]
_counters: Table = SlotCounterModel.__table__  # type: ignore[assignment]
_bookings: Table = SlotBookingModel.__table__  # type: ignore[assignment]


def minutes(value: time) -> int:
    return value.hour * 60 + value.minute


def clock_time(value: int) -> time:
    return time(value // 60, value % 60)


def json_list(value: Any) -> list[Any] | None:
    if isinstance(value, str):  # a driver that hands JSON back as text
        value = json.loads(value)
    return None if value is None else list(value)


ZONE_COLUMNS = (
    _zones.c.id,
    _zones.c.vendor_id,
    _zones.c.name,
    _zones.c.postal_codes,
    _zones.c.fee_minor,
    _zones.c.min_subtotal_minor,
    _zones.c.currency,
    _zones.c.active,
    _zones.c.created_at,
)
SLOT_COLUMNS = (
    _slots.c.id,
    _slots.c.vendor_id,
    _slots.c.name,
    _slots.c.starts_minute,
    _slots.c.ends_minute,
    _slots.c.weekdays,
    _slots.c.fee_minor,
    _slots.c.currency,
    _slots.c.same_day,
    _slots.c.cutoff_minute,
    _slots.c.capacity,
    _slots.c.active,
    _slots.c.created_at,
)


def zone_of(row: Sequence[Any]) -> DeliveryZone:
    """A row of ``ZONE_COLUMNS``, by position."""
    currency = row[6]
    return DeliveryZone(
        id=row[0],
        vendor_id=row[1],
        name=row[2],
        postal_codes=tuple(json_list(row[3]) or ()),
        fee=Money(row[4], currency),
        min_subtotal=Money(row[5], currency) if row[5] is not None else None,
        active=bool(row[7]),
        created_at=row[8],
    )


def slot_of(row: Sequence[Any]) -> DeliverySlot:
    """A row of ``SLOT_COLUMNS``, by position."""
    weekdays = json_list(row[5])
    return DeliverySlot(
        id=row[0],
        vendor_id=row[1],
        name=row[2],
        starts_at=clock_time(row[3]),
        ends_at=clock_time(row[4]),
        weekdays=frozenset(int(day) for day in weekdays) if weekdays is not None else None,
        fee=Money(row[6], row[7]),
        same_day=bool(row[8]),
        same_day_cutoff=clock_time(row[9]) if row[9] is not None else None,
        capacity=row[10],
        active=bool(row[11]),
        created_at=row[12],
    )


def _zone_values(zone: DeliveryZone) -> dict[str, Any]:
    return {
        "name": zone.name,
        "postal_codes": list(zone.postal_codes),
        "fee_minor": zone.fee.amount_minor,
        "min_subtotal_minor": zone.min_subtotal.amount_minor if zone.min_subtotal is not None else None,
        "currency": zone.fee.currency,
        "active": zone.active,
    }


def _slot_values(slot: DeliverySlot) -> dict[str, Any]:
    return {
        "name": slot.name,
        "starts_minute": minutes(slot.starts_at),
        "ends_minute": minutes(slot.ends_at),
        "weekdays": sorted(slot.weekdays) if slot.weekdays is not None else None,
        "fee_minor": slot.fee.amount_minor,
        "currency": slot.fee.currency,
        "same_day": slot.same_day,
        "cutoff_minute": minutes(slot.same_day_cutoff) if slot.same_day_cutoff is not None else None,
        "capacity": slot.capacity,
        "active": slot.active,
    }


class _ZoneRows(SQLAlchemyAsyncRepository[DeliveryZoneModel]):
    model_type = DeliveryZoneModel

    def __init__(self, session: AsyncSession) -> None:
        super().__init__(
            session=session, auto_commit=False, auto_expunge=False, auto_refresh=False, wrap_exceptions=False
        )


class _SlotRows(SQLAlchemyAsyncRepository[DeliverySlotModel]):
    model_type = DeliverySlotModel

    def __init__(self, session: AsyncSession) -> None:
        super().__init__(
            session=session, auto_commit=False, auto_expunge=False, auto_refresh=False, wrap_exceptions=False
        )


class SqlDeliveryRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._zone_rows = _ZoneRows(session)
        self._slot_rows = _SlotRows(session)

    @property
    def _postgres(self) -> bool:
        bind = self._session.bind
        return bind is not None and bind.dialect.name == "postgresql"

    async def _run(self, statement: Any) -> Any:
        with application_errors():
            return await self._session.execute(statement)

    async def lock_zones(self, vendor_id: UUID) -> list[DeliveryZone]:
        if self._postgres:
            key = text("SELECT pg_advisory_xact_lock(hashtextextended('delivery_zones:' || :vendor, 0))")
            await self._run(key.bindparams(vendor=str(vendor_id)))
        result = await self._run(select(*ZONE_COLUMNS).where(_zones.c.vendor_id == vendor_id).order_by(_zones.c.id))
        return [zone_of(row) for row in result]

    async def get_zone(self, vendor_id: UUID, zone_id: UUID) -> DeliveryZone | None:
        result = await self._run(select(*ZONE_COLUMNS).where(_zones.c.vendor_id == vendor_id, _zones.c.id == zone_id))
        row = result.first()
        return zone_of(row) if row is not None else None

    async def add_zone(self, zone: DeliveryZone) -> None:
        row = DeliveryZoneModel(id=zone.id, vendor_id=zone.vendor_id, **_zone_values(zone))
        if zone.created_at is not None:
            row.created_at = zone.created_at
        with application_errors():
            await self._zone_rows.add(row)

    async def update_zone(self, zone: DeliveryZone) -> None:
        await self._run(
            update(_zones)
            .where(_zones.c.vendor_id == zone.vendor_id, _zones.c.id == zone.id)
            .values(**_zone_values(zone), updated_at=func.now())
        )

    async def delete_zone(self, vendor_id: UUID, zone_id: UUID) -> bool:
        result = await self._run(delete(_zones).where(_zones.c.vendor_id == vendor_id, _zones.c.id == zone_id))
        return bool(result.rowcount)

    async def get_slot(self, vendor_id: UUID, slot_id: UUID) -> DeliverySlot | None:
        result = await self._run(select(*SLOT_COLUMNS).where(_slots.c.vendor_id == vendor_id, _slots.c.id == slot_id))
        row = result.first()
        return slot_of(row) if row is not None else None

    async def add_slot(self, slot: DeliverySlot) -> None:
        row = DeliverySlotModel(id=slot.id, vendor_id=slot.vendor_id, **_slot_values(slot))
        if slot.created_at is not None:
            row.created_at = slot.created_at
        with application_errors():
            await self._slot_rows.add(row)

    async def update_slot(self, slot: DeliverySlot) -> None:
        await self._run(
            update(_slots)
            .where(_slots.c.vendor_id == slot.vendor_id, _slots.c.id == slot.id)
            .values(**_slot_values(slot), updated_at=func.now())
        )

    async def add_blackout(self, blackout: BlackoutDate) -> None:
        taken = await self._run(
            select(_blackouts.c.id).where(
                _blackouts.c.vendor_id == blackout.vendor_id, _blackouts.c.on_date == blackout.on
            )
        )
        if taken.first() is not None:
            raise BlackoutDateTaken()
        row = BlackoutDateModel(
            id=blackout.id, vendor_id=blackout.vendor_id, on_date=blackout.on, reason=blackout.reason
        )
        if blackout.created_at is not None:
            row.created_at = blackout.created_at
        self._session.add(row)
        try:
            with application_errors():
                await self._session.flush()
        except IntegrityError:  # the same date blacked out concurrently
            raise BlackoutDateTaken() from None

    async def delete_blackout(self, vendor_id: UUID, blackout_id: UUID) -> bool:
        result = await self._run(
            delete(_blackouts).where(_blackouts.c.vendor_id == vendor_id, _blackouts.c.id == blackout_id)
        )
        return bool(result.rowcount)


class SqlSlotCounters:
    """Per (slot, date) counters, taken by one conditional UPDATE each, and the bookings that say
    which slot and date each booking (an order) holds, so that a take or give-back repeated for the
    same order changes nothing."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def _run(self, statement: Any) -> Any:
        with application_errors():
            return await self._session.execute(statement)

    def _insert(self, table: Table) -> Any:
        bind = self._session.bind
        return (postgresql.insert if bind is not None and bind.dialect.name == "postgresql" else sqlite.insert)(table)

    async def take(self, vendor_id: UUID, booking_id: UUID, slot_id: UUID, on: date, capacity: int | None) -> bool:
        held = await self._held(vendor_id, booking_id)
        if held == (slot_id, on):
            return True  # already booked there: an order retried
        if not await self._count_one_more(vendor_id, slot_id, on, capacity):
            # Full; unless the same booking was taken there concurrently, and that take filled it.
            return await self._held(vendor_id, booking_id) == (slot_id, on)
        if held is not None:  # moved: from the slot and date it held
            await self._run(
                update(_bookings)
                .where(_bookings.c.vendor_id == vendor_id, _bookings.c.booking_id == booking_id)
                .values(slot_id=slot_id, on_date=on)
            )
            await self._count_one_fewer(vendor_id, *held)
            return True
        booked = await self._run(
            self._insert(_bookings)
            .values(vendor_id=vendor_id, booking_id=booking_id, slot_id=slot_id, on_date=on)
            .on_conflict_do_nothing(index_elements=[_bookings.c.vendor_id, _bookings.c.booking_id])
            .returning(_bookings.c.id)
        )
        if booked.first() is not None:
            return True
        # The same booking was taken concurrently, and that take committed first (this insert
        # waited for it): this count is undone, and the take starts over from what it holds now.
        await self._count_one_fewer(vendor_id, slot_id, on)
        return await self.take(vendor_id, booking_id, slot_id, on, capacity)

    async def give_back(self, vendor_id: UUID, booking_id: UUID) -> bool:
        ended = await self._run(
            delete(_bookings)
            .where(_bookings.c.vendor_id == vendor_id, _bookings.c.booking_id == booking_id)
            .returning(_bookings.c.slot_id, _bookings.c.on_date)
        )
        row = ended.first()
        if row is None:
            return False  # never taken, or given back already (a concurrent give-back waited, then found none)
        await self._count_one_fewer(vendor_id, row.slot_id, row.on_date)
        return True

    async def _held(self, vendor_id: UUID, booking_id: UUID) -> tuple[UUID, date] | None:
        """The slot and date the booking holds, its row locked until the caller's commit."""
        result = await self._run(
            select(_bookings.c.slot_id, _bookings.c.on_date)
            .where(_bookings.c.vendor_id == vendor_id, _bookings.c.booking_id == booking_id)
            .with_for_update()
        )
        row = result.first()
        return None if row is None else (row.slot_id, row.on_date)

    async def _count_one_more(self, vendor_id: UUID, slot_id: UUID, on: date, capacity: int | None) -> bool:
        """One upsert: the first delivery of the slot and date inserts its counter at 1 (capacity is
        at least 1); a later one adds one to it only while fewer than ``capacity`` are counted. The
        conflicting row is locked, so concurrent takes add one after another, each seeing the last."""
        statement = (
            self._insert(_counters)
            .values(slot_id=slot_id, on_date=on, vendor_id=vendor_id, taken=1)
            .on_conflict_do_update(
                index_elements=[_counters.c.slot_id, _counters.c.on_date],
                set_={"taken": _counters.c.taken + 1},
                where=None if capacity is None else _counters.c.taken < capacity,
            )
            .returning(_counters.c.taken)
        )
        return (await self._run(statement)).first() is not None

    async def _count_one_fewer(self, vendor_id: UUID, slot_id: UUID, on: date) -> None:
        await self._run(
            update(_counters)
            .where(
                _counters.c.vendor_id == vendor_id,
                _counters.c.slot_id == slot_id,
                _counters.c.on_date == on,
                _counters.c.taken > 0,
            )
            .values(taken=_counters.c.taken - 1)
        )

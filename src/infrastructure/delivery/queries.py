"""The delivery context's query services: each read is one SQL statement (SQLAlchemy Core, built
once at import) run through ``SqlReads``, the tenant filter inside it, rows mapped by position
(asyncpg records on PostgreSQL, SQLAlchemy rows on SQLite). Availability's planning is two: the
shop's active zones, and its active slots with their count on the date and whether the date is
blacked out (with no slot there is nothing to answer, so no row needs to carry that)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any
from uuid import UUID

from sqlalchemy import Select, Table, and_, bindparam, exists, func, literal_column, select

from application.delivery.ports import Planning
from application.delivery.views import BlackoutOut, SlotOut, ZoneOut
from application.shared.pagination import Page, PageRequest
from infrastructure.db.reads import SqlReads
from infrastructure.delivery.models import BlackoutDateModel, DeliverySlotModel, DeliveryZoneModel, SlotCounterModel
from infrastructure.delivery.repositories import SLOT_COLUMNS, ZONE_COLUMNS, slot_of, zone_of

_zones: Table = DeliveryZoneModel.__table__  # type: ignore[assignment]
_slots: Table = DeliverySlotModel.__table__  # type: ignore[assignment]
_blackouts: Table = BlackoutDateModel.__table__  # type: ignore[assignment]
_counters: Table = SlotCounterModel.__table__  # type: ignore[assignment]
_TOTAL = func.count().over().label("total")

_BLACKOUT_COLUMNS = (_blackouts.c.id, _blackouts.c.on_date, _blackouts.c.reason, _blackouts.c.created_at)


def _paged(statement: Select[Any]) -> Select[Any]:
    return statement.limit(bindparam("limit")).offset(bindparam("offset"))


_ZONE = select(*ZONE_COLUMNS).where(_zones.c.vendor_id == bindparam("vendor_id"), _zones.c.id == bindparam("zone_id"))
_ZONES = _paged(
    select(*ZONE_COLUMNS, _TOTAL)
    .where(_zones.c.vendor_id == bindparam("vendor_id"))
    .order_by(_zones.c.name, _zones.c.id)
)
_ZONE_COUNT = select(func.count()).select_from(_zones).where(_zones.c.vendor_id == bindparam("vendor_id"))
_ACTIVE_ZONES = select(*ZONE_COLUMNS).where(_zones.c.vendor_id == bindparam("vendor_id"), _zones.c.active.is_(True))

_SLOT = select(*SLOT_COLUMNS).where(_slots.c.vendor_id == bindparam("vendor_id"), _slots.c.id == bindparam("slot_id"))
_SLOTS = _paged(
    select(*SLOT_COLUMNS, _TOTAL)
    .where(_slots.c.vendor_id == bindparam("vendor_id"))
    .order_by(_slots.c.starts_minute, _slots.c.ends_minute, _slots.c.name, _slots.c.id)
)
_SLOT_COUNT = select(func.count()).select_from(_slots).where(_slots.c.vendor_id == bindparam("vendor_id"))
_BLACKED_OUT = (
    exists()
    .where(_blackouts.c.vendor_id == bindparam("vendor_id"), _blackouts.c.on_date == bindparam("on"))
    .correlate(None)
    .label("blacked_out")
)
_PLANNED_SLOTS = (
    select(*SLOT_COLUMNS, func.coalesce(_counters.c.taken, literal_column("0")).label("taken"), _BLACKED_OUT)
    .select_from(
        _slots.outerjoin(
            _counters,
            and_(_counters.c.slot_id == _slots.c.id, _counters.c.on_date == bindparam("on")),
        )
    )
    .where(_slots.c.vendor_id == bindparam("vendor_id"), _slots.c.active.is_(True))
)

_BLACKOUT = select(*_BLACKOUT_COLUMNS).where(
    _blackouts.c.vendor_id == bindparam("vendor_id"), _blackouts.c.id == bindparam("blackout_id")
)
_SINCE = _blackouts.c.on_date >= bindparam("since")
_BLACKOUTS = _paged(
    select(*_BLACKOUT_COLUMNS, _TOTAL)
    .where(_blackouts.c.vendor_id == bindparam("vendor_id"))
    .order_by(_blackouts.c.on_date)
)
_BLACKOUTS_SINCE = _paged(
    select(*_BLACKOUT_COLUMNS, _TOTAL)
    .where(_blackouts.c.vendor_id == bindparam("vendor_id"), _SINCE)
    .order_by(_blackouts.c.on_date)
)
_BLACKOUT_COUNT = select(func.count()).select_from(_blackouts).where(_blackouts.c.vendor_id == bindparam("vendor_id"))
_BLACKOUT_COUNT_SINCE = (
    select(func.count()).select_from(_blackouts).where(_blackouts.c.vendor_id == bindparam("vendor_id"), _SINCE)
)


def _blackout(row: Sequence[Any]) -> BlackoutOut:
    return BlackoutOut(id=row[0], date=row[1], reason=row[2], created_at=row[3])


class SqlDeliveryQueries:
    def __init__(self, reads: SqlReads) -> None:
        self._reads = reads

    async def zone(self, vendor_id: UUID, zone_id: UUID) -> ZoneOut | None:
        rows = await self._reads.rows(_ZONE, {"vendor_id": vendor_id, "zone_id": zone_id})
        return ZoneOut.of(zone_of(rows[0])) if rows else None

    async def zones(self, vendor_id: UUID, page: PageRequest) -> Page[ZoneOut]:
        rows, total = await self._reads.page(_ZONES, _ZONE_COUNT, {"vendor_id": vendor_id}, page)
        return Page([ZoneOut.of(zone_of(row)) for row in rows], total, page.limit, page.offset)

    async def slot(self, vendor_id: UUID, slot_id: UUID) -> SlotOut | None:
        rows = await self._reads.rows(_SLOT, {"vendor_id": vendor_id, "slot_id": slot_id})
        return SlotOut.of(slot_of(rows[0])) if rows else None

    async def slots(self, vendor_id: UUID, page: PageRequest) -> Page[SlotOut]:
        rows, total = await self._reads.page(_SLOTS, _SLOT_COUNT, {"vendor_id": vendor_id}, page)
        return Page([SlotOut.of(slot_of(row)) for row in rows], total, page.limit, page.offset)

    async def blackout(self, vendor_id: UUID, blackout_id: UUID) -> BlackoutOut | None:
        rows = await self._reads.rows(_BLACKOUT, {"vendor_id": vendor_id, "blackout_id": blackout_id})
        return _blackout(rows[0]) if rows else None

    async def blackouts(self, vendor_id: UUID, page: PageRequest, since: date | None) -> Page[BlackoutOut]:
        if since is None:
            rows, total = await self._reads.page(_BLACKOUTS, _BLACKOUT_COUNT, {"vendor_id": vendor_id}, page)
        else:
            params = {"vendor_id": vendor_id, "since": since}
            rows, total = await self._reads.page(_BLACKOUTS_SINCE, _BLACKOUT_COUNT_SINCE, params, page)
        return Page([_blackout(row) for row in rows], total, page.limit, page.offset)

    async def planning(self, vendor_id: UUID, on: date) -> Planning:
        zones = await self._reads.rows(_ACTIVE_ZONES, {"vendor_id": vendor_id})
        slots = await self._reads.rows(_PLANNED_SLOTS, {"vendor_id": vendor_id, "on": on})
        return Planning(
            zones=[zone_of(row) for row in zones],
            slots=[slot_of(row) for row in slots],
            blacked_out=bool(slots[0][14]) if slots else False,
            taken={row[0]: int(row[13]) for row in slots},
        )

"""The stock context's query services: each read is one SQL statement (SQLAlchemy Core, built once
at import), the tenant filter inside it, rows mapped straight into the read models (see
``infrastructure.accounts.queries`` for the pattern). The same statements run on SQLite under ``dev``."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, Select, Table, and_, bindparam, func, literal_column, select

from application.shared.pagination import Page, PageRequest
from application.stock.ports import StockFilter, StockSort
from application.stock.views import (
    ExpiringLotOut,
    LowStockOut,
    MoneyOut,
    MovementOut,
    StockItemOut,
    StockItemRowOut,
    StockLotOut,
)
from domain.stock.item import StockKind, Tracking
from domain.stock.ledger import MovementKind
from infrastructure.db.like import like, like_pattern
from infrastructure.db.reads import SqlReads
from infrastructure.stock.models import StockItemModel, StockLotModel, StockMovementModel

_items: Table = StockItemModel.__table__  # type: ignore[assignment]
_lots: Table = StockLotModel.__table__  # type: ignore[assignment]
_movements: Table = StockMovementModel.__table__  # type: ignore[assignment]
_TOTAL = func.count().over().label("total")
_ZERO: ColumnElement[int] = literal_column("0")  # a constant in the SQL text: the reads pass only named parameters
_AVAILABLE = _items.c.on_hand - _items.c.reserved


def _paged(statement: Select[Any]) -> Select[Any]:
    return statement.limit(bindparam("limit")).offset(bindparam("offset"))


_ITEM_COLUMNS = (
    _items.c.id,
    _items.c.name,
    _items.c.kind,
    _items.c.tracking,
    _items.c.shelf_life_days,
    _items.c.reorder_level,
    _items.c.on_hand,
    _items.c.reserved,
    _items.c.created_at,
)
_LOT_COLUMNS = (
    _lots.c.id,
    _lots.c.quantity,
    _lots.c.on_hand,
    _lots.c.reserved,
    _lots.c.unit_cost_minor,
    _lots.c.currency,
    _lots.c.received_on,
    _lots.c.expires_on,
    _lots.c.created_at,
)

# The item and the lots that still hold stock, in one statement (one row per lot, or one row of
# nulls for the lot columns when none does).
_ITEM = (
    select(*_ITEM_COLUMNS, *_LOT_COLUMNS)
    .select_from(
        _items.outerjoin(
            _lots,
            and_(
                _lots.c.vendor_id == _items.c.vendor_id, _lots.c.stock_item_id == _items.c.id, _lots.c.on_hand > _ZERO
            ),
        )
    )
    .where(_items.c.vendor_id == bindparam("vendor_id"), _items.c.id == bindparam("item_id"))
    .order_by(_lots.c.expires_on, _lots.c.received_on, _lots.c.id)
)

_ITEM_ORDER: dict[StockSort, tuple[Any, ...]] = {
    StockSort.NAME: (func.lower(_items.c.name), _items.c.name, _items.c.id),
    StockSort.NAME_DESC: (func.lower(_items.c.name).desc(), _items.c.name.desc(), _items.c.id.desc()),
    StockSort.CREATED_AT: (_items.c.created_at, _items.c.id),
    StockSort.CREATED_AT_DESC: (_items.c.created_at.desc(), _items.c.id.desc()),
    StockSort.AVAILABLE: (_AVAILABLE, func.lower(_items.c.name), _items.c.id),
    StockSort.AVAILABLE_DESC: (_AVAILABLE.desc(), func.lower(_items.c.name), _items.c.id),
}


def _item_where(by_kind: bool, by_text: bool) -> tuple[ColumnElement[bool], ...]:
    where = [_items.c.vendor_id == bindparam("vendor_id")]
    if by_kind:
        where.append(_items.c.kind == bindparam("kind"))
    if by_text:
        where.append(like(func.lower(_items.c.name), "q"))
    return tuple(where)


# Every filter and order is its own statement, written once (as the staff list does).
_FILTERS = [(by_kind, by_text) for by_kind in (False, True) for by_text in (False, True)]
_ITEM_PAGES = {
    (by_kind, by_text, sort): _paged(
        select(*_ITEM_COLUMNS, _TOTAL).where(*_item_where(by_kind, by_text)).order_by(*order)
    )
    for by_kind, by_text in _FILTERS
    for sort, order in _ITEM_ORDER.items()
}
_ITEM_COUNTS = {
    (by_kind, by_text): select(func.count()).select_from(_items).where(*_item_where(by_kind, by_text))
    for by_kind, by_text in _FILTERS
}

# An item's ledger, newest first, through the item so that a missing item (no row) differs from
# one without movements (one row of nulls): the window counts movement ids, never the null row.
_ITEM_LEDGER = _items.outerjoin(
    _movements, and_(_movements.c.vendor_id == _items.c.vendor_id, _movements.c.stock_item_id == _items.c.id)
)
_OF_ITEM = (_items.c.vendor_id == bindparam("vendor_id"), _items.c.id == bindparam("item_id"))
_MOVEMENT_PAGE = _paged(
    select(
        _movements.c.id,
        _movements.c.kind,
        _movements.c.quantity,
        _movements.c.stock_item_id,
        _movements.c.lot_id,
        _movements.c.order_id,
        _movements.c.reason,
        _movements.c.at,
        func.count(_movements.c.id).over().label("total"),
    )
    .select_from(_ITEM_LEDGER)
    .where(*_OF_ITEM)
    .order_by(_movements.c.at.desc(), _movements.c.id.desc())
)
_MOVEMENT_COUNT = (  # grouped, so a missing item gives no row rather than a count of 0
    select(func.count(_movements.c.id)).select_from(_ITEM_LEDGER).where(*_OF_ITEM).group_by(_items.c.id)
)

_EXPIRING_WHERE = (
    _lots.c.vendor_id == bindparam("vendor_id"),
    _lots.c.on_hand > _ZERO,
    _lots.c.expires_on <= bindparam("until"),
)
_EXPIRING_FROM = _lots.join(_items, and_(_items.c.vendor_id == _lots.c.vendor_id, _items.c.id == _lots.c.stock_item_id))
_EXPIRING_PAGE = _paged(
    select(
        _lots.c.id,
        _lots.c.stock_item_id,
        _items.c.name,
        _items.c.kind,
        _lots.c.on_hand,
        _lots.c.reserved,
        _lots.c.received_on,
        _lots.c.expires_on,
        _TOTAL,
    )
    .select_from(_EXPIRING_FROM)
    .where(*_EXPIRING_WHERE)
    .order_by(_lots.c.expires_on, func.lower(_items.c.name), _lots.c.id)
)
_EXPIRING_COUNT = select(func.count()).select_from(_lots).where(*_EXPIRING_WHERE)

_LOW_WHERE = (_items.c.vendor_id == bindparam("vendor_id"), _items.c.reorder_level > _AVAILABLE)
_LOW_PAGE = _paged(
    select(
        _items.c.id,
        _items.c.name,
        _items.c.kind,
        _items.c.tracking,
        _items.c.reorder_level,
        _items.c.on_hand,
        _items.c.reserved,
        _TOTAL,
    )
    .where(*_LOW_WHERE)
    .order_by((_items.c.reorder_level - _AVAILABLE).desc(), func.lower(_items.c.name), _items.c.id)
)
_LOW_COUNT = select(func.count()).select_from(_items).where(*_LOW_WHERE)


def _row(row: Sequence[Any]) -> StockItemRowOut:
    return StockItemRowOut(
        id=row[0],
        name=row[1],
        kind=StockKind(row[2]),
        tracking=Tracking(row[3]),
        shelf_life_days=row[4],
        reorder_level=row[5],
        on_hand=row[6],
        reserved=row[7],
        available=row[6] - row[7],
        created_at=row[8],
    )


class SqlStockQueries:
    def __init__(self, reads: SqlReads) -> None:
        self._reads = reads

    async def get(self, vendor_id: UUID, item_id: UUID) -> StockItemOut | None:
        rows = await self._reads.rows(_ITEM, {"vendor_id": vendor_id, "item_id": item_id})
        if not rows:
            return None
        item = _row(rows[0])
        lots = [
            StockLotOut(
                id=row[9],
                stock_item_id=item.id,
                quantity=row[10],
                on_hand=row[11],
                reserved=row[12],
                available=row[11] - row[12],
                unit_cost=MoneyOut(row[13], row[14]),
                received_on=row[15],
                expires_on=row[16],
                created_at=row[17],
            )
            for row in rows
            if row[9] is not None
        ]
        return StockItemOut(
            id=item.id,
            name=item.name,
            kind=item.kind,
            tracking=item.tracking,
            shelf_life_days=item.shelf_life_days,
            reorder_level=item.reorder_level,
            on_hand=item.on_hand,
            reserved=item.reserved,
            available=item.available,
            created_at=item.created_at,
            lots=lots,
        )

    async def page(self, vendor_id: UUID, page: PageRequest, where: StockFilter) -> Page[StockItemRowOut]:
        params: dict[str, Any] = {"vendor_id": vendor_id}
        if where.kind is not None:
            params["kind"] = where.kind.value
        if where.q:
            params["q"] = like_pattern(where.q.lower())
        key = (where.kind is not None, bool(where.q))
        rows, total = await self._reads.page(_ITEM_PAGES[(*key, where.sort)], _ITEM_COUNTS[key], params, page)
        return Page(items=[_row(row) for row in rows], total=total, limit=page.limit, offset=page.offset)

    async def movements(self, vendor_id: UUID, item_id: UUID, page: PageRequest) -> Page[MovementOut] | None:
        params = {"vendor_id": vendor_id, "item_id": item_id}
        rows = await self._reads.rows(_MOVEMENT_PAGE, {**params, "limit": page.limit, "offset": page.offset})
        if rows:
            total = int(rows[0][-1])
        else:  # past the last row (or no such item): only then a second statement counts
            counted = await self._reads.rows(_MOVEMENT_COUNT, params)
            if not counted:
                return None
            total = int(counted[0][0])
        items = [
            MovementOut(
                id=row[0],
                kind=MovementKind(row[1]),
                quantity=row[2],
                stock_item_id=row[3],
                lot_id=row[4],
                order_id=row[5],
                reason=row[6],
                at=row[7],
            )
            for row in rows
            if row[0] is not None
        ]
        return Page(items=items, total=total, limit=page.limit, offset=page.offset)

    async def expiring(self, vendor_id: UUID, until: date, today: date, page: PageRequest) -> Page[ExpiringLotOut]:
        params = {"vendor_id": vendor_id, "until": until}
        rows, total = await self._reads.page(_EXPIRING_PAGE, _EXPIRING_COUNT, params, page)
        items = [
            ExpiringLotOut(
                lot_id=row[0],
                stock_item_id=row[1],
                stock_item_name=row[2],
                kind=StockKind(row[3]),
                on_hand=row[4],
                reserved=row[5],
                available=row[4] - row[5],
                received_on=row[6],
                expires_on=row[7],
                days_left=(row[7] - today).days,
            )
            for row in rows
        ]
        return Page(items=items, total=total, limit=page.limit, offset=page.offset)

    async def low(self, vendor_id: UUID, page: PageRequest) -> Page[LowStockOut]:
        rows, total = await self._reads.page(_LOW_PAGE, _LOW_COUNT, {"vendor_id": vendor_id}, page)
        items = [
            LowStockOut(
                id=row[0],
                name=row[1],
                kind=StockKind(row[2]),
                tracking=Tracking(row[3]),
                reorder_level=row[4],
                on_hand=row[5],
                reserved=row[6],
                available=row[5] - row[6],
                shortfall=row[4] - (row[5] - row[6]),
            )
            for row in rows
        ]
        return Page(items=items, total=total, limit=page.limit, offset=page.offset)

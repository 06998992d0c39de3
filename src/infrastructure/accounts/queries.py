"""The accounts context's query services: each read is one SQL statement (SQLAlchemy Core, built
once at import), the tenant filter inside it, the page's total from ``count(*) OVER ()``, rows
mapped straight into the read models. No ORM entity, no unit of work, no session: the statement
runs in autocommit (no BEGIN/ROLLBACK round trips) on a pooled connection held for that statement
only. The same statements run on SQLite under ``dev``.

This is the pattern every context's reads copy (README, "Reads: query services")."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, Select, bindparam, func, select

from application.accounts.ports import StaffFilter, StaffSort
from application.accounts.views import MeOut, MeVendorOut, SecurityEventOut, UserOut, VendorOut, card_message_max
from application.shared.pagination import Page, PageRequest
from application.shared.security_events import SecurityEventKind
from domain.shared.role import Role
from infrastructure.accounts.models import SecurityEventModel, StaffUserModel, VendorModel
from infrastructure.db.reads import SqlReads

_vendors = VendorModel.__table__
_users = StaffUserModel.__table__
_events = SecurityEventModel.__table__
_TOTAL = func.count().over().label("total")


def _paged(statement: Select[Any]) -> Select[Any]:
    return statement.limit(bindparam("limit")).offset(bindparam("offset"))


_VENDOR_COLUMNS = (
    _vendors.c.id,
    _vendors.c.name,
    _vendors.c.slug,
    _vendors.c.timezone,
    _vendors.c.currency,
    _vendors.c.country,
    _vendors.c.settings,
    _vendors.c.active,
    _vendors.c.created_at,
)
_VENDOR = select(*_VENDOR_COLUMNS).where(_vendors.c.id == bindparam("vendor_id"))
_VENDOR_PAGE = _paged(select(*_VENDOR_COLUMNS, _TOTAL).order_by(_vendors.c.created_at, _vendors.c.id))
_VENDOR_COUNT = select(func.count()).select_from(_vendors)

_STAFF_COLUMNS = (
    _users.c.id,
    _users.c.vendor_id,
    _users.c.email,
    _users.c.full_name,
    _users.c.role,
    _users.c.active,
    _users.c.created_at,
)
_STAFF_ORDER: dict[StaffSort, tuple[Any, ...]] = {
    StaffSort.CREATED_AT: (_users.c.created_at, _users.c.id),
    StaffSort.CREATED_AT_DESC: (_users.c.created_at.desc(), _users.c.id.desc()),
    StaffSort.NAME: (func.lower(_users.c.full_name), _users.c.full_name, _users.c.id),
    StaffSort.NAME_DESC: (func.lower(_users.c.full_name).desc(), _users.c.full_name.desc(), _users.c.id.desc()),
}


def _staff_where(by_role: bool, by_active: bool) -> tuple[ColumnElement[bool], ...]:
    where = [_users.c.vendor_id == bindparam("vendor_id")]
    if by_role:
        where.append(_users.c.role == bindparam("role"))
    if by_active:
        where.append(_users.c.active == bindparam("active"))
    return tuple(where)


# Every filter and order the staff list offers is its own statement, written here once: each stays
# a module constant (compiled once by ``SqlReads``) and PostgreSQL sees a plain WHERE, not an
# ``(:role IS NULL OR …)`` it could not plan for.
_FILTERS = [(by_role, by_active) for by_role in (False, True) for by_active in (False, True)]
_STAFF_PAGES = {
    (by_role, by_active, sort): _paged(
        select(*_STAFF_COLUMNS, _TOTAL).where(*_staff_where(by_role, by_active)).order_by(*order)
    )
    for by_role, by_active in _FILTERS
    for sort, order in _STAFF_ORDER.items()
}
_STAFF_COUNTS = {
    (by_role, by_active): select(func.count()).select_from(_users).where(*_staff_where(by_role, by_active))
    for by_role, by_active in _FILTERS
}
_STAFF_ONE = select(*_STAFF_COLUMNS).where(
    _users.c.vendor_id == bindparam("vendor_id"), _users.c.id == bindparam("user_id")
)
_EVERYONE = StaffFilter()
# The caller and their shop in one statement (the shop is always there: a foreign key).
_ME = (
    select(
        _users.c.id,
        _users.c.email,
        _users.c.full_name,
        _users.c.role,
        _users.c.vendor_id,
        _vendors.c.name,
        _vendors.c.slug,
        _vendors.c.timezone,
        _vendors.c.currency,
    )
    .select_from(_users.join(_vendors, _vendors.c.id == _users.c.vendor_id))
    .where(
        _users.c.vendor_id == bindparam("vendor_id"),
        _users.c.id == bindparam("user_id"),
        _users.c.active.is_(True),
    )
)

_EVENT_PAGE = _paged(
    select(
        _events.c.id,
        _events.c.at,
        _events.c.kind,
        _events.c.user_id,
        _events.c.client_ip,
        _events.c.request_id,
        _events.c.detail,
        _TOTAL,
    )
    .where(_events.c.vendor_id == bindparam("vendor_id"))
    .order_by(_events.c.at.desc(), _events.c.id.desc())
)
_EVENT_COUNT = select(func.count()).select_from(_events).where(_events.c.vendor_id == bindparam("vendor_id"))


def _vendor(row: Sequence[Any]) -> VendorOut:
    return VendorOut(
        id=row[0],
        name=row[1],
        slug=row[2],
        timezone=row[3],
        currency=row[4],
        country=row[5],
        card_message_max=card_message_max(row[6]),
        active=row[7],
        created_at=row[8],
    )


def _member(row: Sequence[Any]) -> UserOut:
    return UserOut(
        id=row[0],
        vendor_id=row[1],
        email=row[2],
        full_name=row[3],
        role=Role(row[4]),
        active=row[5],
        created_at=row[6],
    )


class SqlVendorQueries:
    def __init__(self, reads: SqlReads) -> None:
        self._reads = reads

    async def get(self, vendor_id: UUID) -> VendorOut | None:
        rows = await self._reads.rows(_VENDOR, {"vendor_id": vendor_id})
        return _vendor(rows[0]) if rows else None

    async def page(self, page: PageRequest) -> Page[VendorOut]:
        rows, total = await self._reads.page(_VENDOR_PAGE, _VENDOR_COUNT, {}, page)
        return Page(items=[_vendor(row) for row in rows], total=total, limit=page.limit, offset=page.offset)


class SqlStaffQueries:
    def __init__(self, reads: SqlReads) -> None:
        self._reads = reads

    async def page(self, vendor_id: UUID, page: PageRequest, where: StaffFilter | None = None) -> Page[UserOut]:
        where = where or _EVERYONE
        params: dict[str, Any] = {"vendor_id": vendor_id}
        if where.role is not None:
            params["role"] = where.role.value
        if where.active is not None:
            params["active"] = where.active
        by_role, by_active = where.role is not None, where.active is not None
        statement = _STAFF_PAGES[by_role, by_active, where.sort]
        rows, total = await self._reads.page(statement, _STAFF_COUNTS[by_role, by_active], params, page)
        return Page(items=[_member(row) for row in rows], total=total, limit=page.limit, offset=page.offset)

    async def get(self, vendor_id: UUID, user_id: UUID) -> UserOut | None:
        rows = await self._reads.rows(_STAFF_ONE, {"vendor_id": vendor_id, "user_id": user_id})
        return _member(rows[0]) if rows else None

    async def me(self, vendor_id: UUID, user_id: UUID) -> MeOut | None:
        rows = await self._reads.rows(_ME, {"vendor_id": vendor_id, "user_id": user_id})
        if not rows:
            return None
        row = rows[0]
        return MeOut(
            id=row[0],
            email=row[1],
            full_name=row[2],
            role=Role(row[3]),
            vendor_id=row[4],
            vendor=MeVendorOut(id=row[4], name=row[5], slug=row[6], timezone=row[7], currency=row[8]),
        )


class SqlSecurityEventQueries:
    def __init__(self, reads: SqlReads) -> None:
        self._reads = reads

    async def page(self, vendor_id: UUID, page: PageRequest) -> Page[SecurityEventOut]:
        rows, total = await self._reads.page(_EVENT_PAGE, _EVENT_COUNT, {"vendor_id": vendor_id}, page)
        items = [
            SecurityEventOut(
                id=row[0],
                at=row[1],
                kind=SecurityEventKind(row[2]),
                user_id=row[3],
                client_ip=row[4],
                request_id=row[5],
                detail=dict(row[6] or {}),
            )
            for row in rows
        ]
        return Page(items=items, total=total, limit=page.limit, offset=page.offset)

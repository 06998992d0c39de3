"""Repositories: SQLAlchemy in, domain entities out. Tenant-owned rows are always filtered by vendor."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, cast
from uuid import UUID, uuid5

from sqlalchemy import ColumnElement, Table, case, func, literal_column, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from application.accounts.errors import EmailTaken, SlugTaken
from application.shared.pagination import Page, PageRequest
from application.shared.security_events import SecurityEvent, SecurityEventKind
from domain.accounts.staff_user import StaffUser
from domain.accounts.vendor import Vendor
from domain.shared.email import Email
from domain.shared.role import Role
from infrastructure.accounts.models import SecurityEventModel, UserModel, VendorModel
from infrastructure.db.errors import application_errors
from infrastructure.logging import get_logger

security_log = get_logger("flower_vendor.security")


def _vendor(row: VendorModel) -> Vendor:
    return Vendor(
        id=row.id,
        name=row.name,
        slug=row.slug,
        timezone=row.timezone,
        currency=row.currency,
        country=row.country,
        settings=dict(row.settings or {}),
        active=row.active,
        created_at=row.created_at,
    )


def _user(row: UserModel) -> StaffUser:
    return StaffUser(
        id=row.id,
        vendor_id=row.vendor_id,
        email=Email(row.email),
        full_name=row.full_name,
        role=Role(row.role),
        active=row.active,
        password_hash=row.password_hash,
        created_at=row.created_at,
        credentials_changed_at=row.credentials_changed_at,
    )


def _latest(stored: datetime | None, new: datetime | None) -> datetime | None:
    """A credential cut-off only moves forward: an instance whose clock runs behind must not
    re-validate tokens another instance already cut off."""
    if stored is None or new is None:
        return new or stored
    return max(stored, new)


def _constraint(error: IntegrityError) -> str:
    return str(getattr(error.orig, "constraint_name", None) or error.orig)


class SqlVendorRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, vendor: Vendor) -> None:
        row = VendorModel(
            id=vendor.id,
            name=vendor.name,
            slug=vendor.slug,
            timezone=vendor.timezone,
            currency=vendor.currency,
            country=vendor.country,
            settings=dict(vendor.settings),
            active=vendor.active,
        )
        if vendor.created_at is not None:
            row.created_at = vendor.created_at
        try:
            async with self._session.begin_nested():
                self._session.add(row)
                await self._session.flush()
        except IntegrityError as error:
            if "slug" in _constraint(error):
                raise SlugTaken from None
            raise

    async def get(self, vendor_id: UUID) -> Vendor | None:
        row = await self._session.get(VendorModel, vendor_id)
        return _vendor(row) if row else None

    async def get_by_slug(self, slug: str) -> Vendor | None:
        row = await self._session.scalar(select(VendorModel).where(VendorModel.slug == slug))
        return _vendor(row) if row else None

    async def update(self, vendor: Vendor) -> None:
        row = await self._session.get(VendorModel, vendor.id)
        if row is None:
            return
        row.name = vendor.name
        row.timezone = vendor.timezone
        row.settings = dict(vendor.settings)
        row.active = vendor.active
        await self._session.flush()

    async def list(self, page: PageRequest) -> Page[Vendor]:
        total = await self._session.scalar(select(func.count()).select_from(VendorModel)) or 0
        rows = await self._session.scalars(
            select(VendorModel).order_by(VendorModel.created_at, VendorModel.id).limit(page.limit).offset(page.offset)
        )
        return Page([_vendor(r) for r in rows], total, page.limit, page.offset)


class SqlStaffRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, user: StaffUser) -> None:
        row = UserModel(
            id=user.id,
            vendor_id=user.vendor_id,
            email=user.email.value,
            full_name=user.full_name,
            role=user.role.value,
            active=user.active,
            password_hash=user.password_hash,
            credentials_changed_at=user.credentials_changed_at,
        )
        if user.created_at is not None:
            row.created_at = user.created_at
        try:
            # A savepoint: a taken email must not poison the caller's transaction.
            async with self._session.begin_nested():
                self._session.add(row)
                await self._session.flush()
        except IntegrityError as error:
            if "email" in _constraint(error):
                raise EmailTaken from None
            raise

    async def get(self, vendor_id: UUID, user_id: UUID, *, lock: bool = False) -> StaffUser | None:
        statement = (
            select(UserModel)
            .where(UserModel.vendor_id == vendor_id, UserModel.id == user_id)
            .execution_options(populate_existing=True)
        )
        if lock and self._postgres:
            statement = statement.with_for_update()
        row = await self._session.scalar(statement)
        return _user(row) if row else None

    async def get_by_email(self, email: Email) -> StaffUser | None:
        row = await self._session.scalar(
            select(UserModel)
            .where(func.lower(UserModel.email) == email.value)
            .execution_options(populate_existing=True)
        )
        return _user(row) if row else None

    async def replace_password_hash(self, user: StaffUser, expected: str) -> bool:
        result = await self._session.execute(
            update(UserModel)
            .where(
                UserModel.vendor_id == user.vendor_id,
                UserModel.id == user.id,
                UserModel.password_hash == expected,
            )
            .values(password_hash=user.password_hash)
            .execution_options(synchronize_session=False)
        )
        return bool(getattr(result, "rowcount", 0))

    @property
    def _postgres(self) -> bool:
        bind = self._session.bind
        return bind is not None and bind.dialect.name == "postgresql"

    async def update(self, user: StaffUser) -> None:
        row = await self._session.scalar(
            select(UserModel).where(UserModel.vendor_id == user.vendor_id, UserModel.id == user.id)
        )
        if row is None:
            return
        row.full_name = user.full_name
        row.role = user.role.value
        row.active = user.active
        row.password_hash = user.password_hash
        row.credentials_changed_at = _latest(row.credentials_changed_at, user.credentials_changed_at)
        await self._session.flush()

    async def cut_off_sessions(self, vendor_id: UUID, user_id: UUID, at: datetime) -> None:
        with application_errors():  # an unreachable database is DependencyUnavailable: logout reacts to it
            await self._session.execute(
                update(UserModel)
                .where(UserModel.vendor_id == vendor_id, UserModel.id == user_id)
                # Never backwards: another instance's clock may run behind the one that wrote last.
                .values(
                    credentials_changed_at=case(
                        (
                            or_(UserModel.credentials_changed_at.is_(None), UserModel.credentials_changed_at < at),
                            at,
                        ),
                        else_=UserModel.credentials_changed_at,
                    )
                )
                .execution_options(synchronize_session=False)
            )

    async def list(self, vendor_id: UUID, page: PageRequest) -> Page[StaffUser]:
        where = UserModel.vendor_id == vendor_id
        total = await self._session.scalar(select(func.count()).select_from(UserModel).where(where)) or 0
        rows = await self._session.scalars(
            select(UserModel)
            .where(where)
            .order_by(UserModel.created_at, UserModel.id)
            .limit(page.limit)
            .offset(page.offset)
        )
        return Page([_user(r) for r in rows], total, page.limit, page.offset)

    async def count_active_owners(self, vendor_id: UUID) -> int:
        statement = select(UserModel.id).where(
            UserModel.vendor_id == vendor_id, UserModel.role == Role.OWNER.value, UserModel.active.is_(True)
        )
        if self._postgres:
            statement = statement.with_for_update()
        return len((await self._session.scalars(statement)).all())


class SqlSecurityEventLog:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def record(self, event: SecurityEvent) -> None:
        detail: dict[str, Any] = dict(event.detail)
        with application_errors():
            self._session.add(
                SecurityEventModel(
                    **({"id": event.id} if event.id is not None else {}),
                    vendor_id=event.vendor_id,
                    at=event.at,
                    kind=event.kind.value,
                    user_id=event.user_id,
                    client_ip=event.client_ip,
                    request_id=event.request_id,
                    detail=detail,
                )
            )
            await self._session.flush()
        _log_event(event, detail)

    async def record_repeated(self, event: SecurityEvent, *, key: str, window: timedelta) -> int:
        """One upsert keyed by the primary key, which is derived from the key and the window: no
        migration, no extra index, and PostgreSQL's ``INSERT … ON CONFLICT DO UPDATE`` counts
        concurrent occurrences one after the other on the one row (no lost count, no second row,
        one row lock per transaction so no deadlock). ``first_at`` is the first occurrence stored,
        which under concurrency may be a few milliseconds after the truly first attempt."""
        seconds = max(1, int(window.total_seconds()))
        window_start = int(event.at.timestamp()) // seconds * seconds
        row_id = aggregate_event_id(key, window_start, event.vendor_id, event.user_id)
        at = event.at.isoformat()
        detail: dict[str, Any] = {**event.detail, "count": 1, "first_at": at, "last_at": at}
        table = _EVENTS
        values = {
            "id": row_id,
            "vendor_id": event.vendor_id,
            "at": event.at,
            "kind": event.kind.value,
            "user_id": event.user_id,
            "client_ip": event.client_ip,
            "request_id": event.request_id,
            "detail": detail,
        }
        newer = "excluded.at > security_events.at"
        latest_detail = f"CASE WHEN {newer} THEN excluded.detail ELSE security_events.detail END"
        statement: Any
        merged: ColumnElement[Any]
        count: ColumnElement[Any]
        if self._dialect == "postgresql":
            statement = postgresql.insert(table).values(values)
            merged = literal_column(
                f"({latest_detail}) || jsonb_build_object("
                "'count', COALESCE((security_events.detail->>'count')::int, 1) + 1, "
                "'first_at', security_events.detail->'first_at')"
            )
            count = literal_column("(security_events.detail->>'count')::int")
        else:
            statement = sqlite.insert(table).values(values)
            merged = literal_column(
                f"json_set({latest_detail}, "
                "'$.count', COALESCE(json_extract(security_events.detail, '$.count'), 1) + 1, "
                "'$.first_at', json_extract(security_events.detail, '$.first_at'))"
            )
            count = literal_column("json_extract(security_events.detail, '$.count')")
        statement = statement.on_conflict_do_update(
            index_elements=[table.c.id],
            set_={
                "detail": merged,
                "at": literal_column(f"CASE WHEN {newer} THEN excluded.at ELSE security_events.at END"),
            },
        ).returning(count)
        with application_errors():
            counted = int(await self._session.scalar(statement) or 1)
        _log_event(event, {**event.detail, "count": counted})
        return counted

    async def restore(self, event: SecurityEvent) -> bool:
        if event.id is None:
            raise ValueError("only an event with its id can be restored")
        table = _EVENTS
        values = {
            "id": event.id,
            "vendor_id": event.vendor_id,
            "at": event.at,
            "kind": event.kind.value,
            "user_id": event.user_id,
            "client_ip": event.client_ip,
            "request_id": event.request_id,
            "detail": dict(event.detail),
        }
        insert = postgresql.insert if self._dialect == "postgresql" else sqlite.insert
        statement = (
            insert(table).values(values).on_conflict_do_nothing(index_elements=[table.c.id]).returning(table.c.id)
        )
        with application_errors():
            stored = await self._session.scalar(statement)
        return stored is not None

    @property
    def _dialect(self) -> str:
        bind = self._session.bind
        return bind.dialect.name if bind is not None else "sqlite"

    async def list(self, vendor_id: UUID, page: PageRequest) -> Page[SecurityEvent]:
        where = SecurityEventModel.vendor_id == vendor_id
        total = await self._session.scalar(select(func.count()).select_from(SecurityEventModel).where(where)) or 0
        rows = await self._session.scalars(
            select(SecurityEventModel)
            .where(where)
            .order_by(SecurityEventModel.at.desc(), SecurityEventModel.id.desc())
            .limit(page.limit)
            .offset(page.offset)
        )
        items = [
            SecurityEvent(
                id=r.id,
                kind=SecurityEventKind(r.kind),
                at=r.at,
                client_ip=r.client_ip,
                request_id=r.request_id,
                vendor_id=r.vendor_id,
                user_id=r.user_id,
                detail=dict(r.detail or {}),
            )
            for r in rows
        ]
        return Page(items, total, page.limit, page.offset)


def _log_event(event: SecurityEvent, detail: dict[str, Any]) -> None:
    security_log.info(
        "security_event",
        kind=event.kind.value,
        vendor_id=str(event.vendor_id) if event.vendor_id else None,
        user_id=str(event.user_id) if event.user_id else None,
        client_ip=event.client_ip,
        **{f"detail_{k}": v for k, v in detail.items()},
    )


_EVENTS = cast(Table, SecurityEventModel.__table__)
_AGGREGATE_NAMESPACE = UUID("6f1c1f55-0d3b-4a53-9a55-2f3b0c8f6a10")


def aggregate_event_id(key: str, window_start: int, vendor_id: UUID | None, user_id: UUID | None) -> UUID:
    """The id of the one row counting ``key``'s occurrences in the window starting at
    ``window_start`` (Unix seconds). A name-based UUID: the key (which holds an email) is hashed."""
    return uuid5(_AGGREGATE_NAMESPACE, f"{vendor_id}|{user_id}|{window_start}|{key}")

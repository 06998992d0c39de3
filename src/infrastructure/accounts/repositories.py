"""Repositories: SQLAlchemy in, domain entities out. Tenant-owned rows are always filtered by vendor.

Each one holds an advanced-alchemy repository for its model and uses it for the plain work (add,
fetch by column, a page with its total); the statements tuned on purpose (compare-and-swap,
monotonic cut-off, counting upsert, SELECT … FOR UPDATE) run on the session directly."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, cast
from uuid import UUID, uuid5

from advanced_alchemy.repository import ModelT, SQLAlchemyAsyncRepository
from sqlalchemy import ColumnElement, Select, Table, case, func, literal_column, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from application.accounts.errors import EmailTaken, SlugTaken
from application.shared.security_events import SecurityEvent
from domain.accounts.staff_user import StaffUser
from domain.accounts.vendor import Vendor
from domain.shared.email import Email
from domain.shared.role import Role
from infrastructure.accounts.models import SecurityEventModel, StaffUserModel, VendorModel
from infrastructure.db.errors import application_errors
from infrastructure.logging import get_logger

security_log = get_logger("flower_vendor.security")


class _Rows(SQLAlchemyAsyncRepository[ModelT]):
    """advanced-alchemy's repository as the application's unit of work needs it: it flushes and
    never commits (a refused action leaves nothing), keeps rows in the session (no expunge) and
    reads nothing back after a flush (no refresh: every column is known before the INSERT).

    ``wrap_exceptions=False``: advanced-alchemy would re-raise every ``StatementError`` (an
    unreachable server's ``OperationalError`` included) as its own ``IntegrityError``, hiding the
    driver error that ``application_errors`` and the HTTP handler turn into 503 or 409; the
    SQLAlchemy exception passes unchanged instead, as it did before.

    Reads do not come here: they go through the query services (``queries.py``), one statement
    each, without a session."""

    def __init__(self, session: AsyncSession) -> None:
        super().__init__(
            session=session, auto_commit=False, auto_expunge=False, auto_refresh=False, wrap_exceptions=False
        )


class _VendorRows(_Rows[VendorModel]):
    model_type = VendorModel


class _StaffUserRows(_Rows[StaffUserModel]):
    model_type = StaffUserModel


class _SecurityEventRows(_Rows[SecurityEventModel]):
    model_type = SecurityEventModel


# One mapping per direction per entity. Domain → row writes onto a new row (add) or onto the stored
# one (update): the fields a change never touches (slug, email, vendor, creation time) carry the
# stored values, so SQLAlchemy leaves them out of the UPDATE.


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


def _vendor_row(vendor: Vendor, row: VendorModel | None = None) -> VendorModel:
    row = VendorModel(id=vendor.id) if row is None else row
    row.name = vendor.name
    row.slug = vendor.slug
    row.timezone = vendor.timezone
    row.currency = vendor.currency
    row.country = vendor.country
    row.settings = dict(vendor.settings)
    row.active = vendor.active
    if vendor.created_at is not None:
        row.created_at = vendor.created_at
    return row


def _user(row: StaffUserModel) -> StaffUser:
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


def _user_row(user: StaffUser, row: StaffUserModel | None = None) -> StaffUserModel:
    row = StaffUserModel(id=user.id) if row is None else row
    row.vendor_id = user.vendor_id
    row.email = user.email.value
    row.full_name = user.full_name
    row.role = user.role.value
    row.active = user.active
    row.password_hash = user.password_hash
    row.credentials_changed_at = _latest(row.credentials_changed_at, user.credentials_changed_at)
    if user.created_at is not None:
        row.created_at = user.created_at
    return row


def _event_values(event: SecurityEvent) -> dict[str, Any]:
    """The event's columns (the ORM row for ``record``, the INSERT values for the upserts); no
    ``id`` when the event has none yet, so the model's default makes one."""
    values: dict[str, Any] = {
        "vendor_id": event.vendor_id,
        "at": event.at,
        "kind": event.kind.value,
        "user_id": event.user_id,
        "client_ip": event.client_ip,
        "request_id": event.request_id,
        "detail": dict(event.detail),
    }
    if event.id is not None:
        values["id"] = event.id
    return values


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
        self._rows = _VendorRows(session)

    async def add(self, vendor: Vendor) -> None:
        try:
            # A savepoint: a taken slug must not poison the caller's transaction.
            async with self._session.begin_nested():
                await self._rows.add(_vendor_row(vendor))  # flushes: a taken slug fails here
        except IntegrityError as error:
            if "slug" in _constraint(error):
                raise SlugTaken from None
            raise

    async def get(self, vendor_id: UUID) -> Vendor | None:
        row = await self._rows.get_one_or_none(id=vendor_id)
        return _vendor(row) if row else None

    async def get_by_slug(self, slug: str) -> Vendor | None:
        row = await self._rows.get_one_or_none(slug=slug)
        return _vendor(row) if row else None

    async def update(self, vendor: Vendor) -> None:
        row = await self._rows.get_one_or_none(id=vendor.id)
        if row is None:
            return
        _vendor_row(vendor, row)
        await self._session.flush()


class SqlStaffRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._rows = _StaffUserRows(session)

    async def add(self, user: StaffUser) -> None:
        try:
            # A savepoint: a taken email must not poison the caller's transaction.
            async with self._session.begin_nested():
                await self._rows.add(_user_row(user))  # flushes: a taken email fails here
        except IntegrityError as error:
            if "email" in _constraint(error):
                raise EmailTaken from None
            raise

    async def get(self, vendor_id: UUID, user_id: UUID, *, lock: bool = False) -> StaffUser | None:
        return await self._one(StaffUserModel.vendor_id == vendor_id, StaffUserModel.id == user_id, lock=lock)

    async def get_by_email(self, email: Email) -> StaffUser | None:
        return await self._one(func.lower(StaffUserModel.email) == email.value)

    async def _one(self, *where: ColumnElement[bool], lock: bool = False) -> StaffUser | None:
        """Kept on the session: the committed state (``populate_existing`` overwrites a row the
        session already holds) and, with ``lock``, ``SELECT … FOR UPDATE`` on PostgreSQL."""
        statement: Select[tuple[StaffUserModel]] = (
            select(StaffUserModel).where(*where).execution_options(populate_existing=True)
        )
        if lock and self._postgres:
            statement = statement.with_for_update()
        row = await self._session.scalar(statement)
        return _user(row) if row else None

    async def replace_password_hash(self, user: StaffUser, expected: str) -> bool:
        result = await self._session.execute(
            update(StaffUserModel)
            .where(
                StaffUserModel.vendor_id == user.vendor_id,
                StaffUserModel.id == user.id,
                StaffUserModel.password_hash == expected,
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
        row = await self._rows.get_one_or_none(vendor_id=user.vendor_id, id=user.id)
        if row is None:
            return
        _user_row(user, row)  # the cut-off never moves backwards (see _latest)
        await self._session.flush()

    async def cut_off_sessions(self, vendor_id: UUID, user_id: UUID, at: datetime) -> None:
        with application_errors():  # an unreachable database is DependencyUnavailable: logout reacts to it
            await self._session.execute(
                update(StaffUserModel)
                .where(StaffUserModel.vendor_id == vendor_id, StaffUserModel.id == user_id)
                # Never backwards: another instance's clock may run behind the one that wrote last.
                .values(
                    credentials_changed_at=case(
                        (
                            or_(
                                StaffUserModel.credentials_changed_at.is_(None),
                                StaffUserModel.credentials_changed_at < at,
                            ),
                            at,
                        ),
                        else_=StaffUserModel.credentials_changed_at,
                    )
                )
                .execution_options(synchronize_session=False)
            )

    async def count_active_owners(self, vendor_id: UUID) -> int:
        statement = select(StaffUserModel.id).where(
            StaffUserModel.vendor_id == vendor_id,
            StaffUserModel.role == Role.OWNER.value,
            StaffUserModel.active.is_(True),
        )
        if self._postgres:
            statement = statement.with_for_update()
        return len((await self._session.scalars(statement)).all())


class SqlSecurityEventLog:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._rows = _SecurityEventRows(session)

    async def record(self, event: SecurityEvent) -> None:
        detail: dict[str, Any] = dict(event.detail)
        with application_errors():
            await self._rows.add(SecurityEventModel(**_event_values(event)))
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
        values = {**_event_values(event), "id": row_id, "detail": detail}
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
        values = _event_values(event)
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


class SqlRefusalLog:
    """``RefusalLog``: one event stored and committed in a short transaction of its own (a read that
    refuses its caller holds no unit of work to write through)."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def record(self, event: SecurityEvent) -> None:
        with application_errors():
            async with self._sessions() as session:
                await SqlSecurityEventLog(session).record(event)
                await session.commit()


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

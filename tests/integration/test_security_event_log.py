"""The SQL security event log against real PostgreSQL (and the dev SQLite): repeated events are
counted in one row per key and window, also under many concurrent transactions; restored events
are stored once; deferred events reach the database when it answers."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from application.shared.errors import DependencyUnavailable
from application.shared.security_events import SecurityEvent, SecurityEventKind
from domain.accounts.vendor import Vendor
from infrastructure.accounts.deferred_events import DeferredSecurityEventWriter
from infrastructure.accounts.models import SecurityEventModel
from infrastructure.accounts.repositories import SqlSecurityEventLog, SqlVendorRepository
from infrastructure.config import load_settings
from infrastructure.db import migrations
from infrastructure.db.database import create_engine, create_session_factory

WINDOW = timedelta(minutes=15)
# Well inside one window, so a test never straddles two by accident.
T0 = datetime(2026, 1, 5, 10, 1, tzinfo=UTC)


@pytest.fixture(params=["postgresql", "sqlite"])
def environ(request: pytest.FixtureRequest, service_environ: dict[str, str], tmp_path: Path) -> dict[str, str]:
    """The run's PostgreSQL, or a migrated SQLite file like the one `flower-vendor dev` uses."""
    if request.param == "postgresql":
        return service_environ
    url = f"sqlite+aiosqlite:///{tmp_path}/events.db"
    migrations.upgrade(migrations.alembic_config(url))
    return {**service_environ, "ENVIRONMENT": "development", "DATABASE_URL": url}


@pytest.fixture
async def engine(environ: dict[str, str]) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(load_settings(environ))
    yield engine
    await engine.dispose()


@pytest.fixture
def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return create_session_factory(engine)


@pytest.fixture
async def vendor_id(sessions: async_sessionmaker[AsyncSession]) -> uuid.UUID:
    vendor = Vendor(
        id=uuid.uuid4(),
        name="Rosa Bloom",
        slug=f"rosa-{uuid.uuid4().hex[:8]}",
        timezone="Europe/Amsterdam",
        currency="EUR",
        country="NL",
    )
    async with sessions() as session:
        await SqlVendorRepository(session).add(vendor)
        await session.commit()
    return vendor.id


def failed(vendor_id: uuid.UUID | None, at: datetime, request_id: str = "req-1", **detail: object) -> SecurityEvent:
    return SecurityEvent(
        kind=SecurityEventKind.LOGIN_FAILED,
        at=at,
        client_ip="203.0.113.7",
        request_id=request_id,
        vendor_id=vendor_id,
        user_id=None,
        detail={"reason": "wrong_password", **detail},
    )


async def rows(sessions: async_sessionmaker[AsyncSession], vendor_id: uuid.UUID | None) -> list[SecurityEventModel]:
    async with sessions() as session:
        where = (
            SecurityEventModel.vendor_id.is_(None) if vendor_id is None else SecurityEventModel.vendor_id == vendor_id
        )
        return list((await session.scalars(select(SecurityEventModel).where(where))).all())


async def record_repeated(
    sessions: async_sessionmaker[AsyncSession], event: SecurityEvent, key: str = "wrong_password|owner|203.0.113.7"
) -> int:
    async with sessions() as session:
        count = await SqlSecurityEventLog(session).record_repeated(event, key=key, window=WINDOW)
        await session.commit()
        return count


async def test_repeated_events_in_one_window_are_one_row_with_their_count(
    sessions: async_sessionmaker[AsyncSession], vendor_id: uuid.UUID
) -> None:
    counts = [
        await record_repeated(sessions, failed(vendor_id, T0 + timedelta(seconds=i), f"req-{i}")) for i in range(5)
    ]

    assert counts == [1, 2, 3, 4, 5]
    [row] = await rows(sessions, vendor_id)
    assert row.kind == "LOGIN_FAILED"
    assert row.detail == {
        "reason": "wrong_password",
        "count": 5,
        "first_at": T0.isoformat(),
        "last_at": (T0 + timedelta(seconds=4)).isoformat(),
    }
    assert row.at == T0 + timedelta(seconds=4)
    assert row.request_id == "req-0"  # the first attempt's


async def test_the_next_window_and_another_key_get_their_own_rows(
    sessions: async_sessionmaker[AsyncSession], vendor_id: uuid.UUID
) -> None:
    await record_repeated(sessions, failed(vendor_id, T0))
    await record_repeated(sessions, failed(vendor_id, T0 + WINDOW))
    await record_repeated(sessions, failed(vendor_id, T0), key="wrong_password|owner|198.51.100.9")

    assert sorted(r.detail["count"] for r in await rows(sessions, vendor_id)) == [1, 1, 1]


async def test_an_older_attempt_counted_last_keeps_the_latest_time(
    sessions: async_sessionmaker[AsyncSession], vendor_id: uuid.UUID
) -> None:
    await record_repeated(sessions, failed(vendor_id, T0 + timedelta(seconds=10), retry_after=4))
    await record_repeated(sessions, failed(vendor_id, T0 + timedelta(seconds=5), retry_after=2))

    [row] = await rows(sessions, vendor_id)
    assert row.at == T0 + timedelta(seconds=10)
    assert row.detail["retry_after"] == 4
    assert row.detail["count"] == 2


async def test_unknown_accounts_are_counted_without_a_shop(sessions: async_sessionmaker[AsyncSession]) -> None:
    key = f"unknown_email|{uuid.uuid4()}|203.0.113.7"
    for _ in range(3):
        await record_repeated(sessions, failed(None, T0, reason="unknown_email"), key=key)
    mine = [r for r in await rows(sessions, None) if r.detail.get("count") == 3]
    assert len(mine) == 1


async def test_concurrent_repeated_events_lose_no_count_and_add_no_row(
    engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession], vendor_id: uuid.UUID
) -> None:
    """Forty transactions at once on two keys (PostgreSQL: one connection each; SQLite queues
    writers): every occurrence is counted, one row per key, no deadlock."""
    parallel = 40

    async def one(i: int) -> int:
        key = f"wrong_password|owner|client-{i % 2}"
        return await record_repeated(sessions, failed(vendor_id, T0 + timedelta(milliseconds=i), f"req-{i}"), key=key)

    counts = await asyncio.gather(*(one(i) for i in range(parallel)))

    stored = await rows(sessions, vendor_id)
    assert len(stored) == 2
    assert sorted(r.detail["count"] for r in stored) == [parallel // 2, parallel // 2]
    # Each transaction saw a distinct count: none was lost or counted twice.
    assert sorted(counts) == sorted([*range(1, parallel // 2 + 1)] * 2)


async def test_restore_stores_an_event_once(sessions: async_sessionmaker[AsyncSession], vendor_id: uuid.UUID) -> None:
    event = SecurityEvent(
        id=uuid.uuid4(),
        kind=SecurityEventKind.LOGOUT,
        at=T0,
        client_ip="203.0.113.7",
        request_id="req-logout",
        vendor_id=vendor_id,
        user_id=uuid.uuid4(),
        detail={"sessions": ["a"]},
    )
    outcomes = []
    for _ in range(2):
        async with sessions() as session:
            outcomes.append(await SqlSecurityEventLog(session).restore(event))
            await session.commit()

    assert outcomes == [True, False]
    [row] = await rows(sessions, vendor_id)
    assert (row.id, row.kind, row.request_id, row.detail) == (event.id, "LOGOUT", "req-logout", {"sessions": ["a"]})


# -- deferred events ------------------------------------------------------------------------------


def logout_event(vendor_id: uuid.UUID) -> SecurityEvent:
    return SecurityEvent(
        kind=SecurityEventKind.LOGOUT,
        at=datetime.now(UTC),
        client_ip="203.0.113.7",
        request_id=f"req-{uuid.uuid4().hex[:8]}",
        vendor_id=vendor_id,
        user_id=uuid.uuid4(),
        detail={"sessions": [str(uuid.uuid4())]},
    )


async def wait_for(condition: Callable[[], bool]) -> None:
    for _ in range(200):
        if condition():
            return
        await asyncio.sleep(0.05)


async def test_a_deferred_event_is_stored_when_the_database_answers(
    sessions: async_sessionmaker[AsyncSession], vendor_id: uuid.UUID
) -> None:
    writer = DeferredSecurityEventWriter(sessions, retry_seconds=0.05)
    event = logout_event(vendor_id)

    await writer.defer(event)
    await wait_for(lambda: writer.pending == 0)
    await writer.aclose()

    [row] = await rows(sessions, vendor_id)
    assert (row.kind, row.request_id, row.detail) == ("LOGOUT", event.request_id, event.detail)


async def test_an_event_the_database_refuses_for_good_does_not_hold_back_the_others(
    sessions: async_sessionmaker[AsyncSession], vendor_id: uuid.UUID
) -> None:
    writer = DeferredSecurityEventWriter(sessions, retry_seconds=3600)
    orphan = logout_event(uuid.uuid4())  # a shop that does not exist: a foreign-key violation, for ever
    good = logout_event(vendor_id)
    await writer.defer(orphan)
    await writer.defer(good)

    assert await writer.store_pending() == 1
    assert writer.pending == 0  # the refused one is left to the log, not retried for ever
    await writer.aclose()
    [row] = await rows(sessions, vendor_id)
    assert row.request_id == good.request_id


async def test_a_deferred_event_waits_while_the_database_is_down(
    service_environ: dict[str, str], sessions: async_sessionmaker[AsyncSession], vendor_id: uuid.UUID
) -> None:
    down = create_engine(
        load_settings({**service_environ, "DATABASE_URL": "postgresql://postgres@127.0.0.1:1/nowhere"})
    )
    try:
        writer = DeferredSecurityEventWriter(create_session_factory(down), retry_seconds=0.05)
        await writer.defer(logout_event(vendor_id))
        with pytest.raises(Exception):  # noqa: B017, PT011 - whatever the driver raises: the event stays queued
            await writer.store_pending()
        assert writer.pending == 1
        await writer.aclose()
        assert writer.pending == 1  # still only in the log, named at shutdown
    finally:
        await down.dispose()


async def test_an_unreachable_database_is_dependency_unavailable_for_the_log(service_environ: dict[str, str]) -> None:
    down = create_engine(
        load_settings({**service_environ, "DATABASE_URL": "postgresql://postgres@127.0.0.1:1/nowhere"})
    )
    try:
        async with create_session_factory(down)() as session:
            with pytest.raises(DependencyUnavailable):
                await SqlSecurityEventLog(session).record(logout_event(uuid.uuid4()))
    finally:
        await down.dispose()

"""SqlAccountStandings against real PostgreSQL: one short read of what backs a token, or 503."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from application.accounts.ports import StaffRepository
from application.shared.access import AccountStandings
from application.shared.errors import DependencyUnavailable
from application.shared.unit_of_work import UnitOfWork
from infrastructure.accounts.standings import SqlAccountStandings
from infrastructure.config import load_settings
from infrastructure.di.container import make_container
from tests.private_redis import spare_port

CHANGED = datetime(2026, 6, 1, 12, 0, 5, tzinfo=UTC)


async def _add(
    engine: AsyncEngine, *, vendor_active: bool = True, user_active: bool = True
) -> tuple[uuid.UUID, uuid.UUID]:
    vendor_id, user_id = uuid.uuid4(), uuid.uuid4()
    async with engine.begin() as connection:
        await connection.execute(
            text(
                "INSERT INTO vendors (id, name, slug, timezone, currency, country, active, created_at, updated_at) "
                "VALUES (:id, 'Rosa', :slug, 'UTC', 'EUR', 'NL', :active, now(), now())"
            ),
            {"id": vendor_id, "slug": f"s-{vendor_id.hex[:12]}", "active": vendor_active},
        )
        await connection.execute(
            text(
                "INSERT INTO users (id, vendor_id, email, full_name, role, active, password_hash, "
                "credentials_changed_at, created_at, updated_at) VALUES (:id, :vendor, :email, 'A B', 'MANAGER', "
                ":active, 'x', :changed, now(), now())"
            ),
            {
                "id": user_id,
                "vendor": vendor_id,
                "email": f"{user_id.hex}@example.com",
                "active": user_active,
                "changed": CHANGED,
            },
        )
    return vendor_id, user_id


async def test_standings_come_from_committed_rows(service_environ: dict[str, str]) -> None:
    container = make_container(load_settings(service_environ))
    try:
        engine = await container.get(AsyncEngine)
        standings = await container.get(AccountStandings)
        vendor_id, user_id = await _add(engine)
        standing = await standings.standing(vendor_id, user_id)
        assert standing is not None
        assert (standing.role, standing.active, standing.credentials_changed_at) == ("MANAGER", True, CHANGED)

        assert await standings.standing(uuid.uuid4(), user_id) is None  # another shop's id: nobody
        assert await standings.standing(vendor_id, uuid.uuid4()) is None

        inactive_user = await _add(engine, user_active=False)
        inactive_shop = await _add(engine, vendor_active=False)
        for vendor, user in (inactive_user, inactive_shop):
            found = await standings.standing(vendor, user)
            assert found is not None
            assert found.active is False
        assert engine.pool.checkedout() == 0  # type: ignore[attr-defined]  # nothing held past the read
    finally:
        await container.close()


async def test_a_database_that_does_not_answer_is_unavailable() -> None:
    engine = create_async_engine(
        f"postgresql+asyncpg://postgres@127.0.0.1:{spare_port()}/nowhere", connect_args={"timeout": 1}
    )
    try:
        with pytest.raises(DependencyUnavailable):
            await SqlAccountStandings(engine, timeout=2).standing(uuid.uuid4(), uuid.uuid4())
    finally:
        await engine.dispose()


async def test_cutting_off_sessions_touches_only_the_cut_off_time(service_environ: dict[str, str]) -> None:
    container = make_container(load_settings(service_environ))
    try:
        engine = await container.get(AsyncEngine)
        vendor_id, user_id = await _add(engine)
        later = datetime(2026, 7, 1, 8, 0, tzinfo=UTC)
        async with container() as request:
            staff = await request.get(StaffRepository)
            await staff.cut_off_sessions(vendor_id, user_id, later)
            await staff.cut_off_sessions(uuid.uuid4(), user_id, CHANGED)  # another shop's id: nothing
            await (await request.get(UnitOfWork)).commit()
        standing = await (await container.get(AccountStandings)).standing(vendor_id, user_id)
        assert standing is not None
        assert (standing.role, standing.active, standing.credentials_changed_at) == ("MANAGER", True, later)
    finally:
        await container.close()


async def test_the_cut_off_never_moves_backwards(service_environ: dict[str, str]) -> None:
    """Instances' clocks differ: a cut-off written with an earlier time must not re-validate tokens."""
    container = make_container(load_settings(service_environ))
    try:
        engine = await container.get(AsyncEngine)
        vendor_id, user_id = await _add(engine)  # cut off at CHANGED already
        earlier = datetime(2026, 5, 1, tzinfo=UTC)
        async with container() as request:
            staff = await request.get(StaffRepository)
            await staff.cut_off_sessions(vendor_id, user_id, earlier)
            user = await staff.get(vendor_id, user_id, lock=True)
            assert user is not None
            await staff.update(user.sessions_cut_off(at=earlier))
            await (await request.get(UnitOfWork)).commit()
        standing = await (await container.get(AccountStandings)).standing(vendor_id, user_id)
        assert standing is not None
        assert standing.credentials_changed_at == CHANGED
    finally:
        await container.close()

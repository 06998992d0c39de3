"""The engine's pool and server-side limits, against a real PostgreSQL."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncEngine

from application.shared.errors import DependencyUnavailable
from infrastructure.config import load_settings
from infrastructure.db.database import create_engine
from infrastructure.db.errors import translate_database_error


async def test_connections_carry_timeouts_and_isolation(service_environ: dict[str, str]) -> None:
    settings = load_settings(
        {**service_environ, "DB_STATEMENT_TIMEOUT_MS": "1500", "DB_IDLE_IN_TRANSACTION_TIMEOUT_MS": "4000"}
    )
    engine = create_engine(settings)
    try:
        async with engine.connect() as connection:
            statement_timeout = await connection.scalar(text("SHOW statement_timeout"))
            idle_timeout = await connection.scalar(text("SHOW idle_in_transaction_session_timeout"))
            isolation = await connection.scalar(text("SHOW transaction_isolation"))
            application = await connection.scalar(text("SHOW application_name"))
    finally:
        await engine.dispose()
    assert statement_timeout == "1500ms"
    assert idle_timeout == "4s"
    assert isolation == "read committed"
    assert application == "flower-vendor"


async def test_statement_timeout_cancels_a_runaway_query(service_environ: dict[str, str]) -> None:
    engine = create_engine(load_settings({**service_environ, "DB_STATEMENT_TIMEOUT_MS": "200"}))
    try:
        async with engine.connect() as connection:
            with pytest.raises(DBAPIError, match="statement timeout"):
                await connection.execute(text("SELECT pg_sleep(3)"))
    finally:
        await engine.dispose()


async def test_pool_is_sized_from_configuration(service_environ: dict[str, str]) -> None:
    engine = create_engine(
        load_settings({**service_environ, "DB_POOL_SIZE": "3", "DB_MAX_OVERFLOW": "2", "DB_POOL_TIMEOUT": "1.5"})
    )
    try:
        pool = engine.pool
        assert pool.size() == 3  # type: ignore[attr-defined]
        assert pool._max_overflow == 2  # type: ignore[attr-defined]
        assert pool._timeout == 1.5  # type: ignore[attr-defined]
        assert pool._pre_ping is False  # issue 10: no round trip per checkout (was True)
    finally:
        await engine.dispose()


async def test_isolation_level_is_configurable(service_environ: dict[str, str]) -> None:
    engine = create_engine(load_settings({**service_environ, "DB_ISOLATION_LEVEL": "serializable"}))
    try:
        async with engine.connect() as connection:
            assert await connection.scalar(text("SHOW transaction_isolation")) == "serializable"
    finally:
        await engine.dispose()


# --- no pre-ping: a killed backend is replaced ------------------------------------------------------


async def _terminate(admin_url: str, pid: int) -> None:
    """Ends one backend of this test's own engine (never another client's) and waits until it is gone."""
    admin = await asyncpg.connect(make_url(admin_url).set(drivername="postgresql").render_as_string(False))
    try:
        assert await admin.fetchval("SELECT pg_terminate_backend($1)", pid) is True
        for _ in range(100):
            if not await admin.fetchval("SELECT count(*) FROM pg_stat_activity WHERE pid = $1", pid):
                break
            await asyncio.sleep(0.05)
    finally:
        await admin.close()


async def _backend_pid(engine: AsyncEngine) -> int:
    async with engine.connect() as connection:
        pid = await connection.scalar(text("SELECT pg_backend_pid()"))
    assert isinstance(pid, int)
    return pid


def test_pool_does_not_ping_by_default(service_environ: dict[str, str]) -> None:
    engine = create_engine(load_settings(service_environ))
    assert engine.pool._pre_ping is False  # type: ignore[attr-defined]
    assert create_engine(load_settings({**service_environ, "DB_POOL_PRE_PING": "true"})).pool._pre_ping is True  # type: ignore[attr-defined]


async def test_a_backend_killed_while_pooled_is_replaced_without_a_failure(service_environ: dict[str, str]) -> None:
    engine = create_engine(load_settings({**service_environ, "DB_POOL_SIZE": "1"}))
    try:
        first = await _backend_pid(engine)
        await _terminate(service_environ["DATABASE_URL"], first)
        await asyncio.sleep(0.1)  # the driver reads the server's goodbye and the closed socket
        second = await _backend_pid(engine)  # no exception: the dead connection never reaches the caller
        third = await _backend_pid(engine)
    finally:
        await engine.dispose()
    assert second != first
    assert third == second  # the replacement stays pooled


async def test_a_connection_that_fails_in_use_is_invalidated_and_the_next_checkout_is_fresh(
    service_environ: dict[str, str],
) -> None:
    """What the checkout check cannot see: the server goes away while the connection is checked
    out. That statement fails (once, as 503), the connection is invalidated, the next one works."""
    engine = create_engine(load_settings({**service_environ, "DB_POOL_SIZE": "2"}))
    try:
        async with engine.connect() as spare:  # a second pooled connection, older than the failure
            spare_pid = await spare.scalar(text("SELECT pg_backend_pid()"))
        async with engine.connect() as connection:
            pid = await connection.scalar(text("SELECT pg_backend_pid()"))
            await connection.commit()
            await _terminate(service_environ["DATABASE_URL"], pid)
            with pytest.raises(DBAPIError) as failure:
                await connection.execute(text("SELECT 1"))
        assert failure.value.connection_invalidated
        assert isinstance(translate_database_error(failure.value), DependencyUnavailable)
        after = {await _backend_pid(engine), await _backend_pid(engine)}
    finally:
        await engine.dispose()
    assert pid not in after
    assert spare_pid not in after  # the pool invalidated every connection older than the failure


async def test_waiting_past_the_pool_timeout_is_dependency_unavailable(service_environ: dict[str, str]) -> None:
    engine = create_engine(
        load_settings({**service_environ, "DB_POOL_SIZE": "1", "DB_MAX_OVERFLOW": "0", "DB_POOL_TIMEOUT": "0.2"})
    )
    try:
        async with engine.connect() as held:
            await held.execute(text("SELECT 1"))
            with pytest.raises(PoolTimeout) as waited:
                async with engine.connect():
                    pass
    finally:
        await engine.dispose()
    unavailable = translate_database_error(waited.value)
    assert isinstance(unavailable, DependencyUnavailable)

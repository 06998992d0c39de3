"""The engine's pool and server-side limits, against a real PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from infrastructure.config import load_settings
from infrastructure.db.database import create_engine


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
        assert pool._pre_ping is True
    finally:
        await engine.dispose()


async def test_isolation_level_is_configurable(service_environ: dict[str, str]) -> None:
    engine = create_engine(load_settings({**service_environ, "DB_ISOLATION_LEVEL": "serializable"}))
    try:
        async with engine.connect() as connection:
            assert await connection.scalar(text("SHOW transaction_isolation")) == "serializable"
    finally:
        await engine.dispose()

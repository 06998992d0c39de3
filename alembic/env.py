"""Async alembic environment: PostgreSQL through asyncpg, SQLite (batch mode) for the embedded default."""

from __future__ import annotations

import asyncio
import os

from alembic import context
from sqlalchemy import pool
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from infrastructure.di.tables import metadata  # every context's tables

config = context.config


def _database_url() -> str:
    url = config.attributes.get("database_url")
    if url:
        return str(url)
    from infrastructure.config import (
        load_settings,
    )  # the plain `alembic` command: read the environment

    return load_settings(os.environ).database_url.reveal()


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        compare_server_default=False,
    )


def run_migrations_offline() -> None:
    context.configure(url=_database_url(), target_metadata=metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def _run_on(connection: Connection) -> None:
    _configure(connection)
    with context.begin_transaction():
        context.run_migrations()


async def run_migrations_online() -> None:
    engine = create_async_engine(_database_url(), poolclass=pool.NullPool)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_run_on)
    finally:
        await engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
elif (connection := config.attributes.get("connection")) is not None:
    # Tests hand over an open connection (already inside their event loop).
    _run_on(connection)
else:
    asyncio.run(run_migrations_online())

"""Migrations: every revision up and down on PostgreSQL, no drift from the models, SQLite too."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from infrastructure.db import migrations
from infrastructure.di.tables import metadata


def _asyncpg(url: str) -> str:
    return url.replace("postgresql://", "postgresql+asyncpg://", 1)


async def _inspect(url: str, action: Callable[[Connection], object]) -> object:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(action)
    finally:
        await engine.dispose()


def _tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names())


def test_stairway_every_revision_up_and_down(make_database: Callable[[], str]) -> None:
    url = make_database()
    config = migrations.alembic_config(url)
    revisions = migrations.revisions(config)
    assert revisions, "no migrations found"
    previous = "base"
    for revision in revisions:
        assert migrations.upgrade(config, revision).startswith(revision)
        now = migrations.downgrade(config, previous)
        if previous == "base":
            assert now == ""
        else:
            assert now.startswith(previous)
        assert migrations.upgrade(config, revision).startswith(revision)
        previous = revision
    assert migrations.downgrade(config, "base") == ""
    assert asyncio.run(_inspect(_asyncpg(url), _tables)) == {"alembic_version"}


def test_models_and_migrations_do_not_drift(make_database: Callable[[], str]) -> None:
    url = make_database()
    migrations.upgrade(migrations.alembic_config(url))

    def diff(connection: Connection) -> list[object]:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, metadata))

    assert asyncio.run(_inspect(_asyncpg(url), diff)) == []


def test_head_creates_the_identity_tables(database_url: str) -> None:
    tables = asyncio.run(_inspect(_asyncpg(database_url), _tables))
    assert {"vendors", "users", "alembic_version"} <= tables  # type: ignore[operator]


def test_migrations_run_on_sqlite_in_batch_mode(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'nested' / 'fv.db'}"
    config = migrations.alembic_config(url)
    head = migrations.revisions(config)[-1]
    assert migrations.upgrade(config).startswith(head)
    assert {"vendors", "users"} <= asyncio.run(_inspect(url, _tables))  # type: ignore[operator]
    assert migrations.downgrade(config, "base") == ""
    assert asyncio.run(_inspect(url, _tables)) == {"alembic_version"}

"""Engine and session factory: pooled, time-limited connections to PostgreSQL (SQLite for `dev`)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from infrastructure.config import Settings


def create_engine(settings: Settings) -> AsyncEngine:
    # SQL echo only in development, through our log pipeline (echo=True would add a second handler).
    logging.getLogger("sqlalchemy.engine.Engine").setLevel(logging.INFO if settings.is_development else logging.WARNING)
    url = make_url(settings.database_url.reveal())
    if url.drivername.startswith("sqlite"):
        return _create_sqlite_engine(settings, url.database)
    return create_async_engine(
        url,
        hide_parameters=True,  # bound values (emails, hashes) never reach logs or error messages
        isolation_level=settings.db_isolation_level,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_timeout=settings.db_pool_timeout,
        pool_recycle=settings.db_pool_recycle,
        pool_pre_ping=settings.db_pool_pre_ping,
        connect_args={
            "timeout": settings.db_connect_timeout,
            # Server-side limits: no statement and no forgotten transaction holds a connection forever.
            "server_settings": {
                "application_name": "flower-vendor",
                "statement_timeout": str(settings.db_statement_timeout_ms),
                "idle_in_transaction_session_timeout": str(settings.db_idle_in_transaction_timeout_ms),
            },
        },
    )


def _create_sqlite_engine(settings: Settings, database: str | None) -> AsyncEngine:
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_async_engine(
        settings.database_url.reveal(),
        hide_parameters=True,
        connect_args={"timeout": 5},
    )

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _: Any) -> None:
        # Let SQLAlchemy, not the driver, open transactions, so BEGIN IMMEDIATE below takes effect.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        # Take the write lock up front: two writers queue instead of failing half-way.
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)

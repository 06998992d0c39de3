"""Engine and session factory: pooled, time-limited connections to PostgreSQL (SQLite for `dev`)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry

from infrastructure.config import Settings


def sql_log_level(settings: Settings) -> int:
    """SQL echo only in development at LOG_LEVEL=DEBUG, through our log pipeline (echo=True would add
    a second handler): at INFO it would bury everything else, the demo logins included."""
    return logging.INFO if settings.is_development and settings.log_level == "DEBUG" else logging.WARNING


def create_engine(settings: Settings) -> AsyncEngine:
    logging.getLogger("sqlalchemy.engine.Engine").setLevel(sql_log_level(settings))
    url = make_url(settings.database_url.reveal())
    if url.drivername.startswith("sqlite"):
        return _create_sqlite_engine(settings, url.database)
    engine = create_async_engine(
        url,
        hide_parameters=True,  # bound values (emails, hashes) never reach logs or error messages
        isolation_level=settings.db_isolation_level,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_timeout=settings.db_pool_timeout,
        pool_recycle=settings.db_pool_recycle,
        # Off by default: a ping is a round trip (BEGIN; ROLLBACK) on every checkout. A connection
        # the driver already knows is closed is replaced at checkout for free (below); one that
        # fails in use is invalidated by SQLAlchemy, together with every older pooled connection.
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
    event.listen(engine.sync_engine, "checkout", _replace_closed_connection)
    return engine


def _replace_closed_connection(_: Any, record: ConnectionPoolEntry, __: Any) -> None:
    """A backend that went away while its connection sat idle in the pool (terminated, a server
    restart or failover) has already closed the socket, and asyncpg has noticed: no round trip is
    needed to tell. Raising ``DisconnectionError`` here makes the pool open a fresh connection and
    hand that out instead, so the request never sees the dead one."""
    driver_connection = record.driver_connection
    if driver_connection is not None and driver_connection.is_closed():
        raise DisconnectionError("the pooled connection was closed by the server")


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

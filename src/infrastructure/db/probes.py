"""Readiness probe for the database."""

from __future__ import annotations

import asyncio

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from application.health.ports import ProbeStatus
from infrastructure.logging import get_logger

log = get_logger(__name__)


class DatabaseProbe:
    name = "database"
    required = True

    def __init__(self, engine: AsyncEngine, *, timeout: float = 2.0) -> None:
        self._engine = engine
        self._timeout = timeout

    def known_status(self) -> ProbeStatus | None:
        return None  # only a round trip can tell

    async def check(self) -> ProbeStatus:
        try:
            async with asyncio.timeout(self._timeout):
                async with self._engine.connect() as connection:
                    await connection.execute(text("SELECT 1"))
        except Exception as error:  # noqa: BLE001 - any failure means "not ready"; the probe must not raise
            log.warning("readiness_probe_failed", dependency=self.name, error=type(error).__name__)
            return ProbeStatus.DOWN
        return ProbeStatus.OK

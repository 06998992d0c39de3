"""How every context's query services run a read: one statement, in autocommit (no BEGIN and no
ROLLBACK round trip), on a pooled connection held for that statement only; driver and pool
failures become the application's errors (503) like everywhere else."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Row, Select
from sqlalchemy.ext.asyncio import AsyncEngine

from application.shared.pagination import PageRequest
from infrastructure.db.errors import application_errors


class SqlReads:
    """Runs one statement on its own pooled connection, in autocommit, and returns its rows."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine.execution_options(isolation_level="AUTOCOMMIT")

    async def rows(self, statement: Select[Any], params: Mapping[str, Any]) -> Sequence[Row[Any]]:
        with application_errors():
            async with self._engine.connect() as connection:
                return (await connection.execute(statement, params)).all()

    async def page(
        self, statement: Select[Any], count: Select[Any], params: Mapping[str, Any], page: PageRequest
    ) -> tuple[Sequence[Row[Any]], int]:
        """A page of rows (the last column is the window total) and the total. A page past the last
        row has no row to carry the total: only then a second statement counts."""
        rows = await self.rows(statement, {**params, "limit": page.limit, "offset": page.offset})
        if rows:
            return rows, int(rows[0][-1])
        if page.offset == 0:
            return rows, 0
        counted = await self.rows(count, params)
        return rows, int(counted[0][0])

"""How every context's query services run a read: one statement, outside any transaction (no
BEGIN and no ROLLBACK round trip), on a pooled connection held for that statement only; driver
and pool failures become the application's errors (503) like everywhere else.

Statements are SQLAlchemy Core, written once at import by the query services. On PostgreSQL
(asyncpg) each is compiled once to its SQL text and its parameter order, then sent straight to the
pooled asyncpg connection: SQLAlchemy's per-execution work (cache key, parameter and result
processing, the ``Connection`` and its events) costs about twice the driver's own on a 20-row page,
and a read needs none of it. Parameters are passed as they are (UUIDs, integers, strings: types
asyncpg encodes itself); rows come back as asyncpg records, which the query services map by
position. Elsewhere (SQLite under ``dev``) the statement runs through SQLAlchemy Core in autocommit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncEngine

from application.shared.errors import DependencyUnavailable
from application.shared.pagination import PageRequest
from infrastructure.db.errors import application_errors, translate_database_error

Rows = Sequence[Sequence[Any]]

SEARCH_SETTINGS = "BEGIN READ ONLY; SET LOCAL plan_cache_mode = force_custom_plan; SET LOCAL enable_seqscan = off"


class SqlReads:
    """Runs one statement on a pooled connection of its own and returns its rows."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._autocommit = engine.execution_options(isolation_level="AUTOCOMMIT")
        self._direct = engine.dialect.name == "postgresql" and engine.dialect.driver == "asyncpg"
        self._compiled: dict[int, tuple[Select[Any], str, tuple[str, ...]]] = {}

    async def rows(self, statement: Select[Any], params: Mapping[str, Any], *, search: bool = False) -> Rows:
        """``search``: a statement whose best plan depends on how many rows its needle matches,
        and which stops at its first N matches. PostgreSQL plans it for these very values on every
        call (``plan_cache_mode = force_custom_plan``: a prepared statement is otherwise planned for
        its values five times, then once for any values, which counted a needle every customer
        contains through the trigram index and walked a whole index for a rare one), and never as
        a sequential scan (``enable_seqscan = off``: a scan stopping at its Nth match starts
        wherever another scan of the table stands, synchronised scans, and reads every shop's rows
        on its way). Both ``SET LOCAL`` in a read-only transaction around the statement: two more
        round trips, one simple query each."""
        if self._direct:
            return await self._driver_rows(statement, params, search)
        with application_errors():
            async with self._autocommit.connect() as connection:
                return (await connection.execute(statement, params)).all()

    async def page(
        self,
        statement: Select[Any],
        count: Select[Any],
        params: Mapping[str, Any],
        page: PageRequest,
        *,
        search: bool = False,
    ) -> tuple[Rows, int]:
        """A page of rows (the last column is the window total) and the total. A page past the last
        row has no row to carry the total: only then a second statement counts."""
        rows = await self.rows(statement, {**params, "limit": page.limit, "offset": page.offset}, search=search)
        if rows:
            return rows, int(rows[0][-1])
        if page.offset == 0:
            return rows, 0
        counted = await self.rows(count, params, search=search)
        return rows, int(counted[0][0])

    def _compile(self, statement: Select[Any]) -> tuple[str, tuple[str, ...]]:
        cached = self._compiled.get(id(statement))
        if cached is None or cached[0] is not statement:
            compiled = statement.compile(dialect=self._engine.dialect)
            cached = (statement, str(compiled), tuple(compiled.positiontup or ()))
            self._compiled[id(statement)] = cached  # statements are module constants: a handful
        return cached[1], cached[2]

    async def _driver_rows(self, statement: Select[Any], params: Mapping[str, Any], search: bool) -> Rows:
        sql, names = self._compile(statement)
        with application_errors():
            pooled = await self._engine.raw_connection()
        in_transaction = False
        try:
            driver = pooled.driver_connection
            assert driver is not None
            values = [params[name] for name in names]
            if not search:
                return await driver.fetch(sql, *values)  # type: ignore[no-any-return]
            await driver.execute(SEARCH_SETTINGS)
            in_transaction = True
            rows: Rows = await driver.fetch(sql, *values)
            await driver.execute("ROLLBACK")  # read only: nothing to keep
            in_transaction = False
            return rows
        except Exception as error:
            if pooled.driver_connection is None or pooled.driver_connection.is_closed():
                pooled.invalidate(error)  # the next checkout opens a fresh connection
                raise DependencyUnavailable("The database is unavailable.", retry_after=5) from error
            translated = translate_database_error(error)
            if translated is None:
                raise
            raise translated from error
        finally:
            if in_transaction:
                # Failed or cancelled inside its transaction: the connection is closed rather than
                # pooled with the transaction (and its setting) possibly still open.
                pooled.invalidate()
            pooled.close()  # back to the pool, no transaction open: nothing to roll back

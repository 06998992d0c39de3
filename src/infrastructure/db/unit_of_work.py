"""The unit of work: one session, one transaction, committed only when a use case says so."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from infrastructure.db.errors import application_errors


class SqlAlchemyUnitOfWork:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def commit(self) -> None:
        # An unreachable database is DependencyUnavailable, so a use case may react to it.
        with application_errors():
            await self._session.commit()

    async def rollback(self) -> None:
        with application_errors():
            await self._session.rollback()

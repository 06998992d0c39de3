"""dishka providers: which adapter serves which port, and for how long."""

from __future__ import annotations

from collections.abc import AsyncIterator

from dishka import Provider, Scope, from_context, provide
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from application.health.check_readiness import CheckReadiness
from application.ports.unit_of_work import UnitOfWork
from infrastructure.config import Settings
from infrastructure.persistence.database import create_engine, create_session_factory
from infrastructure.persistence.probes import DatabaseProbe
from infrastructure.persistence.unit_of_work import SqlAlchemyUnitOfWork
from infrastructure.redis.client import create_redis
from infrastructure.redis.probes import RedisProbe


class ConfigProvider(Provider):
    settings = from_context(provides=Settings, scope=Scope.APP)


class DatabaseProvider(Provider):
    @provide(scope=Scope.APP)
    async def engine(self, settings: Settings) -> AsyncIterator[AsyncEngine]:
        engine = create_engine(settings)
        yield engine
        await engine.dispose()

    @provide(scope=Scope.APP)
    def session_factory(self, engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
        return create_session_factory(engine)

    @provide(scope=Scope.REQUEST)
    async def session(self, factory: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
        # Closing rolls back whatever a use case did not commit, and returns the connection to the pool.
        async with factory() as session:
            yield session

    @provide(scope=Scope.REQUEST)
    def unit_of_work(self, session: AsyncSession) -> UnitOfWork:
        return SqlAlchemyUnitOfWork(session)


class RedisProvider(Provider):
    """The shared Redis client, or ``None`` under the embedded default (in-memory adapters serve)."""

    @provide(scope=Scope.APP)
    async def redis(self, settings: Settings) -> AsyncIterator[Redis | None]:
        client = create_redis(settings)
        yield client
        if client is not None:
            await client.aclose()


class HealthProvider(Provider):
    @provide(scope=Scope.APP)
    def check_readiness(self, engine: AsyncEngine, redis: Redis | None) -> CheckReadiness:
        return CheckReadiness([DatabaseProbe(engine), RedisProbe(redis)])


def default_providers() -> list[Provider]:
    return [ConfigProvider(), DatabaseProvider(), RedisProvider(), HealthProvider()]

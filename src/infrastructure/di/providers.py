"""dishka providers of the platform (configuration, database, Redis, clock, access tokens, rate
limiter, health), and the list of every context's providers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from functools import partial

from dishka import Provider, Scope, from_context, provide
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from application.health.check_readiness import CheckReadiness
from application.shared.access import AccessTokens
from application.shared.audit import SecurityRecorder
from application.shared.authorizer import Authorizer, ReadGate
from application.shared.clock import Clock
from application.shared.context import RequestMeta, RequestOrigin, current_request_meta
from application.shared.rate_limit import RateLimiter
from application.shared.unit_of_work import UnitOfWork
from infrastructure.accounts.provider import accounts_providers
from infrastructure.catalog.provider import catalog_providers
from infrastructure.clock import SystemClock
from infrastructure.config import Settings
from infrastructure.customers.provider import customers_providers
from infrastructure.db.database import create_engine, create_session_factory
from infrastructure.db.probes import DatabaseProbe
from infrastructure.db.reads import SqlReads
from infrastructure.db.unit_of_work import SqlAlchemyUnitOfWork
from infrastructure.delivery.provider import delivery_providers
from infrastructure.redis.client import create_redis
from infrastructure.redis.keys import session_key
from infrastructure.redis.probes import RedisProbe
from infrastructure.redis.rate_limiter import FallbackRateLimiter, InMemoryRateLimiter, RedisRateLimiter
from infrastructure.redis.round_trips import RoundTrips
from infrastructure.security.jwt_tokens import JwtAccessTokens
from infrastructure.stock.provider import stock_providers


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

    reads = provide(SqlReads, scope=Scope.APP)  # every context's query services run through it


class RedisProvider(Provider):
    """The shared Redis client, or ``None`` under the embedded default (in-memory adapters serve)."""

    @provide(scope=Scope.APP)
    async def redis(self, settings: Settings) -> AsyncIterator[Redis | None]:
        client = create_redis(settings)
        yield client
        if client is not None:
            await client.aclose()

    @provide(scope=Scope.APP)
    async def round_trips(self, settings: Settings, redis: Redis | None) -> AsyncIterator[RoundTrips | None]:
        """The hot path's own connections (session checks and rate limiting), made like the client's."""
        if redis is None:
            yield None
            return
        trips = RoundTrips(redis, timeout=settings.redis_socket_timeout)  # as many connections as the client
        yield trips
        await trips.aclose()


class PlatformProvider(Provider):
    """The clock, access tokens and the rate limiter: one per process."""

    scope = Scope.APP

    clock = provide(SystemClock, provides=Clock)

    @provide
    def access_tokens(self, settings: Settings) -> AccessTokens:
        return JwtAccessTokens.from_settings(settings)

    @provide
    def rate_limiter(self, settings: Settings, trips: RoundTrips | None) -> RateLimiter:
        """Redis behind a circuit breaker (memory while Redis is down); memory alone under ``dev``.
        It reads session liveness from the session store's keys (same Redis, same prefix)."""
        if trips is None or not settings.enable_distributed_rate_limiting:
            return InMemoryRateLimiter()
        prefix = settings.redis_key_prefix
        shared = RedisRateLimiter(trips, prefix, session_key=partial(session_key, prefix))
        return FallbackRateLimiter(shared, InMemoryRateLimiter())

    # What every context's use cases share per request: the audit trail's recorder and the role check
    # that records its refusals (the trail itself, ``SecurityEventLog``, is the accounts context's).
    recorder = provide(SecurityRecorder, scope=Scope.REQUEST)
    authorizer = provide(Authorizer, scope=Scope.REQUEST)

    read_gate = provide(ReadGate)

    @provide
    def request_origin(self) -> RequestOrigin:
        """What the HTTP edge bound for the current request; outside HTTP, the local operator."""
        return current_request_meta

    @provide(scope=Scope.REQUEST)
    def request_meta(self, origin: RequestOrigin) -> RequestMeta:
        return origin()


class HealthProvider(Provider):
    @provide(scope=Scope.APP)
    def check_readiness(self, engine: AsyncEngine, redis: Redis | None, limiter: RateLimiter) -> CheckReadiness:
        return CheckReadiness([DatabaseProbe(engine), RedisProbe(redis, limiter)])


def platform_providers() -> list[Provider]:
    return [ConfigProvider(), DatabaseProvider(), RedisProvider(), PlatformProvider(), HealthProvider()]


def default_providers() -> list[Provider]:
    """The platform's providers, then each context's: adding a context adds one line here."""
    return [
        *platform_providers(),
        *accounts_providers(),
        *catalog_providers(),
        *stock_providers(),
        *customers_providers(),
        *delivery_providers(),
    ]

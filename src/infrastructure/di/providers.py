"""dishka providers: which adapter serves which port, and for how long."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from functools import partial

from dishka import Provider, Scope, alias, from_context, provide, provide_all
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from application.accounts.change_password import ChangePassword
from application.accounts.demo import SeedDemoShop
from application.accounts.list_security_events import ListSecurityEvents
from application.accounts.login import Login
from application.accounts.logout import Logout, LogoutEverywhere
from application.accounts.manage_staff import CreateStaff, ListStaff, UpdateStaff
from application.accounts.passwords import NewPassword
from application.accounts.ports import (
    CommonPasswords,
    LoginThrottle,
    PasswordHasher,
    RefreshTokens,
    SessionStore,
    StaffRepository,
    VendorRepository,
)
from application.accounts.refresh import Refresh
from application.accounts.restore_security_events import RestoreSecurityEvents
from application.accounts.revoke_sessions import RevokeUserSessions
from application.accounts.sessions import SessionStarter, TokenLifetimes
from application.accounts.signup import SignUp
from application.accounts.vendor_settings import GetVendor, ListVendors, UpdateVendor
from application.accounts.who_am_i import WhoAmI
from application.health.check_readiness import CheckReadiness
from application.shared.access import AccessTokens, AccountStandings, SessionLiveness
from application.shared.audit import SecurityRecorder
from application.shared.authorizer import Authorizer
from application.shared.clock import Clock
from application.shared.confirm_access import ConfirmAccess
from application.shared.context import RequestMeta
from application.shared.rate_limit import RateLimiter
from application.shared.security_events import DeferredSecurityEvents, SecurityEventLog
from application.shared.unit_of_work import UnitOfWork
from infrastructure.clock import SystemClock
from infrastructure.config import Settings
from infrastructure.persistence.database import create_engine, create_session_factory
from infrastructure.persistence.deferred_events import DeferredSecurityEventWriter
from infrastructure.persistence.probes import DatabaseProbe
from infrastructure.persistence.repositories import SqlSecurityEventLog, SqlStaffRepository, SqlVendorRepository
from infrastructure.persistence.standings import SqlAccountStandings
from infrastructure.persistence.unit_of_work import SqlAlchemyUnitOfWork
from infrastructure.redis.client import create_redis
from infrastructure.redis.login_throttle import InMemoryLoginThrottle, RedisLoginThrottle
from infrastructure.redis.memory_session_store import InMemorySessionStore
from infrastructure.redis.probes import RedisProbe
from infrastructure.redis.rate_limiter import FallbackRateLimiter, InMemoryRateLimiter, RedisRateLimiter
from infrastructure.redis.round_trips import RoundTrips
from infrastructure.redis.session_store import RedisSessionStore, session_key
from infrastructure.security.common_passwords import CommonPasswordList
from infrastructure.security.jwt_tokens import JwtAccessTokens
from infrastructure.security.passwords import Argon2PasswordHasher
from infrastructure.security.refresh_tokens import OpaqueRefreshTokens


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

    @provide(scope=Scope.APP)
    async def deferred_security_events(
        self, factory: async_sessionmaker[AsyncSession]
    ) -> AsyncIterator[DeferredSecurityEvents]:
        """Events the database could not take (a logout while it was down), stored when it returns."""
        writer = DeferredSecurityEventWriter(factory)
        yield writer
        await writer.aclose()


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


class AccessProvider(Provider):
    """What confirms an access token when the session store cannot: one short PostgreSQL read."""

    scope = Scope.APP

    @provide
    def standings(self, engine: AsyncEngine) -> AccountStandings:
        return SqlAccountStandings(engine)

    confirm_access = provide(ConfirmAccess)


class SecurityProvider(Provider):
    """Credentials and tokens. Sessions and login throttling live in Redis, or in memory under ``dev``."""

    scope = Scope.APP

    @provide
    async def password_hasher(self) -> AsyncIterator[PasswordHasher]:
        hasher = Argon2PasswordHasher()
        await hasher.warm_up()  # the dummy hash for unknown emails, so the first one is not slower
        yield hasher
        hasher.close()

    refresh_tokens = provide(OpaqueRefreshTokens, provides=RefreshTokens)
    clock = provide(SystemClock, provides=Clock)

    @provide
    async def common_passwords(self) -> CommonPasswords:
        # ~0.1 s to read 100k entries: done once, off the event loop.
        passwords = CommonPasswordList()
        await asyncio.to_thread(passwords.load)
        return passwords

    @provide
    def access_tokens(self, settings: Settings) -> AccessTokens:
        return JwtAccessTokens.from_settings(settings)

    @provide
    def lifetimes(self, settings: Settings) -> TokenLifetimes:
        return TokenLifetimes(
            access=timedelta(minutes=settings.access_token_expire_minutes),
            refresh=timedelta(days=settings.refresh_token_expire_days),
        )

    @provide
    def session_store(self, settings: Settings, redis: Redis | None, trips: RoundTrips | None) -> SessionStore:
        if redis is None or trips is None:
            return InMemorySessionStore()
        return RedisSessionStore(redis, settings.redis_key_prefix, trips)

    session_liveness = alias(source=SessionStore, provides=SessionLiveness)

    @provide
    def rate_limiter(self, settings: Settings, trips: RoundTrips | None) -> RateLimiter:
        """Redis behind a circuit breaker (memory while Redis is down); memory alone under ``dev``.
        It reads session liveness from the session store's keys (same Redis, same prefix)."""
        if trips is None or not settings.enable_distributed_rate_limiting:
            return InMemoryRateLimiter()
        prefix = settings.redis_key_prefix
        shared = RedisRateLimiter(trips, prefix, session_key=partial(session_key, prefix))
        return FallbackRateLimiter(shared, InMemoryRateLimiter())

    @provide
    def login_throttle(self, settings: Settings, redis: Redis | None) -> LoginThrottle:
        if redis is None:
            return InMemoryLoginThrottle()
        return RedisLoginThrottle(redis, settings.redis_key_prefix)


class UseCaseProvider(Provider):
    """Repositories and use cases, one set per request (they share the request's session)."""

    scope = Scope.REQUEST

    @provide
    def request_meta(self) -> RequestMeta:
        """Outside HTTP (CLI, tests) calls come from the local operator; the HTTP layer overrides this."""
        return RequestMeta(client_ip="local", request_id=uuid.uuid4().hex)

    vendors = provide(SqlVendorRepository, provides=VendorRepository)
    staff = provide(SqlStaffRepository, provides=StaffRepository)
    events = provide(SqlSecurityEventLog, provides=SecurityEventLog)
    recorder = provide(SecurityRecorder)
    new_password = provide(NewPassword)
    session_starter = provide(SessionStarter)
    authorizer = provide(Authorizer)

    use_cases = provide_all(
        SignUp,
        Login,
        Refresh,
        Logout,
        LogoutEverywhere,
        ChangePassword,
        WhoAmI,
        RevokeUserSessions,
        CreateStaff,
        UpdateStaff,
        ListStaff,
        GetVendor,
        UpdateVendor,
        ListVendors,
        ListSecurityEvents,
        RestoreSecurityEvents,
        SeedDemoShop,
    )


class HealthProvider(Provider):
    @provide(scope=Scope.APP)
    def check_readiness(self, engine: AsyncEngine, redis: Redis | None, limiter: RateLimiter) -> CheckReadiness:
        return CheckReadiness([DatabaseProbe(engine), RedisProbe(redis, limiter)])


def default_providers() -> list[Provider]:
    return [
        ConfigProvider(),
        DatabaseProvider(),
        RedisProvider(),
        SecurityProvider(),
        AccessProvider(),
        UseCaseProvider(),
        HealthProvider(),
    ]

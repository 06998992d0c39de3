"""The accounts context's dishka provider: its adapters, and its use cases one set per request."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

from dishka import Provider, Scope, alias, provide, provide_all
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from application.accounts.act_as import ActAs
from application.accounts.change_password import ChangePassword
from application.accounts.create_staff import CreateStaff
from application.accounts.demo import SeedDemoShop
from application.accounts.get_vendor import GetVendor
from application.accounts.list_security_events import ListSecurityEvents
from application.accounts.list_staff import GetStaffMember, ListStaff
from application.accounts.list_vendors import ListVendors
from application.accounts.login import Login
from application.accounts.logout import Logout
from application.accounts.logout_everywhere import LogoutEverywhere
from application.accounts.passwords import NewPassword
from application.accounts.ports import (
    CommonPasswords,
    DeferredEventReader,
    LoginThrottle,
    PasswordHasher,
    RefreshTokens,
    SecurityEventQueries,
    SessionStore,
    StaffQueries,
    StaffRepository,
    VendorQueries,
    VendorRepository,
)
from application.accounts.refresh import Refresh
from application.accounts.restore_security_events import ReplaySecurityEvents, RestoreSecurityEvents
from application.accounts.revoke_sessions import RevokeUserSessions
from application.accounts.sessions import SessionStarter, TokenLifetimes
from application.accounts.signup import SignUp, SignUpAndLogIn
from application.accounts.update_profile import UpdateProfile
from application.accounts.update_staff import UpdateStaff
from application.accounts.update_vendor import UpdateVendor
from application.accounts.who_am_i import WhoAmI
from application.shared.access import AccountStandings, SessionLiveness
from application.shared.confirm_access import ConfirmAccess
from application.shared.security_events import DeferredSecurityEvents, RefusalLog, SecurityEventLog
from infrastructure.accounts.common_passwords import CommonPasswordList
from infrastructure.accounts.deferred_events import DeferredEventLogReader, DeferredSecurityEventWriter
from infrastructure.accounts.file_session_store import DEV_SESSIONS_FILE, FileSessionStore
from infrastructure.accounts.login_throttle import InMemoryLoginThrottle, RedisLoginThrottle
from infrastructure.accounts.memory_session_store import InMemorySessionStore
from infrastructure.accounts.passwords import Argon2PasswordHasher
from infrastructure.accounts.queries import SqlSecurityEventQueries, SqlStaffQueries, SqlVendorQueries
from infrastructure.accounts.refresh_tokens import OpaqueRefreshTokens
from infrastructure.accounts.repositories import (
    SqlRefusalLog,
    SqlSecurityEventLog,
    SqlStaffRepository,
    SqlVendorRepository,
)
from infrastructure.accounts.session_store import RedisSessionStore
from infrastructure.accounts.standings import SqlAccountStandings
from infrastructure.config import Settings
from infrastructure.redis.round_trips import RoundTrips


class AccountsAdapters(Provider):
    """Credentials, sessions (Redis, or memory under ``dev``), login throttling, the audit trail and
    what confirms an access token when the session store cannot: one per process."""

    scope = Scope.APP

    @provide
    async def password_hasher(self) -> AsyncIterator[PasswordHasher]:
        hasher = Argon2PasswordHasher()
        await hasher.warm_up()  # the dummy hash for unknown emails, so the first one is not slower
        yield hasher
        hasher.close()

    refresh_tokens = provide(OpaqueRefreshTokens, provides=RefreshTokens)

    @provide
    async def common_passwords(self) -> CommonPasswords:
        # ~0.1 s to read 100k entries: done once, off the event loop.
        passwords = CommonPasswordList()
        await asyncio.to_thread(passwords.load)
        return passwords

    @provide
    def lifetimes(self, settings: Settings) -> TokenLifetimes:
        return TokenLifetimes(
            access=timedelta(minutes=settings.access_token_expire_minutes),
            refresh=timedelta(days=settings.refresh_token_expire_days),
            refresh_reuse_grace=timedelta(seconds=settings.refresh_reuse_grace_seconds),
        )

    @provide
    def session_store(self, settings: Settings, redis: Redis | None, trips: RoundTrips | None) -> SessionStore:
        if redis is None or trips is None:
            # Under `dev`, kept in its data directory so a restart keeps everyone logged in.
            directory = settings.dev_data_dir
            return InMemorySessionStore() if directory is None else FileSessionStore(directory / DEV_SESSIONS_FILE)
        return RedisSessionStore(redis, settings.redis_key_prefix, trips)

    session_liveness = alias(source=SessionStore, provides=SessionLiveness)

    @provide
    def login_throttle(self, settings: Settings, redis: Redis | None) -> LoginThrottle:
        if redis is None:
            return InMemoryLoginThrottle()
        return RedisLoginThrottle(redis, settings.redis_key_prefix)

    @provide
    def standings(self, engine: AsyncEngine) -> AccountStandings:
        return SqlAccountStandings(engine)

    confirm_access = provide(ConfirmAccess)
    deferred_event_reader = provide(DeferredEventLogReader, provides=DeferredEventReader)

    @provide
    async def deferred_security_events(
        self, factory: async_sessionmaker[AsyncSession]
    ) -> AsyncIterator[DeferredSecurityEvents]:
        """Events the database could not take (a logout while it was down), stored when it returns."""
        writer = DeferredSecurityEventWriter(factory)
        yield writer
        await writer.aclose()


class AccountsUseCases(Provider):
    """Repositories and use cases, one set per request (they share the request's session)."""

    scope = Scope.REQUEST

    vendors = provide(SqlVendorRepository, provides=VendorRepository)
    staff = provide(SqlStaffRepository, provides=StaffRepository)
    events = provide(SqlSecurityEventLog, provides=SecurityEventLog)
    new_password = provide(NewPassword)
    session_starter = provide(SessionStarter)

    use_cases = provide_all(
        SignUp,
        SignUpAndLogIn,
        Login,
        Refresh,
        Logout,
        LogoutEverywhere,
        ChangePassword,
        RevokeUserSessions,
        CreateStaff,
        UpdateStaff,
        UpdateVendor,
        UpdateProfile,
        RestoreSecurityEvents,
        ReplaySecurityEvents,
        SeedDemoShop,
        ActAs,
    )


class AccountsReads(Provider):
    """Reads: query services (one statement each) and the use cases over them, one per process;
    a read opens no request scope, no session and no unit of work."""

    scope = Scope.APP

    vendors = provide(SqlVendorQueries, provides=VendorQueries)
    staff = provide(SqlStaffQueries, provides=StaffQueries)
    events = provide(SqlSecurityEventQueries, provides=SecurityEventQueries)
    refusals = provide(SqlRefusalLog, provides=RefusalLog)

    use_cases = provide_all(WhoAmI, ListStaff, GetStaffMember, GetVendor, ListVendors, ListSecurityEvents)


def accounts_providers() -> list[Provider]:
    return [AccountsAdapters(), AccountsUseCases(), AccountsReads()]

"""In-memory fakes of the application ports, and a ``World`` that wires the real use cases over them.

Repositories keep frozen domain entities in dicts. ``FakeUnitOfWork`` counts commits and rollbacks and,
like a database transaction, a rollback restores every repository to what the last commit saw, so a
test can check that a refused call leaves nothing behind once its request ends uncommitted.

The session store, the login throttle and the refresh tokens are the real in-memory implementations,
driven by the same ``FakeClock`` as everything else: advancing the clock expires tokens, sessions and
throttle waits alike, without sleeping.
"""

from __future__ import annotations

import asyncio
import builtins
import copy
import itertools
import unicodedata
import uuid
from collections.abc import Awaitable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any, ParamSpec, Protocol, TypeVar

from dishka import AsyncContainer, Provider, Scope, provide
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from application.accounts.change_password import ChangePassword, ChangePasswordCommand
from application.accounts.create_staff import CreateStaff, CreateStaffCommand
from application.accounts.errors import EmailTaken, SlugTaken
from application.accounts.login import Login, LoginCommand
from application.accounts.ports import (
    CommonPasswords,
    LoginThrottle,
    PasswordHasher,
    RefreshTokens,
    SecurityEventQueries,
    SessionStore,
    StaffFilter,
    StaffQueries,
    StaffRepository,
    StaffSort,
    VendorQueries,
    VendorRepository,
)
from application.accounts.sessions import TokenLifetimes, TokenPair
from application.accounts.signup import SignUp, SignUpCommand, SignUpResult
from application.accounts.views import MeOut, SecurityEventOut, UserOut, VendorOut
from application.shared.access import AccessClaims, AccessTokens, InvalidToken, IssuedAccessToken
from application.shared.clock import Clock
from application.shared.context import Principal, RequestMeta, RequestOrigin
from application.shared.errors import AuthenticationFailed, DependencyUnavailable
from application.shared.pagination import Page, PageRequest
from application.shared.security_events import (
    DeferredSecurityEvents,
    RefusalLog,
    SecurityEvent,
    SecurityEventKind,
    SecurityEventLog,
)
from application.shared.unit_of_work import UnitOfWork
from domain.accounts.staff_user import StaffUser
from domain.accounts.vendor import Vendor
from domain.shared.email import Email
from domain.shared.role import Role
from infrastructure.accounts.login_throttle import InMemoryLoginThrottle
from infrastructure.accounts.memory_session_store import InMemorySessionStore
from infrastructure.accounts.refresh_tokens import OpaqueRefreshTokens
from infrastructure.accounts.repositories import aggregate_event_id
from infrastructure.config import load_settings
from infrastructure.di.container import make_container

START = datetime(2025, 3, 14, 9, 30, tzinfo=UTC)
CLIENT_IP = "203.0.113.7"
OWNER_EMAIL = "owner@rosa-bloom.example"
OWNER_PASSWORD = "peonies and lilacs"
STAFF_PASSWORD = "lilies in spring"
COMMON_PASSWORDS = frozenset({"password1234", "123456789012", "qwertyuiop12", "iloveflowers"})
# The embedded default's settings: nothing here reaches a database or Redis (``FakeAdapters``).
UNIT_SETTINGS = load_settings({"ENVIRONMENT": "development"})

T = TypeVar("T")
R = TypeVar("R")
P = ParamSpec("P")


class _UseCase(Protocol[P, R]):
    def execute(self, *args: P.args, **kwargs: P.kwargs) -> Awaitable[R]: ...


def _page(items: list[Any], page: PageRequest) -> Page[Any]:
    return Page(
        items=items[page.offset : page.offset + page.limit], total=len(items), limit=page.limit, offset=page.offset
    )


class _Transactional(Protocol):
    def _checkpoint(self) -> None: ...

    def _restore(self) -> None: ...


# -- time ---------------------------------------------------------------------------------------


class FakeClock:
    """``Clock``; ``monotonic`` feeds the in-memory session store and throttle from the same time."""

    def __init__(self, start: datetime = START) -> None:
        self.current = start

    def now(self) -> datetime:
        return self.current

    def set(self, moment: datetime) -> None:
        self.current = moment

    def advance(self, seconds: float = 0.0, **delta: float) -> None:
        self.current += timedelta(seconds=seconds, **delta)

    def monotonic(self) -> float:
        return (self.current - START).total_seconds() + 1_000_000.0


class MonotonicClock:
    """A ``time.monotonic`` stand-in for the in-memory limiter, throttle and session store."""

    def __init__(self, start: float = 10_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


# -- persistence --------------------------------------------------------------------------------


class FakeUnitOfWork:
    def __init__(self) -> None:
        self.commits = 0
        self.rollbacks = 0
        self._participants: list[_Transactional] = []

    def enlist(self, participant: _Transactional) -> None:
        self._participants.append(participant)
        participant._checkpoint()

    async def commit(self) -> None:
        self.commits += 1
        for participant in self._participants:
            participant._checkpoint()

    async def rollback(self) -> None:
        self.rollbacks += 1
        for participant in self._participants:
            participant._restore()


class FakeVendorRepository:
    def __init__(self) -> None:
        self.vendors: dict[uuid.UUID, Vendor] = {}
        self._committed: dict[uuid.UUID, Vendor] = {}

    def _checkpoint(self) -> None:
        self._committed = dict(self.vendors)

    def _restore(self) -> None:
        self.vendors = dict(self._committed)

    async def add(self, vendor: Vendor) -> None:
        if vendor.id in self.vendors:
            raise ValueError(f"vendor {vendor.id} already exists")
        if any(v.slug == vendor.slug for v in self.vendors.values()):
            raise SlugTaken
        self.vendors[vendor.id] = copy.deepcopy(vendor)

    async def get(self, vendor_id: uuid.UUID) -> Vendor | None:
        vendor = self.vendors.get(vendor_id)
        return None if vendor is None else copy.deepcopy(vendor)

    async def get_by_slug(self, slug: str) -> Vendor | None:
        vendor = next((v for v in self.vendors.values() if v.slug == slug), None)
        return None if vendor is None else copy.deepcopy(vendor)

    async def update(self, vendor: Vendor) -> None:
        if vendor.id not in self.vendors:
            raise KeyError(vendor.id)
        self.vendors[vendor.id] = copy.deepcopy(vendor)


class FakeStaffRepository:
    def __init__(self) -> None:
        self.users: dict[uuid.UUID, StaffUser] = {}
        self._committed: dict[uuid.UUID, StaffUser] = {}
        self.owner_counts: list[uuid.UUID] = []  # vendor ids ``count_active_owners`` was asked about

    def _checkpoint(self) -> None:
        self._committed = dict(self.users)

    def _restore(self) -> None:
        self.users = dict(self._committed)

    async def add(self, user: StaffUser) -> None:
        if user.id in self.users:
            raise ValueError(f"user {user.id} already exists")
        if any(u.email.value.casefold() == user.email.value.casefold() for u in self.users.values()):
            raise EmailTaken
        self.users[user.id] = user

    async def get(self, vendor_id: uuid.UUID, user_id: uuid.UUID, *, lock: bool = False) -> StaffUser | None:
        user = self.users.get(user_id)
        return user if user is not None and user.vendor_id == vendor_id else None

    async def replace_password_hash(self, user: StaffUser, expected: str) -> bool:
        stored = self.users.get(user.id)
        if stored is None or stored.password_hash != expected:
            return False
        self.users[user.id] = user
        return True

    async def get_by_email(self, email: Email) -> StaffUser | None:
        wanted = email.value.casefold()
        return next((u for u in self.users.values() if u.email.value.casefold() == wanted), None)

    async def update(self, user: StaffUser) -> None:
        stored = self.users.get(user.id)
        if stored is None or stored.vendor_id != user.vendor_id:
            raise KeyError(user.id)
        self.users[user.id] = user

    async def cut_off_sessions(self, vendor_id: uuid.UUID, user_id: uuid.UUID, at: datetime) -> None:
        stored = self.users.get(user_id)
        if stored is not None and stored.vendor_id == vendor_id:
            self.users[user_id] = stored.sessions_cut_off(at=at)

    async def count_active_owners(self, vendor_id: uuid.UUID) -> int:
        self.owner_counts.append(vendor_id)
        return sum(1 for u in self.users.values() if u.vendor_id == vendor_id and u.is_active_owner)

    def by_email(self, email: str) -> StaffUser:
        """Test helper: the stored user with this (already valid) email."""
        wanted = email.casefold()
        return next(u for u in self.users.values() if u.email.value == wanted)


class FakeSecurityEventLog:
    def __init__(self) -> None:
        self.events: list[SecurityEvent] = []
        self._committed: list[SecurityEvent] = []
        self.unavailable = False  # True: every write raises DependencyUnavailable (the database is down)

    def _checkpoint(self) -> None:
        self._committed = list(self.events)

    def _restore(self) -> None:
        self.events = list(self._committed)

    async def record(self, event: SecurityEvent) -> None:
        self._available()
        self.events.append(event if event.id is not None else replace(event, id=uuid.uuid4()))

    async def record_repeated(self, event: SecurityEvent, *, key: str, window: timedelta) -> int:
        """Like the SQL log: one row per key and fixed window, counted."""
        self._available()
        seconds = int(window.total_seconds())
        row_id = aggregate_event_id(key, int(event.at.timestamp()) // seconds * seconds, event.vendor_id, event.user_id)
        at = event.at.isoformat()
        for index, stored in enumerate(self.events):
            if stored.id == row_id:
                count = int(stored.detail["count"]) + 1
                latest = event if event.at >= stored.at else stored
                detail = {**latest.detail, "count": count, "first_at": stored.detail["first_at"]}
                if latest is event:
                    detail["last_at"] = at
                self.events[index] = replace(stored, at=max(stored.at, event.at), detail=detail)
                return count
        self.events.append(
            replace(event, id=row_id, detail={**event.detail, "count": 1, "first_at": at, "last_at": at})
        )
        return 1

    async def restore(self, event: SecurityEvent) -> bool:
        self._available()
        if any(stored.id == event.id for stored in self.events):
            return False
        self.events.append(event)
        return True

    def _available(self) -> None:
        if self.unavailable:
            raise DependencyUnavailable("The database is unavailable.")

    def kinds(self) -> builtins.list[SecurityEventKind]:
        return [e.kind for e in self.events]

    def of_kind(self, kind: SecurityEventKind) -> builtins.list[SecurityEvent]:
        return [e for e in self.events if e.kind is kind]

    def last(self) -> SecurityEvent:
        return self.events[-1]


class FakeDeferredSecurityEvents:
    """Keeps what a use case deferred, in order."""

    def __init__(self) -> None:
        self.events: list[SecurityEvent] = []

    async def defer(self, event: SecurityEvent) -> None:
        self.events.append(event)


# -- reads ---------------------------------------------------------------------------------------


class FakeVendorQueries:
    """The query services over the fake repositories' committed-or-not state (as a read on its own
    connection would see what a test has stored)."""

    def __init__(self, vendors: FakeVendorRepository) -> None:
        self._vendors = vendors

    async def get(self, vendor_id: uuid.UUID) -> VendorOut | None:
        vendor = self._vendors.vendors.get(vendor_id)
        return VendorOut.of(vendor) if vendor is not None else None

    async def page(self, page: PageRequest) -> Page[VendorOut]:
        return _page([VendorOut.of(v) for v in self._vendors.vendors.values()], page)


class FakeStaffQueries:
    def __init__(self, staff: FakeStaffRepository, vendors: FakeVendorRepository) -> None:
        self._staff = staff
        self._vendors = vendors

    async def page(self, vendor_id: uuid.UUID, page: PageRequest, where: StaffFilter | None = None) -> Page[UserOut]:
        where = where or StaffFilter()
        members = [
            u
            for u in self._staff.users.values()
            if u.vendor_id == vendor_id
            and (where.role is None or u.role is where.role)
            and (where.active is None or u.active is where.active)
        ]
        by_name = where.sort in (StaffSort.NAME, StaffSort.NAME_DESC)
        descending = where.sort in (StaffSort.NAME_DESC, StaffSort.CREATED_AT_DESC)
        members.sort(
            key=lambda u: (
                (u.full_name.lower(), u.full_name, str(u.id)) if by_name else (u.created_at or START, str(u.id))
            ),
            reverse=descending,
        )
        return _page([UserOut.of(u) for u in members], page)

    async def get(self, vendor_id: uuid.UUID, user_id: uuid.UUID) -> UserOut | None:
        user = self._staff.users.get(user_id)
        return UserOut.of(user) if user is not None and user.vendor_id == vendor_id else None

    async def me(self, vendor_id: uuid.UUID, user_id: uuid.UUID) -> MeOut | None:
        user = self._staff.users.get(user_id)
        if user is None or user.vendor_id != vendor_id or not user.active:
            return None
        return MeOut.of(user, self._vendors.vendors[vendor_id])


class FakeSecurityEventQueries:
    def __init__(self, events: FakeSecurityEventLog) -> None:
        self._events = events

    async def page(self, vendor_id: uuid.UUID, page: PageRequest) -> Page[SecurityEventOut]:
        mine = [(i, e) for i, e in enumerate(self._events.events) if e.vendor_id == vendor_id]
        newest_first = [e for _, e in sorted(mine, key=lambda pair: (pair[1].at, pair[0]), reverse=True)]
        return _page([SecurityEventOut.of(e) for e in newest_first], page)


class FakeRefusalLog:
    """``RefusalLog``: the event is stored in a transaction of its own, so no later rollback of a
    test's unit of work takes it back."""

    def __init__(self, events: FakeSecurityEventLog) -> None:
        self._events = events

    async def record(self, event: SecurityEvent) -> None:
        await self._events.record(event)
        self._events._checkpoint()


# -- credentials and tokens ---------------------------------------------------------------------


class FakePasswordHasher:
    """``<scheme>:<password>``; changing ``scheme`` makes older hashes stale, like new argon2 parameters."""

    def __init__(self, scheme: str = "hashed") -> None:
        self.scheme = scheme
        self.force_rehash = False
        self.hashed: list[str] = []  # passwords hashed, in order
        self.verifications: list[str | None] = []  # hashes verified against (None: unknown user)
        self.dummy_verifications = 0

    async def hash(self, password: str) -> str:
        self.hashed.append(password)
        return f"{self.scheme}:{password}"

    async def verify(self, password_hash: str | None, password: str) -> bool:
        self.verifications.append(password_hash)
        # The real hasher runs off the event loop: let other tasks in, as it does (no time passes).
        await asyncio.sleep(0)
        if password_hash is None:
            self.dummy_verifications += 1
            return False
        _, separator, plain = password_hash.partition(":")
        return bool(separator) and plain == password

    def needs_rehash(self, password_hash: str) -> bool:
        return self.force_rehash or not password_hash.startswith(f"{self.scheme}:")


class FakeCommonPasswords:
    """Case-insensitive on the NFC form, like ``CommonPasswordList``."""

    def __init__(self, passwords: frozenset[str] = COMMON_PASSWORDS) -> None:
        self.passwords = frozenset(unicodedata.normalize("NFC", p).lower() for p in passwords)

    def contains(self, password: str) -> bool:
        return unicodedata.normalize("NFC", password).lower() in self.passwords


class FakeAccessTokens:
    """Opaque ``fake-access.<n>`` strings that map back to their claims until they expire."""

    def __init__(self, clock: FakeClock, lifetime: timedelta = timedelta(minutes=15)) -> None:
        self._clock = clock
        self._lifetime = lifetime
        self._counter = itertools.count(1)
        self.issued: dict[str, AccessClaims] = {}

    def issue(self, *, user_id: uuid.UUID, vendor_id: uuid.UUID, role: str, session_id: uuid.UUID) -> IssuedAccessToken:
        now = self._clock.now()
        token = f"fake-access.{next(self._counter)}"
        self.issued[token] = AccessClaims(
            user_id=user_id,
            vendor_id=vendor_id,
            role=role,
            session_id=session_id,
            token_id=uuid.uuid4().hex,
            issued_at=now,
            expires_at=now + self._lifetime,
        )
        return IssuedAccessToken(token=token, expires_in=int(self._lifetime.total_seconds()))

    def verify(self, token: str) -> AccessClaims:
        claims = self.issued.get(token)
        if claims is None or self._clock.now() >= claims.expires_at:
            raise InvalidToken("unknown or expired access token")
        return claims


# -- the wiring ---------------------------------------------------------------------------------


@dataclass(slots=True)
class Member:
    """A signed-in staff member: the stored user, the tokens of one session, and its principal."""

    user: StaffUser
    tokens: TokenPair
    principal: Principal
    password: str


class FakeAdapters(Provider):
    """Every port the use cases need, bound to ``world``'s fakes. Listed after the production
    providers, it overrides their adapters; what a unit test must never reach (the database
    engine, its sessions, Redis) fails loudly instead of connecting."""

    def __init__(self, world: World) -> None:
        super().__init__()
        self.world = world

    @provide(scope=Scope.APP)
    def clock(self) -> Clock:
        return self.world.clock

    @provide(scope=Scope.APP)
    def vendors(self) -> VendorRepository:
        return self.world.vendors

    @provide(scope=Scope.APP)
    def staff(self) -> StaffRepository:
        return self.world.staff

    @provide(scope=Scope.APP)
    def events(self) -> SecurityEventLog:
        return self.world.events

    @provide(scope=Scope.APP)
    def deferred(self) -> DeferredSecurityEvents:
        return self.world.deferred

    @provide(scope=Scope.APP)
    def unit_of_work(self) -> UnitOfWork:
        return self.world.uow

    @provide(scope=Scope.APP)
    def hasher(self) -> PasswordHasher:
        return self.world.hasher

    @provide(scope=Scope.APP)
    def common_passwords(self) -> CommonPasswords:
        return self.world.common

    @provide(scope=Scope.APP)
    def refresh_tokens(self) -> RefreshTokens:
        return self.world.refresh_tokens

    @provide(scope=Scope.APP)
    def lifetimes(self) -> TokenLifetimes:
        return self.world.lifetimes

    @provide(scope=Scope.APP)
    def access_tokens(self) -> AccessTokens:
        return self.world.access_tokens

    @provide(scope=Scope.APP)
    def sessions(self) -> SessionStore:
        return self.world.sessions

    @provide(scope=Scope.APP)
    def throttle(self) -> LoginThrottle:
        return self.world.throttle

    @provide(scope=Scope.REQUEST)
    def meta(self) -> RequestMeta:
        return self.world.meta

    @provide(scope=Scope.APP)
    def origin(self) -> RequestOrigin:
        return lambda: self.world.meta

    @provide(scope=Scope.APP)
    def vendor_queries(self) -> VendorQueries:
        return FakeVendorQueries(self.world.vendors)

    @provide(scope=Scope.APP)
    def staff_queries(self) -> StaffQueries:
        return FakeStaffQueries(self.world.staff, self.world.vendors)

    @provide(scope=Scope.APP)
    def event_queries(self) -> SecurityEventQueries:
        return FakeSecurityEventQueries(self.world.events)

    @provide(scope=Scope.APP)
    def refusals(self) -> RefusalLog:
        return FakeRefusalLog(self.world.events)

    @provide(scope=Scope.APP)
    def engine(self) -> AsyncEngine:
        raise AssertionError("a unit test reached the database engine: bind the port to a fake in FakeAdapters")

    @provide(scope=Scope.APP)
    def session_factory(self) -> async_sessionmaker[AsyncSession]:
        raise AssertionError("a unit test reached the database: bind the port to a fake in FakeAdapters")

    @provide(scope=Scope.APP)
    def redis(self) -> Redis | None:
        raise AssertionError("a unit test reached Redis: bind the port to a fake in FakeAdapters")


@dataclass
class World:
    """Every fake, and the application's own container over them: use cases are built by the
    production providers, fresh for each call (one request scope each), with every port bound to
    a fake here (``FakeAdapters``)."""

    clock: FakeClock = field(default_factory=FakeClock)
    vendors: FakeVendorRepository = field(default_factory=FakeVendorRepository)
    staff: FakeStaffRepository = field(default_factory=FakeStaffRepository)
    events: FakeSecurityEventLog = field(default_factory=FakeSecurityEventLog)
    deferred: FakeDeferredSecurityEvents = field(default_factory=FakeDeferredSecurityEvents)
    uow: FakeUnitOfWork = field(default_factory=FakeUnitOfWork)
    hasher: FakePasswordHasher = field(default_factory=FakePasswordHasher)
    common: FakeCommonPasswords = field(default_factory=FakeCommonPasswords)
    refresh_tokens: OpaqueRefreshTokens = field(default_factory=OpaqueRefreshTokens)
    lifetimes: TokenLifetimes = field(
        default_factory=lambda: TokenLifetimes(access=timedelta(minutes=15), refresh=timedelta(days=7))
    )
    meta: RequestMeta = field(default_factory=lambda: RequestMeta(client_ip=CLIENT_IP, request_id="req-test"))
    access_tokens: FakeAccessTokens = field(init=False)
    sessions: InMemorySessionStore = field(init=False)
    throttle: InMemoryLoginThrottle = field(init=False)

    container: AsyncContainer = field(init=False)

    def __post_init__(self) -> None:
        self.access_tokens = FakeAccessTokens(self.clock, self.lifetimes.access)
        self.sessions = InMemorySessionStore(now=self.clock.monotonic)
        self.throttle = InMemoryLoginThrottle(now=self.clock.monotonic)
        for participant in (self.vendors, self.staff, self.events):
            self.uow.enlist(participant)
        # The production graph (every context's providers), with the ports bound to this world's fakes.
        self.container = make_container(UNIT_SETTINGS, FakeAdapters(self))

    # -- the container ------------------------------------------------------------------------

    async def use(self, kind: type[T]) -> T:
        """``kind`` as the container builds it for one request, over this world's fakes."""
        async with self.container() as request:
            return await request.get(kind)

    async def run(self, use_case: type[_UseCase[P, R]], *args: P.args, **kwargs: P.kwargs) -> R:
        """One call of ``use_case``, built fresh from the container like one request."""
        async with self.container() as request:
            case = await request.get(use_case)
            return await case.execute(*args, **kwargs)

    # -- helpers ------------------------------------------------------------------------------

    async def signup(
        self,
        *,
        email: str = OWNER_EMAIL,
        password: str = OWNER_PASSWORD,
        slug: str = "rosa-bloom",
        vendor_name: str = "Rosa Bloom",
        full_name: str = "Rosa Florist",
        timezone: str = "Europe/Amsterdam",
        currency: str = "EUR",
        country: str = "NL",
    ) -> SignUpResult:
        return await self.run(
            SignUp,
            SignUpCommand(
                vendor_name=vendor_name,
                vendor_slug=slug,
                timezone=timezone,
                currency=currency,
                country=country,
                email=email,
                password=password,
                full_name=full_name,
            ),
        )

    async def login(self, email: str = OWNER_EMAIL, password: str = OWNER_PASSWORD) -> TokenPair:
        return await self.run(Login, LoginCommand(email=email, password=password))

    async def authenticate(self, access_token: str) -> Principal:
        """What the HTTP auth middleware does: a valid token whose session is still live."""
        try:
            claims = self.access_tokens.verify(access_token)
        except InvalidToken:
            raise AuthenticationFailed("invalid access token") from None
        if not await self.sessions.is_live(claims.session_id):
            raise AuthenticationFailed("the session has ended")
        return Principal(
            user_id=claims.user_id, vendor_id=claims.vendor_id, role=Role(claims.role), session_id=claims.session_id
        )

    async def sign_in(self, email: str, password: str) -> Member:
        tokens = await self.login(email, password)
        principal = await self.authenticate(tokens.access_token)
        user = await self.staff.get(principal.vendor_id, principal.user_id)
        assert user is not None
        return Member(user=user, tokens=tokens, principal=principal, password=password)

    async def owner(self, *, email: str = OWNER_EMAIL, slug: str = "rosa-bloom") -> Member:
        """Signs a new shop up and logs its owner in."""
        await self.signup(email=email, slug=slug)
        return await self.sign_in(email, OWNER_PASSWORD)

    async def member(self, by: Member, role: Role, email: str, password: str = STAFF_PASSWORD) -> Member:
        """``by`` creates a staff member with ``role``, who then logs in."""
        await self.run(
            CreateStaff,
            by.principal,
            CreateStaffCommand(email=email, full_name=f"{role.value.title()} Person", role=role, password=password),
        )
        return await self.sign_in(email, password)

    async def change_password(self, who: Member, current: str, new: str) -> None:
        await self.run(ChangePassword, who.principal, ChangePasswordCommand(current_password=current, new_password=new))

    async def is_live(self, member: Member) -> bool:
        return await self.sessions.is_live(member.principal.session_id)

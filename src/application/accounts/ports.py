"""The accounts context's ports: shops and staff (every tenant-owned lookup takes the vendor id:
another shop's row is None), credentials, refresh-token sessions and login throttling."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol
from uuid import UUID

from application.accounts.views import MeOut, SecurityEventOut, UserOut, VendorOut
from application.shared.access import SessionLiveness
from application.shared.pagination import Page, PageRequest
from application.shared.security_events import SecurityEvent
from domain.accounts.staff_user import StaffUser
from domain.accounts.vendor import Vendor
from domain.shared.email import Email
from domain.shared.role import Role


class VendorRepository(Protocol):
    async def add(self, vendor: Vendor) -> None:
        """Raises ``SlugTaken`` when the slug is in use."""
        ...

    async def get(self, vendor_id: UUID) -> Vendor | None: ...

    async def get_by_slug(self, slug: str) -> Vendor | None: ...

    async def update(self, vendor: Vendor) -> None: ...


class StaffRepository(Protocol):
    async def add(self, user: StaffUser) -> None:
        """Raises ``EmailTaken`` when the email is in use on the platform (case-insensitively)."""
        ...

    async def get(self, vendor_id: UUID, user_id: UUID, *, lock: bool = False) -> StaffUser | None:
        """Always the committed state, never a cached copy. ``lock`` holds the row until the
        transaction ends, so two concurrent changes to one member are applied one after the other."""
        ...

    async def replace_password_hash(self, user: StaffUser, expected: str) -> bool:
        """Store ``user.password_hash`` only if the stored hash is still ``expected`` (a login's
        rehash must never overwrite a password change made meanwhile)."""
        ...

    async def get_by_email(self, email: Email) -> StaffUser | None:
        """Platform-wide, for login."""
        ...

    async def update(self, user: StaffUser) -> None: ...

    async def cut_off_sessions(self, vendor_id: UUID, user_id: UUID, at: datetime) -> None:
        """Record that every token issued before ``at`` is void, touching nothing else of the row
        (a concurrent role or password change is never overwritten). Raises
        ``DependencyUnavailable`` when the database does not answer."""
        ...

    async def count_active_owners(self, vendor_id: UUID) -> int:
        """Locks the shop's owner rows until the transaction ends, so two concurrent demotions
        cannot both see the other owner."""
        ...


class PasswordHasher(Protocol):
    """argon2id behind a concurrency limit; hashing never runs on the event loop."""

    async def hash(self, password: str) -> str: ...

    async def verify(self, password_hash: str | None, password: str) -> bool:
        """False on mismatch. With ``None`` (unknown user) it still spends the time of one
        verification against a dummy hash, so unknown and known emails answer alike."""
        ...

    def needs_rehash(self, password_hash: str) -> bool: ...


class CommonPasswords(Protocol):
    """An offline list of passwords too common to allow."""

    def contains(self, password: str) -> bool: ...


@dataclass(frozen=True, slots=True)
class RefreshToken:
    """An opaque refresh token and the hash under which it is stored (the token itself never is)."""

    token: str
    token_hash: str


class RefreshTokens(Protocol):
    def new(self) -> RefreshToken: ...

    def hash(self, token: str) -> str: ...

    def seal(self, token: str, key: str) -> str:
        """``token`` made unreadable to anyone without the token ``key`` (the one it succeeds): what
        the session store keeps for the reuse grace, so a copy of the store holds no usable token."""
        ...

    def unseal(self, sealed: str, key: str) -> str | None:
        """The token ``seal`` hid, or None when ``sealed`` is not something it made."""
        ...


@dataclass(frozen=True, slots=True)
class SessionRecord:
    session_id: UUID
    user_id: UUID
    vendor_id: UUID


# A session family slides forward with every refresh, but never past this much after its login:
# a stolen refresh token that keeps being used still dies.
MAX_SESSION_LIFETIME = timedelta(days=30)


class RotationOutcome(enum.Enum):
    ROTATED = "rotated"
    # The token just spent, presented again within the reuse grace while its successor is still
    # the family's current token (two tabs refreshing at once): answered with that successor.
    REPEATED = "repeated"
    REUSED = "reused"  # a spent token was presented: the whole family is now revoked
    UNKNOWN = "unknown"  # never issued, expired, or its session was revoked


@dataclass(frozen=True, slots=True)
class ReuseGrace:
    """How a rotation lets its presented token be presented again: for ``period`` after it, and
    only while ``sealed_successor``'s token is still current, the presented token is answered with
    that successor (sealed with the presented token, ``RefreshTokens.seal``) instead of counting as
    reuse. Later, or once the family has moved on, it is reuse as always."""

    period: timedelta
    sealed_successor: str


@dataclass(frozen=True, slots=True)
class Rotation:
    outcome: RotationOutcome
    session: SessionRecord | None
    # REPEATED only: the current token's hash and the token sealed with the presented one.
    successor_hash: str | None = None
    sealed_successor: str | None = None


class SessionStore(SessionLiveness, Protocol):
    """Session families of refresh tokens. Every method raises ``DependencyUnavailable`` when the
    backing store does not answer."""

    async def create(self, session: SessionRecord, refresh_hash: str, ttl: timedelta) -> None: ...

    async def rotate(
        self, presented_hash: str, new_hash: str, ttl: timedelta, *, grace: ReuseGrace | None = None
    ) -> Rotation:
        """Atomically: the presented token becomes spent and ``new_hash`` current. Of many
        concurrent rotations with one token exactly one gets ROTATED; with a ``grace``, the others
        (and any presentation of it within the grace) get REPEATED, else REUSED."""
        ...

    async def find(self, refresh_hash: str) -> SessionRecord | None:
        """The live session a current (unspent) refresh token belongs to."""
        ...

    async def revoke(self, session_id: UUID) -> None: ...

    async def revoke_all(self, user_id: UUID, *, except_session: UUID | None = None) -> int: ...


class LoginThrottle(Protocol):
    """Slows repeated failures for one account from one client, without locking the account
    out from everywhere."""

    async def begin_attempt(self, account: str, client: str) -> int:
        """Atomically: the seconds to wait while the pair is locked (nothing counted), else 0 and
        the attempt is counted as a failure until ``reset`` says it succeeded. Parallel guesses
        cannot all slip past the check before any of them is counted."""
        ...

    async def reset(self, account: str, client: str) -> None: ...


@dataclass(frozen=True, slots=True)
class DeferredRead:
    events: list[SecurityEvent]
    unreadable: int


class DeferredEventReader(Protocol):
    """Reads back the security events a server logged because the database could not take them."""

    def read(self, lines: Iterable[str]) -> DeferredRead: ...


# -- reads: query services, one SQL statement each, read models out (no entity, no unit of work) --


class VendorQueries(Protocol):
    async def get(self, vendor_id: UUID) -> VendorOut | None: ...

    async def page(self, page: PageRequest) -> Page[VendorOut]:
        """Every shop on the platform, oldest first (operators only: no tenant to filter by)."""
        ...


class StaffSort(enum.StrEnum):
    """The orders of the staff list: by name (case-insensitively) or by creation time, ``-`` for
    descending. Ties fall back to the id, so pages never overlap."""

    CREATED_AT = "created_at"
    CREATED_AT_DESC = "-created_at"
    NAME = "name"
    NAME_DESC = "-name"


@dataclass(frozen=True, slots=True)
class StaffFilter:
    """Which of the shop's staff a list shows, and in which order."""

    role: Role | None = None
    active: bool | None = None
    sort: StaffSort = StaffSort.CREATED_AT


class StaffQueries(Protocol):
    async def page(self, vendor_id: UUID, page: PageRequest, where: StaffFilter | None = None) -> Page[UserOut]:
        """The shop's staff matching ``where`` in its order (everyone, oldest first, by default),
        with the total."""
        ...

    async def get(self, vendor_id: UUID, user_id: UUID) -> UserOut | None:
        """One member of the shop's staff (deactivated ones too); another shop's id is None."""
        ...

    async def me(self, vendor_id: UUID, user_id: UUID) -> MeOut | None:
        """The caller's account, or None when it is gone or deactivated."""
        ...


class SecurityEventQueries(Protocol):
    async def page(self, vendor_id: UUID, page: PageRequest) -> Page[SecurityEventOut]:
        """The shop's security events, newest first, with the total."""
        ...

"""Ports for credentials and tokens: password hashing, access tokens, sessions, login throttling."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol
from uuid import UUID


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
class AccessClaims:
    """What a verified access token says. ``role`` is the role name (``OWNER`` …)."""

    user_id: UUID
    vendor_id: UUID
    role: str
    session_id: UUID
    token_id: str
    issued_at: datetime
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class IssuedAccessToken:
    token: str
    expires_in: int  # seconds


class InvalidToken(Exception):
    """The token is malformed, forged, expired, of the wrong type or for another audience."""


class AccessTokens(Protocol):
    def issue(self, *, user_id: UUID, vendor_id: UUID, role: str, session_id: UUID) -> IssuedAccessToken: ...

    def verify(self, token: str) -> AccessClaims:
        """Raises ``InvalidToken``."""
        ...


@dataclass(frozen=True, slots=True)
class RefreshToken:
    """An opaque refresh token and the hash under which it is stored (the token itself never is)."""

    token: str
    token_hash: str


class RefreshTokens(Protocol):
    def new(self) -> RefreshToken: ...

    def hash(self, token: str) -> str: ...


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
    REUSED = "reused"  # a spent token was presented: the whole family is now revoked
    UNKNOWN = "unknown"  # never issued, expired, or its session was revoked


@dataclass(frozen=True, slots=True)
class Rotation:
    outcome: RotationOutcome
    session: SessionRecord | None


class SessionStore(Protocol):
    """Session families of refresh tokens. Every method raises ``DependencyUnavailable`` when the
    backing store does not answer."""

    async def create(self, session: SessionRecord, refresh_hash: str, ttl: timedelta) -> None: ...

    async def rotate(self, presented_hash: str, new_hash: str, ttl: timedelta) -> Rotation:
        """Atomically: the presented token becomes spent and ``new_hash`` current. Of many
        concurrent rotations with one token exactly one gets ROTATED."""
        ...

    async def find(self, refresh_hash: str) -> SessionRecord | None:
        """The live session a current (unspent) refresh token belongs to."""
        ...

    async def is_live(self, session_id: UUID) -> bool: ...

    async def revoke(self, session_id: UUID) -> None: ...

    async def revoke_all(self, user_id: UUID, *, except_session: UUID | None = None) -> int: ...


@dataclass(frozen=True, slots=True)
class AccountStanding:
    """What PostgreSQL says of an account right now: enough to judge an access token when the
    session store cannot."""

    role: str
    active: bool
    """The user and the user's shop are both active."""
    credentials_changed_at: datetime | None


class AccountStandings(Protocol):
    async def standing(self, vendor_id: UUID, user_id: UUID) -> AccountStanding | None:
        """One short read of committed state; ``None`` when the account does not exist in that shop.
        Raises ``DependencyUnavailable`` when the database does not answer."""
        ...


class LoginThrottle(Protocol):
    """Slows repeated failures for one account from one client, without locking the account
    out from everywhere."""

    async def begin_attempt(self, account: str, client: str) -> int:
        """Atomically: the seconds to wait while the pair is locked (nothing counted), else 0 and
        the attempt is counted as a failure until ``reset`` says it succeeded. Parallel guesses
        cannot all slip past the check before any of them is counted."""
        ...

    async def reset(self, account: str, client: str) -> None: ...

"""Who a request speaks for, as every context needs it: the access-token port, whether a session
is live, and what PostgreSQL says of an account when the session store cannot."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from uuid import UUID


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


class SessionLiveness(Protocol):
    async def is_live(self, session_id: UUID) -> bool:
        """Raises ``DependencyUnavailable`` when the session store does not answer."""
        ...

"""Starting a session: a new family of refresh tokens and its first access token."""

from __future__ import annotations

import contextlib
import uuid
from dataclasses import dataclass
from datetime import timedelta

from application.accounts.ports import RefreshTokens, SessionRecord, SessionStore
from application.shared.access import AccessTokens
from application.shared.errors import DependencyUnavailable
from domain.accounts.staff_user import StaffUser


@dataclass(frozen=True, slots=True)
class TokenLifetimes:
    access: timedelta
    refresh: timedelta
    # How long a refresh token just spent may be presented again and get the same successor (two
    # tabs refreshing at once); zero: strict, any second presentation revokes the family.
    refresh_reuse_grace: timedelta = timedelta(0)


@dataclass(frozen=True, slots=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int
    refresh_expires_in: int
    token_type: str = "Bearer"  # noqa: S105 - the scheme name, not a secret


class SessionStarter:
    def __init__(
        self,
        store: SessionStore,
        access_tokens: AccessTokens,
        refresh_tokens: RefreshTokens,
        lifetimes: TokenLifetimes,
    ) -> None:
        self._store = store
        self._access = access_tokens
        self._refresh = refresh_tokens
        self._lifetimes = lifetimes

    async def start(self, user: StaffUser) -> tuple[uuid.UUID, TokenPair]:
        session_id = uuid.uuid4()
        refresh = self._refresh.new()
        await self._store.create(
            SessionRecord(session_id=session_id, user_id=user.id, vendor_id=user.vendor_id),
            refresh.token_hash,
            self._lifetimes.refresh,
        )
        return session_id, self.pair(user, session_id, refresh.token)

    async def end(self, session_id: uuid.UUID) -> None:
        await self._store.revoke(session_id)

    def pair(self, user: StaffUser, session_id: uuid.UUID, refresh_token: str) -> TokenPair:
        access = self._access.issue(
            user_id=user.id, vendor_id=user.vendor_id, role=user.role.value, session_id=session_id
        )
        return TokenPair(
            access_token=access.token,
            refresh_token=refresh_token,
            expires_in=access.expires_in,
            refresh_expires_in=int(self._lifetimes.refresh.total_seconds()),
        )


async def revoke_after_commit(
    store: SessionStore, user_id: uuid.UUID, *, except_session: uuid.UUID | None = None
) -> None:
    """The second revocation of a committed change. The first one, before the commit, is what
    fails the request (503) while the store is down; if the store fails in between, the change
    stands and the sessions revoked the first time stay revoked."""
    with contextlib.suppress(DependencyUnavailable):
        await store.revoke_all(user_id, except_session=except_session)

"""Trade a refresh token for a new pair. The presented token is spent; presenting it again
revokes its whole session family, except within the reuse grace: two tabs that refresh with the
same token at the same moment both get a pair, with the same new refresh token (the one the first
rotation made, unsealed with the presented token), so neither logs the user out. The user's role
and active flag are read afresh."""

from __future__ import annotations

from datetime import timedelta

from application.accounts.ports import (
    RefreshTokens,
    ReuseGrace,
    RotationOutcome,
    SessionStore,
    StaffRepository,
    VendorRepository,
)
from application.accounts.sessions import SessionStarter, TokenLifetimes, TokenPair
from application.shared.audit import SecurityRecorder
from application.shared.errors import InvalidRefreshToken
from application.shared.security_events import SecurityEventKind
from application.shared.unit_of_work import UnitOfWork


class Refresh:
    def __init__(
        self,
        store: SessionStore,
        refresh_tokens: RefreshTokens,
        staff: StaffRepository,
        vendors: VendorRepository,
        sessions: SessionStarter,
        lifetimes: TokenLifetimes,
        record: SecurityRecorder,
        uow: UnitOfWork,
    ) -> None:
        self._store = store
        self._refresh = refresh_tokens
        self._staff = staff
        self._vendors = vendors
        self._sessions = sessions
        self._lifetimes = lifetimes
        self._record = record
        self._uow = uow

    async def execute(self, refresh_token: str) -> TokenPair:
        new = self._refresh.new()
        period = self._lifetimes.refresh_reuse_grace
        grace = ReuseGrace(period, self._refresh.seal(new.token, refresh_token)) if period > timedelta(0) else None
        rotation = await self._store.rotate(
            self._refresh.hash(refresh_token), new.token_hash, self._lifetimes.refresh, grace=grace
        )
        if rotation.outcome is RotationOutcome.REUSED and rotation.session is not None:
            await self._record(
                SecurityEventKind.REFRESH_TOKEN_REUSED,
                vendor_id=rotation.session.vendor_id,
                user_id=rotation.session.user_id,
                session_id=str(rotation.session.session_id),
            )
            await self._uow.commit()
            raise InvalidRefreshToken
        successor = new.token
        if rotation.outcome is RotationOutcome.REPEATED and rotation.sealed_successor is not None:
            repeated = self._refresh.unseal(rotation.sealed_successor, refresh_token)
            if repeated is None or self._refresh.hash(repeated) != rotation.successor_hash:
                raise InvalidRefreshToken
            successor = repeated
        elif rotation.outcome is not RotationOutcome.ROTATED:
            raise InvalidRefreshToken
        if rotation.session is None:
            raise InvalidRefreshToken

        session = rotation.session
        user = await self._staff.get(session.vendor_id, session.user_id)
        vendor = await self._vendors.get(session.vendor_id)
        if user is None or not user.active or vendor is None or not vendor.active:
            await self._store.revoke(session.session_id)
            raise InvalidRefreshToken
        return self._sessions.pair(user, session.session_id, successor)

"""End one session, or every session of the caller."""

from __future__ import annotations

from application.auth.events import SecurityRecorder
from application.common.context import Principal
from application.common.security_events import SecurityEventKind
from application.ports.clock import Clock
from application.ports.repositories import StaffRepository
from application.ports.security import RefreshTokens, SessionStore
from application.ports.unit_of_work import UnitOfWork


class Logout:
    def __init__(
        self, store: SessionStore, refresh_tokens: RefreshTokens, record: SecurityRecorder, uow: UnitOfWork
    ) -> None:
        self._store = store
        self._refresh = refresh_tokens
        self._record = record
        self._uow = uow

    async def execute(self, principal: Principal, refresh_token: str | None) -> None:
        revoked = [principal.session_id]
        if refresh_token:
            # The refresh token may name another of the caller's sessions (another tab): end it too.
            other = await self._store.find(self._refresh.hash(refresh_token))
            if other is not None and other.user_id == principal.user_id and other.session_id != principal.session_id:
                revoked.append(other.session_id)
        for session_id in revoked:
            await self._store.revoke(session_id)
        await self._record(
            SecurityEventKind.LOGOUT,
            vendor_id=principal.vendor_id,
            user_id=principal.user_id,
            sessions=[str(s) for s in revoked],
        )
        await self._uow.commit()


class LogoutEverywhere:
    """Every session of the caller ends, in Redis and, for when Redis cannot answer, in PostgreSQL."""

    def __init__(
        self, store: SessionStore, staff: StaffRepository, record: SecurityRecorder, uow: UnitOfWork, clock: Clock
    ) -> None:
        self._store = store
        self._staff = staff
        self._record = record
        self._uow = uow
        self._clock = clock

    async def execute(self, principal: Principal) -> int:
        await self._staff.cut_off_sessions(principal.vendor_id, principal.user_id, self._clock.now())
        count = await self._store.revoke_all(principal.user_id)
        await self._record(
            SecurityEventKind.LOGOUT_ALL, vendor_id=principal.vendor_id, user_id=principal.user_id, sessions=count
        )
        await self._uow.commit()
        return count

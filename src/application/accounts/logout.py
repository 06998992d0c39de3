"""End one session, or every session of the caller.

The revocation (in the session store) is what the caller asked for; the security event is its
record. Once the revocation has succeeded the answer is success even if the database cannot take
the event right now: the event is then deferred (logged at once with every field as
``security_event_deferred``, stored when the database answers again), never lost and never a 503
that would make the client believe it is still logged in.
"""

from __future__ import annotations

import contextlib

from application.accounts.ports import RefreshTokens, SessionStore, StaffRepository
from application.shared.audit import SecurityRecorder
from application.shared.clock import Clock
from application.shared.context import Principal
from application.shared.errors import DependencyUnavailable
from application.shared.security_events import DeferredSecurityEvents, SecurityEventKind
from application.shared.unit_of_work import UnitOfWork


class Logout:
    def __init__(
        self,
        store: SessionStore,
        refresh_tokens: RefreshTokens,
        record: SecurityRecorder,
        uow: UnitOfWork,
        deferred: DeferredSecurityEvents,
    ) -> None:
        self._store = store
        self._refresh = refresh_tokens
        self._record = record
        self._uow = uow
        self._deferred = deferred

    async def execute(self, principal: Principal, refresh_token: str | None) -> None:
        revoked = [principal.session_id]
        if refresh_token:
            # The refresh token may name another of the caller's sessions (another tab): end it too.
            other = await self._store.find(self._refresh.hash(refresh_token))
            if other is not None and other.user_id == principal.user_id and other.session_id != principal.session_id:
                revoked.append(other.session_id)
        for session_id in revoked:
            await self._store.revoke(session_id)
        event = self._record.event(
            SecurityEventKind.LOGOUT,
            vendor_id=principal.vendor_id,
            user_id=principal.user_id,
            sessions=[str(s) for s in revoked],
        )
        await self._record.after_the_fact(event, self._uow, self._deferred)


class LogoutEverywhere:
    """Every session of the caller ends in Redis; PostgreSQL also records the cut-off, for the
    requests it must judge alone while Redis cannot answer. The Redis revocation is what the caller
    asked for: once it succeeded the answer is success, and a database that cannot take the cut-off
    or the event right now only defers the event (the cut-off then waits for the next credential
    change; it matters only if Redis fails too before these tokens expire)."""

    def __init__(
        self,
        store: SessionStore,
        staff: StaffRepository,
        record: SecurityRecorder,
        uow: UnitOfWork,
        deferred: DeferredSecurityEvents,
        clock: Clock,
    ) -> None:
        self._store = store
        self._staff = staff
        self._record = record
        self._uow = uow
        self._deferred = deferred
        self._clock = clock

    async def execute(self, principal: Principal) -> int:
        cut_off_at = self._clock.now()
        count = await self._store.revoke_all(principal.user_id)
        try:
            await self._staff.cut_off_sessions(principal.vendor_id, principal.user_id, cut_off_at)
        except DependencyUnavailable:
            with contextlib.suppress(DependencyUnavailable):
                await self._uow.rollback()
        event = self._record.event(
            SecurityEventKind.LOGOUT_ALL, vendor_id=principal.vendor_id, user_id=principal.user_id, sessions=count
        )
        await self._record.after_the_fact(event, self._uow, self._deferred)
        return count

"""End one session of the caller (and another tab's, named by its refresh token).

The revocation (in the session store) is what the caller asked for; the security event is its
record. Once the revocation has succeeded the answer is success even if the database cannot take
the event right now: the event is then deferred (logged at once with every field as
``security_event_deferred``, stored when the database answers again), never lost and never a 503
that would make the client believe it is still logged in.
"""

from __future__ import annotations

from application.accounts.ports import RefreshTokens, SessionStore
from application.shared.audit import SecurityRecorder
from application.shared.context import Principal
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

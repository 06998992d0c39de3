"""End every session of the caller."""

from __future__ import annotations

import contextlib

from application.accounts.ports import SessionStore, StaffRepository
from application.shared.audit import SecurityRecorder
from application.shared.clock import Clock
from application.shared.context import Principal
from application.shared.errors import DependencyUnavailable
from application.shared.security_events import DeferredSecurityEvents, SecurityEventKind
from application.shared.unit_of_work import UnitOfWork


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
